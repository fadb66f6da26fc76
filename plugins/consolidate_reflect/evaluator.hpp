// evaluator.hpp - replay-and-score through the host's EvaluationService, turned into the
// per-task tables the gate reads, with the night's usage accounted.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "gate.hpp"
#include "skillpipe/evaluation.hpp"
#include "skillpipe/stage.hpp"

namespace skillpipe::consolidate_reflect {

struct Usage {
  TokenUsage tokens;
  double cost_usd = 0;
  std::int64_t calls = 0;
  std::int64_t cached = 0;
  std::map<std::string, double> seconds;  // per phase
};

struct Scored {
  std::vector<TaskResult> results;  // per task, in request order
  EvalResult raw;
};

class Evaluator {
 public:
  Evaluator(Context& ctx, std::string backend_id, Usage& usage)
      : ctx_(ctx), backend_(std::move(backend_id)), usage_(usage) {}

  // `phase` names the timing bucket ("baseline", "trial", ...); `variant` labels the replays.
  // With `first_sample` s > 0 the tasks are replayed with samples 0 .. s + rollouts - 1 and
  // scored on the last `rollouts` only: samples 0 .. s - 1 of documents replayed tonight come
  // back from the response cache (the same night, sample and documents), the rest are fresh.
  Scored run(const std::vector<TaskRecord>& tasks, const std::string& skill, const std::string& memory,
             const std::string& variant, const std::string& phase, int rollouts = 1, int first_sample = 0);

 private:
  Context& ctx_;
  std::string backend_;
  Usage& usage_;
};

// The response of a task's sample (first sample when `sample` < 0), "" if none.
std::string response_of(const EvalResult& r, const std::string& task_id, int sample = -1);
// The lowest sample index with a failing verdict, or -1.
int first_failing_sample(const EvalResult& r, const std::string& task_id);
// Why a task's sample (the first failing one when `sample` < 0) failed: its failed criteria, else the failing verdicts'
// rationales.
std::string why_failed(const EvalResult& r, const std::string& task_id, int sample = -1);
// (hard, soft) of one sample, averaged over judges; false when the sample has no verdict.
bool sample_scores(const EvalResult& r, const std::string& task_id, int sample, double& hard, double& soft);

}  // namespace skillpipe::consolidate_reflect
