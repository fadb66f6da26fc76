// json_out.hpp - a small JSON writer for command results (--json), over RapidJSON.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace skillpipe::app {

class JsonOut {
 public:
  JsonOut() : w_(sb_) {}
  JsonOut& begin_object() { return w_.StartObject(), *this; }
  JsonOut& end_object() { return w_.EndObject(), *this; }
  JsonOut& begin_array(const char* key) { return w_.Key(key), w_.StartArray(), *this; }
  JsonOut& begin_array() { return w_.StartArray(), *this; }
  JsonOut& end_array() { return w_.EndArray(), *this; }
  JsonOut& key(const char* k) { return w_.Key(k), *this; }
  JsonOut& str(std::string_view v) { return w_.String(v.data(), static_cast<rapidjson::SizeType>(v.size())), *this; }
  JsonOut& str(const char* k, std::string_view v) { return key(k).str(v); }
  JsonOut& num(const char* k, std::int64_t v) { return w_.Key(k), w_.Int64(v), *this; }
  JsonOut& real(const char* k, double v) { return w_.Key(k), w_.Double(v), *this; }
  JsonOut& boolean(const char* k, bool v) { return w_.Key(k), w_.Bool(v), *this; }
  JsonOut& null(const char* k) { return w_.Key(k), w_.Null(), *this; }
  // Inserts already-valid JSON text as the value of `k`.
  JsonOut& raw(const char* k, std::string_view json) {
    w_.Key(k);
    w_.RawValue(json.data(), json.size(), rapidjson::kObjectType);
    return *this;
  }
  JsonOut& strings(const char* k, const std::vector<std::string>& v) {
    begin_array(k);
    for (const auto& s : v) str(s);
    return end_array();
  }
  std::string text() const { return std::string(sb_.GetString(), sb_.GetSize()); }

 private:
  rapidjson::StringBuffer sb_;
  rapidjson::Writer<rapidjson::StringBuffer> w_;
};

}  // namespace skillpipe::app
