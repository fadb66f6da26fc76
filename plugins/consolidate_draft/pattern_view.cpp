// Reading pattern task records back (the attrs mine_patterns writes).
#include "pattern_view.hpp"

#include <rapidjson/document.h>

#include <algorithm>

#include "skillpipe/util.hpp"

namespace skillpipe::drafting {
namespace {

std::string attr(const TaskRecord& t, const char* k) {
  const auto it = t.attrs.find(k);
  return it == t.attrs.end() ? std::string() : it->second;
}

int to_int(const std::string& s) {
  try {
    return s.empty() ? 0 : std::stoi(s);
  } catch (...) {
    return 0;
  }
}

std::vector<std::string> split_nonempty(const std::string& s, const std::string& sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const auto at = s.find(sep, start);
    const std::string part = trim(s.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (!part.empty()) out.push_back(part);
    if (at == std::string::npos) break;
    start = at + sep.size();
  }
  return out;
}

}  // namespace

bool read_pattern(const TaskRecord& t, PatternView& p, std::string* why) {
  if (std::find(t.tags.begin(), t.tags.end(), "pattern") == t.tags.end() || attr(t, "pattern_id").empty()) {
    if (why) *why = "task " + t.id + " is not a pattern record (no \"pattern\" tag / pattern_id attr)";
    return false;
  }
  p.id = attr(t, "pattern_id");
  p.label = attr(t, "pattern_label");
  p.project = t.project;
  p.ready = attr(t, "ready") == "true";
  p.readiness = attr(t, "readiness");
  p.successes = to_int(attr(t, "successes"));
  p.failures = to_int(attr(t, "failures"));
  p.ratio = attr(t, "success_ratio");
  p.intent = t.intent;
  for (const auto& line : split(t.context_excerpt, '\n')) {
    std::string l = trim(line);
    if (starts_with(l, "- ")) l = l.substr(2);
    if (!l.empty()) p.examples.push_back(l);
  }
  p.tool_chain = split_nonempty(attr(t, "tool_chain"), "->");
  p.tool_chain_support = attr(t, "tool_chain_support");
  p.skills = split_nonempty(attr(t, "skills"), ",");
  p.files = split_nonempty(attr(t, "files"), ",");
  p.sessions = t.source_sessions;
  p.skill_hint = t.skill_hint;

  rapidjson::Document doc;
  const std::string ev = attr(t, "evidence");
  doc.Parse(ev.c_str(), ev.size());
  if (!ev.empty() && !doc.HasParseError() && doc.IsArray()) {
    for (const auto& e : doc.GetArray()) {
      if (!e.IsObject()) continue;
      auto get = [&](const char* k) {
        return e.HasMember(k) && e[k].IsString() ? std::string(e[k].GetString(), e[k].GetStringLength())
                                                 : std::string();
      };
      p.evidence.push_back({get("session"), get("outcome"), get("at"), get("intent"), get("result"), get("reason")});
    }
  } else if (!ev.empty()) {
    if (why) *why = "pattern " + p.id + ": attrs.evidence is not a JSON array";
    return false;
  }
  std::vector<std::string> sorted = p.sessions;
  std::sort(sorted.begin(), sorted.end());
  std::string material = std::to_string(p.successes) + "/" + std::to_string(p.failures);
  for (const auto& s : sorted) material += "\n" + s;
  p.evidence_sig = sha256_hex(material).substr(0, 16);
  return true;
}

}  // namespace skillpipe::drafting
