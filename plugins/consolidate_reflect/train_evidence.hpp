// train_evidence.hpp - what the reflection sees of a night's train replay: the failed tasks
// (intent, response, why), a few successes, and - with k > 1 rollouts - the tasks whose
// samples disagreed, best and worst side by side.
#pragma once

#include <string>
#include <vector>

#include "evaluator.hpp"
#include "gate.hpp"
#include "reflect_prompt.hpp"

namespace skillpipe::consolidate_reflect {

struct TrainEvidence {
  Evidence evidence;
  std::vector<const TaskRecord*> failed;  // into the `train` vector passed to collect_evidence
  int unscored = 0;                       // train tasks no replay could score
};

// `all`: every task of the group (the first non-empty system prompt is the output contract).
TrainEvidence collect_evidence(const std::vector<TaskRecord>& train, const Scored& sc,
                               const std::vector<TaskRecord>& all, const GateConfig& gate, int rollouts);

// The failed tasks' tags, each once, comma-separated (the reflection request's meta).
std::string tags_of(const std::vector<const TaskRecord*>& tasks);

}  // namespace skillpipe::consolidate_reflect
