// Reading pattern task records back (the PatternInfo mine_patterns writes).
#include "pattern_view.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "skillpipe/kit/util.hpp"

namespace skillpipe::consolidate_draft {

bool read_pattern(const TaskRecord& t, PatternView& p, std::string* why) {
  if (!t.pattern || t.pattern->id.empty()) {
    if (why) *why = "task " + t.id + " is not a pattern record (no pattern info)";
    return false;
  }
  const PatternInfo& info = *t.pattern;
  p.id = info.id;
  p.label = info.label;
  p.project = t.project;
  p.ready = info.ready;
  p.readiness = info.readiness;
  p.successes = info.successes;
  p.failures = info.failures;
  char ratio[32];
  std::snprintf(ratio, sizeof ratio, "%.2f", info.success_ratio);
  p.ratio = ratio;
  p.intent = t.intent;
  for (const auto& line : split(t.context_excerpt, '\n')) {
    std::string l = trim(line);
    if (starts_with(l, "- ")) l = l.substr(2);
    if (!l.empty()) p.examples.push_back(l);
  }
  p.tool_chain = info.tool_chain;
  if (!info.tool_chain.empty() && info.successes > 0)
    p.tool_chain_support = std::to_string(std::lround(info.tool_chain_support * info.successes)) + "/" +
                           std::to_string(info.successes);
  p.skills = info.skills;
  p.files = info.files;
  p.procedure = info.procedure;
  p.agents = info.agents;
  p.projects = info.projects;
  p.evidence = info.evidence;
  p.sessions = t.source_sessions;
  p.skill_hint = t.skill_hint;

  std::vector<std::string> sorted = p.sessions;
  std::sort(sorted.begin(), sorted.end());
  std::string material = std::to_string(p.successes) + "/" + std::to_string(p.failures);
  for (const auto& s : sorted) material += "\n" + s;
  p.evidence_sig = sha256_hex(material).substr(0, 16);
  return true;
}

}  // namespace skillpipe::consolidate_draft
