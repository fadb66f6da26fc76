// JSON form of the offline pattern state.
#include "pattern_state.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "skillpipe/errors.hpp"

namespace skillpipe::patterns {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;
using Value = rapidjson::Value;

void put(Writer& w, const char* k, const std::string& v) {
  w.Key(k);
  w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
}
void put(Writer& w, const char* k, const std::vector<std::string>& v) {
  w.Key(k);
  w.StartArray();
  for (const auto& s : v) w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
  w.EndArray();
}

std::string where(const std::string& path, const char* field) { return path + "/" + field; }

std::string get_string(const Value& o, const char* k, const std::string& path) {
  if (!o.HasMember(k)) return {};
  const Value& v = o[k];
  if (!v.IsString()) throw Error("offline pattern state: " + where(path, k) + " must be a string");
  return std::string(v.GetString(), v.GetStringLength());
}
std::vector<std::string> get_list(const Value& o, const char* k, const std::string& path) {
  std::vector<std::string> out;
  if (!o.HasMember(k)) return out;
  const Value& v = o[k];
  if (!v.IsArray()) throw Error("offline pattern state: " + where(path, k) + " must be an array of strings");
  for (const auto& s : v.GetArray()) {
    if (!s.IsString()) throw Error("offline pattern state: " + where(path, k) + " must be an array of strings");
    out.emplace_back(s.GetString(), s.GetStringLength());
  }
  return out;
}

void put_steps(Writer& w, const std::vector<ProcedureStep>& steps) {
  w.Key("steps");
  w.StartArray();
  for (const auto& st : steps) {
    w.StartObject();
    put(w, "kind", to_string(st.kind));
    put(w, "text", st.text);
    w.EndObject();
  }
  w.EndArray();
}

std::vector<ProcedureStep> get_steps(const Value& o, const std::string& path) {
  std::vector<ProcedureStep> out;
  if (!o.HasMember("steps")) return out;  // written before steps were kept
  const Value& v = o["steps"];
  if (!v.IsArray()) throw Error("offline pattern state: " + where(path, "steps") + " must be an array");
  int i = 0;
  for (const auto& s : v.GetArray()) {
    const std::string sp = where(path, "steps") + "/" + std::to_string(i++);
    if (!s.IsObject()) throw Error("offline pattern state: " + sp + " must be an object");
    const auto kind = parse_step_kind(get_string(s, "kind", sp));
    if (!kind) throw Error("offline pattern state: " + sp + "/kind must be one of " + enum_choices(StepKind{}));
    out.push_back({*kind, get_string(s, "text", sp), 1});
  }
  return out;
}

}  // namespace

int Pattern::successes() const {
  int n = 0;
  for (const auto& m : members) n += m.outcome == "success";
  return n;
}
int Pattern::failures() const {
  int n = 0;
  for (const auto& m : members) n += m.outcome == "fail";
  return n;
}

PatternState parse_state(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError())
    throw Error(std::string("offline pattern state: not JSON (") + rapidjson::GetParseError_En(doc.GetParseError()) +
                " at offset " + std::to_string(doc.GetErrorOffset()) + ")");
  if (!doc.IsObject() || !doc.HasMember("patterns") || !doc["patterns"].IsArray())
    throw Error("offline pattern state: expected an object with a \"patterns\" array");
  PatternState st;
  int i = 0;
  for (const auto& p : doc["patterns"].GetArray()) {
    const std::string path = "/patterns/" + std::to_string(i++);
    if (!p.IsObject()) throw Error("offline pattern state: " + path + " must be an object");
    Pattern pat;
    pat.id = get_string(p, "id", path);
    if (pat.id.empty()) throw Error("offline pattern state: " + path + "/id is missing");
    pat.label = get_string(p, "label", path);
    pat.label_fixed = p.HasMember("label_fixed") && p["label_fixed"].IsBool() && p["label_fixed"].GetBool();
    pat.created_at = get_string(p, "created_at", path);
    pat.updated_at = get_string(p, "updated_at", path);
    if (p.HasMember("members")) {
      if (!p["members"].IsArray()) throw Error("offline pattern state: " + path + "/members must be an array");
      int j = 0;
      for (const auto& m : p["members"].GetArray()) {
        const std::string mp = path + "/members/" + std::to_string(j++);
        if (!m.IsObject()) throw Error("offline pattern state: " + mp + " must be an object");
        Member mem;
        mem.session = get_string(m, "session", mp);
        mem.project = get_string(m, "project", mp);
        mem.outcome = get_string(m, "outcome", mp);
        if (mem.outcome != "success" && mem.outcome != "fail")
          throw Error("offline pattern state: " + mp + "/outcome must be \"success\" or \"fail\"");
        mem.reason = get_string(m, "reason", mp);
        mem.corrected = m.HasMember("corrected") && m["corrected"].IsBool() && m["corrected"].GetBool();
        mem.at = get_string(m, "at", mp);
        mem.intent = get_string(m, "intent", mp);
        mem.result = get_string(m, "result", mp);
        mem.tokens = get_list(m, "tokens", mp);
        mem.tools = get_list(m, "tools", mp);
        mem.skills = get_list(m, "skills", mp);
        mem.files = get_list(m, "files", mp);
        mem.agent = get_string(m, "agent", mp);
        mem.steps = get_steps(m, mp);
        mem.redacted = m.HasMember("redacted") && m["redacted"].IsBool() && m["redacted"].GetBool();
        pat.members.push_back(std::move(mem));
      }
    }
    st.patterns.push_back(std::move(pat));
  }
  return st;
}

std::string state_to_json(const PatternState& st) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("schema");
  w.Int(1);
  w.Key("patterns");
  w.StartArray();
  for (const auto& p : st.patterns) {
    w.StartObject();
    put(w, "id", p.id);
    put(w, "label", p.label);
    w.Key("label_fixed");
    w.Bool(p.label_fixed);
    put(w, "created_at", p.created_at);
    put(w, "updated_at", p.updated_at);
    w.Key("members");
    w.StartArray();
    for (const auto& m : p.members) {
      w.StartObject();
      put(w, "session", m.session);
      put(w, "project", m.project);
      put(w, "outcome", m.outcome);
      put(w, "reason", m.reason);
      w.Key("corrected");
      w.Bool(m.corrected);
      put(w, "at", m.at);
      put(w, "intent", m.intent);
      put(w, "result", m.result);
      put(w, "tokens", m.tokens);
      put(w, "tools", m.tools);
      put(w, "skills", m.skills);
      put(w, "files", m.files);
      put(w, "agent", m.agent);
      put_steps(w, m.steps);
      w.Key("redacted");
      w.Bool(m.redacted);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace skillpipe::patterns
