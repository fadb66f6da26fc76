// trigger_stats.hpp - does the agent invoke a skill on the tasks it is for, and only there?
// Measured on agentic replays (backend_agent records the skills the agent invoked) of the
// gate's tasks: recall over the tasks that should trigger the skill, precision over the
// replays where the agent invoked it.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "skillpipe/records.hpp"

namespace skillpipe::consolidate_reflect {

struct TriggerStats {
  std::string skill;
  int agentic = 0;         // replays that carry a trajectory (the others say nothing about triggering)
  int should = 0;          // ... of tasks that should trigger the skill
  int triggered = 0;       // ... of those, where the agent invoked it
  int should_not = 0;      // ... of tasks of other clusters
  int false_triggers = 0;  // ... of those, where the agent invoked it anyway

  std::optional<double> recall() const;     // triggered / should
  std::optional<double> precision() const;  // triggered / (triggered + false_triggers)
  // "recall 1.00 (6 of 6), precision 0.75 (6 of 8 invocations)"; "n/a" where undefined.
  std::string text() const;
};

// The tasks that should trigger `skill`: those tagged `trigger:<skill>` or whose skill hint is
// `skill` (the sessions they were mined from used it), and every task that shares a
// `cluster:<name>` tag with one of them. Every other task belongs to another cluster.
std::set<std::string> tasks_for_skill(const std::vector<TaskRecord>& tasks, const std::string& skill);

// Counts over `replays` of `tasks` (replays of other tasks are ignored).
TriggerStats trigger_stats(const std::vector<TaskRecord>& tasks, const std::vector<ReplayResult>& replays,
                           const std::string& skill);

// Why `after` triggers worse than `before` on the same tasks ("" when it does not): a lower
// recall (the skill is no longer invoked where it is meant to be), or a higher share of
// other tasks on which it is invoked (lower precision: it now loads where it does not belong,
// spending the agent's context and steering it). Undefined on either side says nothing.
std::string trigger_regression(const TriggerStats& before, const TriggerStats& after);

// The reflection's evidence about triggering: the counts, and the intents of the tasks the
// agent did not invoke the skill on though it should have (missed) and of the tasks of other
// clusters it invoked it on (stray), each task once, in replay order.
struct TriggerExamples {
  TriggerStats stats;
  std::vector<std::string> missed, stray;
  bool imperfect() const { return !missed.empty() || !stray.empty(); }
};
TriggerExamples trigger_examples(const std::vector<TaskRecord>& tasks, const std::vector<ReplayResult>& replays,
                                 const std::string& skill);

}  // namespace skillpipe::consolidate_reflect
