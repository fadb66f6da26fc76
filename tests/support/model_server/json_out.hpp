// json_out.hpp - a small writer for the JSON the encoders and the request log emit.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <string_view>

namespace skillpipe::model_server {

class JsonOut {
 public:
  JsonOut() : w_(buf_) {}
  JsonOut& obj() { w_.StartObject(); return *this; }
  JsonOut& end() { w_.EndObject(); return *this; }
  JsonOut& arr() { w_.StartArray(); return *this; }
  JsonOut& end_arr() { w_.EndArray(); return *this; }
  JsonOut& key(std::string_view k) { w_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); return *this; }
  JsonOut& s(std::string_view v) { w_.String(v.data(), static_cast<rapidjson::SizeType>(v.size())); return *this; }
  JsonOut& i(long v) { w_.Int64(v); return *this; }
  JsonOut& b(bool v) { w_.Bool(v); return *this; }
  JsonOut& d(double v) { w_.Double(v); return *this; }
  JsonOut& null() { w_.Null(); return *this; }
  // Inserts already-serialised JSON (must be one valid value).
  JsonOut& raw(std::string_view json) {
    w_.RawValue(json.data(), json.size(), rapidjson::kObjectType);
    return *this;
  }
  // key + value shorthands
  JsonOut& ks(std::string_view k, std::string_view v) { return key(k).s(v); }
  JsonOut& ki(std::string_view k, long v) { return key(k).i(v); }
  JsonOut& kb(std::string_view k, bool v) { return key(k).b(v); }
  JsonOut& kraw(std::string_view k, std::string_view json) { return key(k).raw(json); }
  std::string str() const { return std::string(buf_.GetString(), buf_.GetSize()); }

 private:
  rapidjson::StringBuffer buf_;
  rapidjson::Writer<rapidjson::StringBuffer> w_;
};

}  // namespace skillpipe::model_server
