// evaluation.hpp - the host's replay-and-score service.
//
// Consolidators ask it to replay a task set under a skill + memory with a backend and score
// every response with the configured judges, in parallel. Replays and verdicts are
// persisted in the night, and backend responses are cached, so a resumed night repeats no
// paid call.
#pragma once

#include <string>
#include <vector>

#include "skillpipe/records.hpp"
#include "skillpipe/stage.hpp"

namespace skillpipe {

struct EvalRequest {
  std::vector<TaskRecord> tasks;
  std::string skill_text;
  std::string memory_text;
  std::string backend_id;
  std::vector<std::string> judge_ids;   // empty: the calling stage's input judges
  int rollouts = 1;
  std::string variant;                  // label for records and reports
  std::string skill_name;               // the skill's name, for agentic replays ("" = from its frontmatter)
};

struct TaskScore {
  std::string task_id;
  double hard = 0;                      // mean over samples (and judges)
  double soft = 0;
  int samples = 0;
  int errors = 0;                       // samples whose replay failed
  std::vector<std::string> failed_criteria;
  bool operator==(const TaskScore&) const = default;
};

struct EvalResult {
  std::vector<ReplayResult> replays;
  std::vector<Verdict> verdicts;
  std::vector<TaskScore> per_task;      // in request order
  double mean_hard = 0;
  double mean_soft = 0;
  TokenUsage tokens;
  double cost_usd = 0;
  double wall_ms = 0;
  std::int64_t calls = 0;
  std::int64_t cached_calls = 0;
  int errors = 0;
  bool budget_stopped = false;          // a cap ended it: scores cover only what finished
};

class SKILLPIPE_VISIBLE EvaluationService {
 public:
  virtual ~EvaluationService();
  virtual EvalResult evaluate(const EvalRequest& request, Context& ctx) = 0;
};

}  // namespace skillpipe
