// JSON form of the skill profiles.
#include "lifecycle_state.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "skillpipe/errors.hpp"

namespace skillpipe::lifecycle {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;
using Value = rapidjson::Value;

void put(Writer& w, const char* k, const std::string& v) {
  w.Key(k);
  w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
}

[[noreturn]] void bad(const std::string& path, const char* what) {
  throw Error("skill profile state: " + path + " " + what);
}

std::string str(const Value& o, const char* k, const std::string& path) {
  if (!o.HasMember(k)) return {};
  if (!o[k].IsString()) bad(path + "/" + k, "must be a string");
  return std::string(o[k].GetString(), o[k].GetStringLength());
}
std::int64_t i64(const Value& o, const char* k, const std::string& path) {
  if (!o.HasMember(k)) return 0;
  if (!o[k].IsInt64()) bad(path + "/" + k, "must be an integer");
  return o[k].GetInt64();
}
double num(const Value& o, const char* k, const std::string& path) {
  if (!o.HasMember(k)) return 0;
  if (!o[k].IsNumber()) bad(path + "/" + k, "must be a number");
  return o[k].GetDouble();
}

}  // namespace

Profile* ProfileState::find(const std::string& target, const std::string& name) {
  for (auto& p : profiles)
    if (p.target == target && p.name == name) return &p;
  return nullptr;
}

ProfileState parse_profiles(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError())
    throw Error(std::string("skill profile state: not JSON (") + rapidjson::GetParseError_En(doc.GetParseError()) +
                ")");
  if (!doc.IsObject() || !doc.HasMember("profiles") || !doc["profiles"].IsArray())
    throw Error("skill profile state: expected an object with a \"profiles\" array");
  ProfileState st;
  int i = 0;
  for (const auto& o : doc["profiles"].GetArray()) {
    const std::string path = "/profiles/" + std::to_string(i++);
    if (!o.IsObject()) bad(path, "must be an object");
    Profile p;
    p.target = str(o, "target", path);
    p.name = str(o, "name", path);
    if (p.name.empty()) bad(path + "/name", "is missing");
    p.live_path = str(o, "live_path", path);
    p.origin = str(o, "origin", path);
    if (p.origin != "manual" && p.origin != "evolved") bad(path + "/origin", "must be \"manual\" or \"evolved\"");
    p.status = str(o, "status", path);
    p.user_modified = o.HasMember("user_modified") && o["user_modified"].IsBool() && o["user_modified"].GetBool();
    p.uses = static_cast<int>(i64(o, "uses", path));
    p.successes = static_cast<int>(i64(o, "successes", path));
    p.failures = static_cast<int>(i64(o, "failures", path));
    p.created_ms = i64(o, "created_ms", path);
    p.last_used_ms = i64(o, "last_used_ms", path);
    p.strength = num(o, "strength", path);
    p.strength_at_ms = i64(o, "strength_at_ms", path);
    p.sha256 = str(o, "sha256", path);
    if (o.HasMember("counted_sessions") && o["counted_sessions"].IsArray())
      for (const auto& s : o["counted_sessions"].GetArray())
        if (s.IsString()) p.counted_sessions.emplace_back(s.GetString(), s.GetStringLength());
    if (o.HasMember("versions") && o["versions"].IsArray()) {
      int j = 0;
      for (const auto& v : o["versions"].GetArray()) {
        const std::string vp = path + "/versions/" + std::to_string(j++);
        if (!v.IsObject()) bad(vp, "must be an object");
        p.versions.push_back({static_cast<int>(i64(v, "version", vp)), str(v, "action", vp), str(v, "at", vp),
                              str(v, "night", vp), str(v, "sha256", vp), str(v, "note", vp)});
      }
    }
    st.profiles.push_back(std::move(p));
  }
  return st;
}

std::string profiles_to_json(const ProfileState& st) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("schema");
  w.Int(1);
  w.Key("profiles");
  w.StartArray();
  for (const auto& p : st.profiles) {
    w.StartObject();
    put(w, "target", p.target);
    put(w, "name", p.name);
    put(w, "live_path", p.live_path);
    put(w, "origin", p.origin);
    put(w, "status", p.status);
    w.Key("user_modified");
    w.Bool(p.user_modified);
    w.Key("uses");
    w.Int(p.uses);
    w.Key("successes");
    w.Int(p.successes);
    w.Key("failures");
    w.Int(p.failures);
    w.Key("created_ms");
    w.Int64(p.created_ms);
    w.Key("last_used_ms");
    w.Int64(p.last_used_ms);
    w.Key("strength");
    w.Double(p.strength);
    w.Key("strength_at_ms");
    w.Int64(p.strength_at_ms);
    put(w, "sha256", p.sha256);
    w.Key("counted_sessions");
    w.StartArray();
    for (const auto& s : p.counted_sessions) w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
    w.EndArray();
    w.Key("versions");
    w.StartArray();
    for (const auto& v : p.versions) {
      w.StartObject();
      w.Key("version");
      w.Int(v.version);
      put(w, "action", v.action);
      put(w, "at", v.at);
      put(w, "night", v.night);
      put(w, "sha256", v.sha256);
      put(w, "note", v.note);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace skillpipe::lifecycle
