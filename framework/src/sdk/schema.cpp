// schema.cpp - config validation against a plugin's JSON Schema, shared by the host and the
// conformance harness (one implementation, so both report the same errors).
#include "skillpipe/schema.hpp"

#include <rapidjson/document.h>
#include <rapidjson/pointer.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>

#include "skillpipe_internal/json_parse.hpp"
#include "suggest.hpp"

namespace skillpipe {
namespace {

const char* type_name(const rapidjson::Value& v) {
  static const char* kTypes[] = {"null", "false", "true", "an object", "an array", "a string", "a number"};
  return kTypes[v.GetType()];
}

// Lists unknown keys recursively, because RapidJSON 1.1 stops at the first violation and
// does not name the offending key.
void unknown_keys(const rapidjson::Value& schema, const rapidjson::Value& value, const std::string& ptr,
                  std::vector<SchemaIssue>& out) {
  if (!schema.IsObject()) return;
  if (value.IsObject()) {
    const auto props = schema.FindMember("properties");
    const auto addl = schema.FindMember("additionalProperties");
    const bool closed = addl != schema.MemberEnd() && addl->value.IsBool() && !addl->value.GetBool();
    for (auto m = value.MemberBegin(); m != value.MemberEnd(); ++m) {
      const std::string key(m->name.GetString(), m->name.GetStringLength());
      const rapidjson::Value* sub = nullptr;
      if (props != schema.MemberEnd() && props->value.IsObject()) {
        auto it = props->value.FindMember(m->name);
        if (it != props->value.MemberEnd()) sub = &it->value;
      }
      if (sub) {
        unknown_keys(*sub, m->value, ptr + "/" + key, out);
      } else if (closed) {
        std::string allowed;
        std::vector<std::string> names;
        if (props != schema.MemberEnd() && props->value.IsObject())
          for (auto p = props->value.MemberBegin(); p != props->value.MemberEnd(); ++p) {
            names.emplace_back(p->name.GetString(), p->name.GetStringLength());
            allowed += (allowed.empty() ? "" : ", ") + names.back();
          }
        out.push_back({ptr + "/" + key, "unknown key '" + key + "'" + detail::did_you_mean(key, names) +
                                            (allowed.empty() ? "" : " (allowed: " + allowed + ")")});
      } else if (addl != schema.MemberEnd() && addl->value.IsObject()) {
        unknown_keys(addl->value, m->value, ptr + "/" + key, out);
      }
    }
  } else if (value.IsArray()) {
    const auto items = schema.FindMember("items");
    if (items != schema.MemberEnd() && items->value.IsObject())
      for (rapidjson::SizeType i = 0; i < value.Size(); ++i)
        unknown_keys(items->value, value[i], ptr + "/" + std::to_string(i), out);
  }
}

const rapidjson::Value* resolve(const rapidjson::Value& root, const std::string& pointer) {
  rapidjson::Pointer p(pointer.c_str());
  return p.IsValid() ? p.Get(const_cast<rapidjson::Value&>(root)) : nullptr;
}

}  // namespace

std::vector<SchemaIssue> check_config_against_schema(std::string_view schema_json, std::string_view config_json) {
  std::vector<SchemaIssue> out;
  rapidjson::Document sd;
  if (detail::parse_json(sd, schema_json) || !sd.IsObject()) {
    out.push_back({"", "the plugin's config schema is not valid JSON (plugin bug)"});
    return out;
  }
  rapidjson::Document cd;
  const auto err = detail::parse_json(cd, config_json);
  if (err.kind == detail::JsonParseError::Kind::too_deep) {
    out.push_back({"", "config: " + err.message()});
    return out;
  }
  if (err || !cd.IsObject()) {
    out.push_back({"", "config is not a mapping"});
    return out;
  }
  unknown_keys(sd, cd, "", out);
  if (!out.empty()) return out;

  rapidjson::SchemaDocument schema(sd);
  rapidjson::SchemaValidator validator(schema);
  if (cd.Accept(validator)) return out;

  rapidjson::StringBuffer doc_ptr, schema_ptr;
  validator.GetInvalidDocumentPointer().StringifyUriFragment(doc_ptr);
  validator.GetInvalidSchemaPointer().StringifyUriFragment(schema_ptr);
  std::string dptr = doc_ptr.GetString();
  if (!dptr.empty() && dptr[0] == '#') dptr = dptr.substr(1);
  std::string sptr = schema_ptr.GetString();
  if (!sptr.empty() && sptr[0] == '#') sptr = sptr.substr(1);
  const std::string keyword = validator.GetInvalidSchemaKeyword();
  const rapidjson::Value* sub = resolve(sd, sptr);
  const rapidjson::Value* val = resolve(cd, dptr);
  std::string msg;
  if (keyword == "required" && sub && sub->HasMember("required") && val && val->IsObject()) {
    for (const auto& r : (*sub)["required"].GetArray())
      if (r.IsString() && !val->HasMember(r.GetString())) {
        out.push_back({dptr + "/" + r.GetString(), std::string("missing required key '") + r.GetString() + "'"});
      }
    if (!out.empty()) return out;
  }
  if (keyword == "type" && sub && sub->HasMember("type")) {
    const auto& t = (*sub)["type"];
    std::string expected;
    if (t.IsString())
      expected = t.GetString();
    else if (t.IsArray())
      for (const auto& e : t.GetArray()) expected += (expected.empty() ? "" : " or ") + std::string(e.GetString());
    msg = "expected " + expected + (val ? std::string(", got ") + type_name(*val) : "");
  } else if (keyword == "enum" && sub && sub->HasMember("enum")) {
    std::string allowed;
    for (const auto& e : (*sub)["enum"].GetArray())
      if (e.IsString()) allowed += (allowed.empty() ? "" : ", ") + std::string(e.GetString());
    msg = "not one of the allowed values (" + allowed + ")";
  } else if ((keyword == "minimum" || keyword == "maximum") && sub && sub->HasMember(keyword.c_str())) {
    msg = "must be " + std::string(keyword == "minimum" ? ">= " : "<= ") +
          std::to_string((*sub)[keyword.c_str()].GetDouble());
  } else {
    msg = "violates schema keyword '" + keyword + "'";
  }
  out.push_back({dptr, msg});
  return out;
}

bool is_valid_json(std::string_view json) {
  rapidjson::Document d;
  return !detail::parse_json(d, json);
}

}  // namespace skillpipe
