// gate.hpp - the validation gate as pure functions over per-task score tables.
//
// A candidate document pair is accepted iff its mean score on the validation tasks is
// strictly better than the baseline's under the gate metric, and, when enabled: no task got
// worse (per-task no-regression), the mean improvement reaches a minimum effect, and the
// paired improvement is statistically significant (bootstrap interval above zero, or a
// sign test). The metric is hard, soft, or mixed = (1-w)*hard + w*soft; with the
// multi-objective option it is a weighted mean of that accuracy and token/latency savings
// against reference values, per task.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "stats.hpp"

namespace skillpipe::reflect {

struct MultiObjective {
  bool enabled = false;
  double w_accuracy = 1.0;
  double w_tokens = 0.0;
  double w_latency = 0.0;
  double token_ref = 2000;  // tokens per task that score 0 on the token objective
  double latency_ref_ms = 15000;
};

struct GateConfig {
  std::string metric = "mixed";  // hard | soft | mixed
  double mixed_weight = 0.5;
  bool no_regression = false;
  std::string mode = "strict";     // strict | statistical
  std::string test = "bootstrap";  // bootstrap | sign
  double confidence = 0.95;
  double min_effect = 0.0;  // minimum mean improvement
  int resamples = 2000;
  std::uint64_t seed = 42;
  MultiObjective multi;
};

// One task's result under one document pair (means over samples and judges).
struct TaskResult {
  std::string task_id;
  bool scored = false;  // false: every replay failed (never a zero score)
  double hard = 0;
  double soft = 0;
  double tokens = 0;  // mean tokens per sample
  double latency_ms = 0;
};

struct TaskChange {
  std::string task_id;
  std::optional<double> before;
  std::optional<double> after;
  std::string status;  // improved | regressed | unchanged | missing | unscored
};

struct GateDecision {
  bool accept = false;
  std::string reason;
  double baseline = 0;  // mean gate score over the paired tasks
  double candidate = 0;
  std::vector<TaskChange> changes;  // in baseline order
  int improved = 0, regressed = 0, unchanged = 0, missing = 0;
  std::optional<Interval> ci;     // statistical mode, bootstrap
  std::optional<double> p_value;  // statistical mode, sign test
};

// (1-w)*hard + w*soft, or hard, or soft; w clamped to [0,1].
double accuracy_score(double hard, double soft, const GateConfig& cfg);
double task_score(const TaskResult& r, const GateConfig& cfg);
// Mean task_score over the scored tasks; nullopt when none is scored.
std::optional<double> mean_score(const std::vector<TaskResult>& results, const GateConfig& cfg);

GateDecision decide(const std::vector<TaskResult>& baseline, const std::vector<TaskResult>& candidate,
                    const GateConfig& cfg);

// "mixed" / "hard" / "soft", or "multi" when the multi-objective score is on.
std::string metric_label(const GateConfig& cfg);
// e.g. "score = (1-0.5)*hard + 0.5*soft"
std::string score_formula(const GateConfig& cfg);

}  // namespace skillpipe::reflect
