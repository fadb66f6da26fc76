#include "skillpipe/config.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "skillpipe_internal/json_parse.hpp"
#include "skillpipe/errors.hpp"

namespace skillpipe {

// The whole document is shared; a sub-Config points into it.
struct Config::Impl {
  std::shared_ptr<rapidjson::Document> doc;
  const rapidjson::Value* obj = nullptr;
};

namespace {

std::string dump(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

const rapidjson::Value* member(const rapidjson::Value* obj, std::string_view key) {
  if (!obj || !obj->IsObject()) return nullptr;
  auto it = obj->FindMember(rapidjson::Value(rapidjson::StringRef(key.data(), key.size())));
  if (it == obj->MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

[[noreturn]] void wrong_type(const std::string& pointer, std::string_view key, const char* expected) {
  const std::string ptr = pointer + "/" + std::string(key);
  throw ConfigError("config " + ptr + ": expected " + expected, ptr);
}

}  // namespace

Config::Config() {
  auto impl = std::make_shared<Impl>();
  impl->doc = std::make_shared<rapidjson::Document>();
  impl->doc->SetObject();
  impl->obj = impl->doc.get();
  impl_ = impl;
}

Config Config::parse(std::string_view json, std::string pointer) {
  auto impl = std::make_shared<Impl>();
  impl->doc = std::make_shared<rapidjson::Document>();
  const std::string where = "config " + (pointer.empty() ? std::string("/") : pointer);
  const auto err = detail::parse_json(*impl->doc, json);
  if (err.kind == detail::JsonParseError::Kind::too_deep) throw ConfigError(where + ": " + err.message(), pointer);
  if (err || !impl->doc->IsObject()) throw ConfigError(where + ": expected a JSON object", pointer);
  impl->obj = impl->doc.get();
  Config c;
  c.impl_ = impl;
  c.pointer_ = std::move(pointer);
  return c;
}

bool Config::has(std::string_view key) const { return member(impl_->obj, key) != nullptr; }

std::vector<std::string> Config::keys() const {
  std::vector<std::string> out;
  for (auto it = impl_->obj->MemberBegin(); it != impl_->obj->MemberEnd(); ++it)
    out.emplace_back(it->name.GetString(), it->name.GetStringLength());
  return out;
}

std::string Config::get_string(std::string_view key, std::string_view def) const {
  const auto* v = member(impl_->obj, key);
  if (!v) return std::string(def);
  if (!v->IsString()) wrong_type(pointer_, key, "a string");
  return std::string(v->GetString(), v->GetStringLength());
}

std::int64_t Config::get_int(std::string_view key, std::int64_t def) const {
  const auto* v = member(impl_->obj, key);
  if (!v) return def;
  if (v->IsInt64()) return v->GetInt64();
  if (v->IsDouble() && v->GetDouble() == static_cast<double>(static_cast<std::int64_t>(v->GetDouble())))
    return static_cast<std::int64_t>(v->GetDouble());
  wrong_type(pointer_, key, "an integer");
}

double Config::get_double(std::string_view key, double def) const {
  const auto* v = member(impl_->obj, key);
  if (!v) return def;
  if (!v->IsNumber()) wrong_type(pointer_, key, "a number");
  return v->GetDouble();
}

bool Config::get_bool(std::string_view key, bool def) const {
  const auto* v = member(impl_->obj, key);
  if (!v) return def;
  if (!v->IsBool()) wrong_type(pointer_, key, "true or false");
  return v->GetBool();
}

std::vector<std::string> Config::get_string_list(std::string_view key) const {
  std::vector<std::string> out;
  const auto* v = member(impl_->obj, key);
  if (!v) return out;
  if (v->IsString()) return {std::string(v->GetString(), v->GetStringLength())};
  if (!v->IsArray()) wrong_type(pointer_, key, "a list of strings");
  for (const auto& e : v->GetArray()) {
    if (!e.IsString()) wrong_type(pointer_, key, "a list of strings");
    out.emplace_back(e.GetString(), e.GetStringLength());
  }
  return out;
}

std::vector<double> Config::get_double_list(std::string_view key) const {
  std::vector<double> out;
  const auto* v = member(impl_->obj, key);
  if (!v) return out;
  if (!v->IsArray()) wrong_type(pointer_, key, "a list of numbers");
  for (const auto& e : v->GetArray()) {
    if (!e.IsNumber()) wrong_type(pointer_, key, "a list of numbers");
    out.push_back(e.GetDouble());
  }
  return out;
}

Config Config::get_object(std::string_view key) const {
  const auto* v = member(impl_->obj, key);
  if (!v) {
    Config c;
    c.pointer_ = pointer_ + "/" + std::string(key);
    return c;
  }
  if (!v->IsObject()) wrong_type(pointer_, key, "an object");
  Config c;
  auto impl = std::make_shared<Impl>();
  impl->doc = impl_->doc;
  impl->obj = v;
  c.impl_ = impl;
  c.pointer_ = pointer_ + "/" + std::string(key);
  return c;
}

std::vector<Config> Config::get_object_list(std::string_view key) const {
  std::vector<Config> out;
  const auto* v = member(impl_->obj, key);
  if (!v) return out;
  if (!v->IsArray()) wrong_type(pointer_, key, "a list of objects");
  std::size_t i = 0;
  for (const auto& e : v->GetArray()) {
    if (!e.IsObject()) wrong_type(pointer_, key, "a list of objects");
    Config c;
    auto impl = std::make_shared<Impl>();
    impl->doc = impl_->doc;
    impl->obj = &e;
    c.impl_ = impl;
    c.pointer_ = pointer_ + "/" + std::string(key) + "/" + std::to_string(i++);
    out.push_back(std::move(c));
  }
  return out;
}

std::string Config::get_json(std::string_view key) const {
  const auto* v = member(impl_->obj, key);
  return v ? dump(*v) : std::string();
}

std::string Config::json() const { return dump(*impl_->obj); }

}  // namespace skillpipe
