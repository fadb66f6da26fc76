// spend_plan.hpp - plan before spending: forecast a night's calls, tokens and cost from the
// task counts, rollouts and prompt sizes, compare with the backends' per-night caps, and
// either go ahead, trim the train set to what fits, or refuse before any paid call.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "settings.hpp"
#include "skillpipe/backend.hpp"

namespace skillpipe::consolidate_reflect {

struct SpendPlan {
  std::int64_t calls = 0;
  std::int64_t tokens = 0;
  double cost_usd = 0;
  std::int64_t train = 0, val = 0, test = 0;  // tasks the plan covers
  std::int64_t dropped_train = 0;             // trimmed to fit (on_over_budget: fit)
  bool over = false;                          // exceeds a cap even after trimming
  std::string cap;                            // which cap ("max_tokens 200000")
  std::string summary() const;
};

// Estimates one group of tasks. `docs_chars`: the skill + memory size every replay carries.
// The cost per call comes from Backend::estimate on a representative request of each task.
SpendPlan plan_spend(const std::vector<TaskRecord>& tasks, std::size_t docs_chars, const Settings& s,
                     const Backend& replay, const Backend& optimizer);

// Applies the caps of both backends. With `fit`, drops train tasks (largest first) until the
// plan fits; val and test are never trimmed, since the gate's verdict depends on all of them.
// Returns the train task ids to drop.
std::vector<std::string> fit_to_budget(SpendPlan& plan, const std::vector<TaskRecord>& tasks, std::size_t docs_chars,
                                       const Settings& s, const Backend& replay, const Backend& optimizer, bool fit);

}  // namespace skillpipe::consolidate_reflect
