// JSON form of the draft state.
#include "draft_state.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "skillpipe/errors.hpp"

namespace skillpipe::drafting {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void put(Writer& w, const char* k, const std::string& v) {
  w.Key(k);
  w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
}

std::string str(const rapidjson::Value& o, const char* k, const std::string& path) {
  if (!o.HasMember(k)) return {};
  if (!o[k].IsString()) throw Error("offline draft state: " + path + "/" + k + " must be a string");
  return std::string(o[k].GetString(), o[k].GetStringLength());
}

}  // namespace

DraftRecord* DraftState::find(const std::string& pattern) {
  for (auto& d : drafts)
    if (d.pattern == pattern) return &d;
  return nullptr;
}

DraftState parse_drafts(std::string_view json) {
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError())
    throw Error(std::string("offline draft state: not JSON (") + rapidjson::GetParseError_En(doc.GetParseError()) +
                ")");
  if (!doc.IsObject() || !doc.HasMember("drafts") || !doc["drafts"].IsArray())
    throw Error("offline draft state: expected an object with a \"drafts\" array");
  DraftState st;
  int i = 0;
  for (const auto& o : doc["drafts"].GetArray()) {
    const std::string path = "/drafts/" + std::to_string(i++);
    if (!o.IsObject()) throw Error("offline draft state: " + path + " must be an object");
    DraftRecord d;
    d.pattern = str(o, "pattern", path);
    d.status = str(o, "status", path);
    d.evidence_sig = str(o, "evidence_sig", path);
    d.night = str(o, "night", path);
    d.at = str(o, "at", path);
    if (o.HasMember("targets") && o["targets"].IsArray()) {
      int j = 0;
      for (const auto& t : o["targets"].GetArray()) {
        const std::string tp = path + "/targets/" + std::to_string(j++);
        if (!t.IsObject()) throw Error("offline draft state: " + tp + " must be an object");
        d.targets.push_back({str(t, "target", tp), str(t, "name", tp), str(t, "live_path", tp), str(t, "sha256", tp)});
      }
    }
    if (o.HasMember("reasons") && o["reasons"].IsArray())
      for (const auto& r : o["reasons"].GetArray())
        if (r.IsString()) d.reasons.emplace_back(r.GetString(), r.GetStringLength());
    st.drafts.push_back(std::move(d));
  }
  return st;
}

std::string drafts_to_json(const DraftState& st) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("schema");
  w.Int(1);
  w.Key("drafts");
  w.StartArray();
  for (const auto& d : st.drafts) {
    w.StartObject();
    put(w, "pattern", d.pattern);
    put(w, "status", d.status);
    put(w, "evidence_sig", d.evidence_sig);
    put(w, "night", d.night);
    put(w, "at", d.at);
    w.Key("targets");
    w.StartArray();
    for (const auto& t : d.targets) {
      w.StartObject();
      put(w, "target", t.target);
      put(w, "name", t.name);
      put(w, "live_path", t.live_path);
      put(w, "sha256", t.sha256);
      w.EndObject();
    }
    w.EndArray();
    w.Key("reasons");
    w.StartArray();
    for (const auto& r : d.reasons) w.String(r.c_str(), static_cast<rapidjson::SizeType>(r.size()));
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace skillpipe::drafting
