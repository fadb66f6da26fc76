#include "trigger_stats.hpp"

#include <algorithm>
#include <cstdio>

namespace skillpipe::consolidate_reflect {
namespace {

std::string ratio(std::optional<double> v) {
  if (!v) return "n/a";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", *v);
  return buf;
}

bool has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

}  // namespace

std::optional<double> TriggerStats::recall() const {
  return should > 0 ? std::optional<double>(static_cast<double>(triggered) / should) : std::nullopt;
}

std::optional<double> TriggerStats::precision() const {
  const int invoked = triggered + false_triggers;
  return invoked > 0 ? std::optional<double>(static_cast<double>(triggered) / invoked) : std::nullopt;
}

std::string TriggerStats::text() const {
  return "recall " + ratio(recall()) + " (" + std::to_string(triggered) + " of " + std::to_string(should) +
         "), precision " + ratio(precision()) + " (" + std::to_string(triggered) + " of " +
         std::to_string(triggered + false_triggers) + " invocations)";
}

std::set<std::string> tasks_for_skill(const std::vector<TaskRecord>& tasks, const std::string& skill) {
  std::set<std::string> ids, clusters;
  for (const auto& t : tasks) {
    if (t.skill_hint != skill && !has(t.tags, "trigger:" + skill)) continue;
    ids.insert(t.id);
    for (const auto& tag : t.tags)
      if (tag.rfind("cluster:", 0) == 0) clusters.insert(tag);
  }
  for (const auto& t : tasks)
    for (const auto& tag : t.tags)
      if (clusters.count(tag)) ids.insert(t.id);
  return ids;
}

TriggerStats trigger_stats(const std::vector<TaskRecord>& tasks, const std::vector<ReplayResult>& replays,
                           const std::string& skill) {
  TriggerStats s;
  s.skill = skill;
  const std::set<std::string> should = tasks_for_skill(tasks, skill);
  std::set<std::string> known;
  for (const auto& t : tasks) known.insert(t.id);
  for (const auto& r : replays) {
    if (!r.trajectory || !known.count(r.task_id)) continue;
    ++s.agentic;
    const bool invoked = has(r.trajectory->skills_invoked, skill);
    if (should.count(r.task_id)) {
      ++s.should;
      s.triggered += invoked ? 1 : 0;
    } else {
      ++s.should_not;
      s.false_triggers += invoked ? 1 : 0;
    }
  }
  return s;
}

std::string trigger_regression(const TriggerStats& before, const TriggerStats& after) {
  if (before.agentic == 0 || after.agentic == 0) return {};
  const auto rb = before.recall(), ra = after.recall();
  if (rb && ra && *ra < *rb - 1e-9)
    return "trigger recall of skill " + after.skill + " fell from " + ratio(rb) + " to " + ratio(ra) + " (invoked on " +
           std::to_string(after.triggered) + " of " + std::to_string(after.should) + " tasks it is for, was " +
           std::to_string(before.triggered) + " of " + std::to_string(before.should) + ")";
  if (before.should_not > 0 && after.should_not > 0 &&
      static_cast<double>(after.false_triggers) / after.should_not >
          static_cast<double>(before.false_triggers) / before.should_not + 1e-9)
    return "trigger precision of skill " + after.skill + " fell: invoked on " + std::to_string(after.false_triggers) +
           " of " + std::to_string(after.should_not) + " tasks it is not for, was " +
           std::to_string(before.false_triggers) + " of " + std::to_string(before.should_not) + " (precision " +
           ratio(before.precision()) + " -> " + ratio(after.precision()) + ")";
  return {};
}

TriggerExamples trigger_examples(const std::vector<TaskRecord>& tasks, const std::vector<ReplayResult>& replays,
                                 const std::string& skill) {
  TriggerExamples ex;
  ex.stats = trigger_stats(tasks, replays, skill);
  const std::set<std::string> should = tasks_for_skill(tasks, skill);
  std::set<std::string> seen;
  for (const auto& r : replays) {
    if (!r.trajectory) continue;
    const auto t = std::find_if(tasks.begin(), tasks.end(), [&](const TaskRecord& x) { return x.id == r.task_id; });
    if (t == tasks.end()) continue;
    const bool invoked = has(r.trajectory->skills_invoked, skill), ought = should.count(t->id) > 0;
    if (invoked == ought || !seen.insert(t->id).second) continue;
    (ought ? ex.missed : ex.stray).push_back(t->intent);
  }
  return ex;
}

}  // namespace skillpipe::consolidate_reflect
