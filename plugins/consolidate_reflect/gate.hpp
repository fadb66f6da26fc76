// gate.hpp - the validation gate as pure functions over per-task score tables.
//
// A candidate document pair is accepted iff its mean score on the validation tasks is
// strictly better than the baseline's under the gate metric, no task got worse (per-task
// no-regression, on by default; turning it off or allowing a margin is a reported
// trade-off), the mean improvement reaches a minimum effect, and - in statistical mode, the
// default - there are enough val tasks to claim anything (min_val) and the paired
// improvement is significant at the level the night allots to this candidate (a stratified
// permutation test over the k samples per task by default; sign test or bootstrap interval
// on request). A candidate that is better and hurts nothing but is not (yet) significant is
// `promising`: the night may carry it. Every decision carries its effect size with an
// interval. The metric is hard, soft, or mixed = (1-w)*hard + w*soft; with the
// multi-objective option it is a weighted mean of that accuracy and token/latency savings
// against reference values, per task.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "skillpipe/records.hpp"
#include "stats.hpp"

namespace skillpipe::consolidate_reflect {

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
  bool no_regression = true;       // any val task worse blocks the candidate
  double regression_margin = 0;    // a task is "worse" only when it drops by more than this
  // any: every drop is a regression; consistent (a reported trade-off for stochastic targets):
  // only a drop every sample agrees on - each candidate sample below each baseline sample.
  std::string regression = "any";
  std::string mode = "statistical";  // strict | statistical
  std::string test = "permutation";  // permutation | sign | bootstrap
  int samples = 3;                 // k replays per val task, for baseline and candidate alike
  int min_val = 8;                 // fewer paired val tasks: no significance is claimed
  double confidence = 0.95;        // alpha = 1 - confidence, shared by a night's candidates
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
  std::vector<std::pair<double, double>> samples;  // (hard, soft) per sample, for the permutation test
  int failed = 0;  // samples whose replay failed (infrastructure, never scored): not in `samples`
};

struct TaskChange {
  std::string task_id;
  std::optional<double> before;
  std::optional<double> after;
  std::string status;  // improved | regressed | unchanged | missing | unscored
};

// What an edit gathered on earlier nights while it was carried: the paired per-task samples of
// each night it was tested alone. Strata of different nights are independent draws, so they
// pool into one stratified permutation test (and one effect interval) with tonight's.
struct PriorEvidence {
  std::vector<PairedSamples> strata;
  int nights = 0;  // nights those strata come from
};

struct GateDecision {
  bool accept = false;
  std::string reason;
  RejectionReason why = RejectionReason::kNone;  // the typed form of `reason` when not accepted
  double baseline = 0;  // mean gate score over the paired tasks
  double candidate = 0;
  std::vector<TaskChange> changes;  // in baseline order
  int improved = 0, regressed = 0, unchanged = 0, missing = 0;
  int n = 0;                      // paired, scored tasks
  Interval effect;                // mean per-task improvement, bootstrap interval at cfg.confidence
  double alpha = 0;               // the level this decision was held to (statistical mode)
  bool promising = false;         // better, hurts nothing, but not (yet) significant
  std::optional<Interval> ci;     // statistical mode, bootstrap test (at 1 - alpha)
  std::optional<double> p_value;  // statistical mode, permutation or sign test
  int nights = 1;                 // nights whose evidence the test and the effect pooled
  std::vector<PairedSamples> strata;  // tonight's paired samples (what a carried edit takes along)
  // "effect +0.083, 95% interval [-0.021, 0.188], n=12" (+ ", pooled over 2 nights")
  std::string effect_text(const GateConfig& cfg) const;
};

// (1-w)*hard + w*soft, or hard, or soft; w clamped to [0,1].
double accuracy_score(double hard, double soft, const GateConfig& cfg);
double task_score(const TaskResult& r, const GateConfig& cfg);
// Mean task_score over the scored tasks; nullopt when none is scored.
std::optional<double> mean_score(const std::vector<TaskResult>& results, const GateConfig& cfg);

// `alpha` < 0: 1 - cfg.confidence (a night spends its alpha over its candidates and passes
// each candidate's share here). With `prior` evidence (a carried edit), tonight's tasks must
// still all be scored and none may regress, but "better", the minimum effect, gate_min_val,
// the significance test and the effect interval are over the pooled strata.
GateDecision decide(const std::vector<TaskResult>& baseline, const std::vector<TaskResult>& candidate,
                    const GateConfig& cfg, double alpha = -1, const PriorEvidence* prior = nullptr);

// "mixed" / "hard" / "soft", or "multi" when the multi-objective score is on.
std::string metric_label(const GateConfig& cfg);
// e.g. "score = (1-0.5)*hard + 0.5*soft"
std::string score_formula(const GateConfig& cfg);

}  // namespace skillpipe::consolidate_reflect
