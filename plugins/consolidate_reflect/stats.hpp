// stats.hpp - the statistics behind the statistical gate: a paired bootstrap confidence
// interval of the mean per-task improvement, an exact one-sided sign test, and a stratified
// (within-task) permutation test over the k samples each arm replayed per task.
// Deterministic: the bootstrap uses its own seeded generator (splitmix64), so a night's
// decision is the same on every machine.
#pragma once

#include <cstdint>
#include <vector>

namespace skillpipe::consolidate_reflect {

struct Interval {
  double mean = 0;  // mean of the deltas
  double low = 0;   // percentile interval of the bootstrap means
  double high = 0;
};

// Two-sided percentile interval at `level` (e.g. 0.95) of the mean of `deltas`, from
// `resamples` resamples with replacement. All zero for an empty input.
Interval bootstrap_mean_ci(const std::vector<double>& deltas, double level, int resamples, std::uint64_t seed);

// P(X >= positives) for X ~ Binomial(positives + negatives, 1/2): the one-sided p-value of
// "improvements outnumber regressions". Ties are dropped by the caller. 1 when n = 0.
double sign_test_p(int positives, int negatives);

// One task's per-sample gate scores under the baseline and under the candidate, replayed in
// the same night under the same conditions (k samples each).
struct PairedSamples {
  std::vector<double> base;
  std::vector<double> cand;
};

// One-sided p-value of "the candidate scores higher" by a stratified permutation test. Under
// the null (the edit changes nothing) a task's 2k sample scores are exchangeable between the
// two arms, so the statistic - the sum over tasks of (mean candidate - mean baseline) - is
// compared with its distribution over every re-labelling within each task. Exact (by
// convolving the per-task distributions) while the support stays small, else a seeded
// Monte Carlo estimate (1 + hits) / (1 + resamples). With k = 1 it is the sign test; with
// k > 1 a deterministic target (samples agree) gives far smaller p-values than a noisy one,
// which is exactly the evidence k buys. 1 when no task varies.
double permutation_test_p(const std::vector<PairedSamples>& tasks, int resamples, std::uint64_t seed);

}  // namespace skillpipe::consolidate_reflect
