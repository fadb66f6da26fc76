// stats.hpp - the statistics behind the statistical gate: a paired bootstrap confidence
// interval of the mean per-task improvement, and an exact one-sided sign test.
// Deterministic: the bootstrap uses its own seeded generator (splitmix64), so a night's
// decision is the same on every machine.
#pragma once

#include <cstdint>
#include <vector>

namespace skillpipe::reflect {

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

}  // namespace skillpipe::reflect
