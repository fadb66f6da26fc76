// ab/stats.hpp - the statistics of an A/B experiment, as small pure functions.
//
// Bootstrap resampling uses its own generator (splitmix64) and index mapping, so a seed
// gives the same intervals on every platform and standard library.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace skillpipe::host::ab {

struct Interval {
  double lo = 0;
  double hi = 0;
  bool operator==(const Interval&) const = default;
};

// splitmix64: tiny, fast, and fully specified (unlike std::uniform_int_distribution).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();
  std::size_t below(std::size_t n);  // uniform in [0, n), via the high 64 bits of next() * n
 private:
  std::uint64_t state_;
};

double mean(const std::vector<double>& x);

// Percentile bootstrap interval of the mean: `samples` resamples of size n with
// replacement; bounds are the ceil(B*a/2)-th and ceil(B*(1-a/2))-th smallest resampled
// means (a = 1 - confidence). Empty input gives {0, 0}.
Interval bootstrap_mean_ci(const std::vector<double>& x, int samples, double confidence, std::uint64_t seed);

// Same, for the mean of paired differences b[i] - a[i] (pairs are resampled together).
Interval paired_bootstrap_ci(const std::vector<double>& a, const std::vector<double>& b, int samples, double confidence,
                             std::uint64_t seed);

struct PairedTest {
  int n = 0;             // non-zero differences
  int positive = 0;      // b > a
  int negative = 0;      // b < a
  double statistic = 0;  // sign test: min(pos, neg); Wilcoxon: W+ (sum of ranks of b > a)
  double p_value = 1;    // two-sided
  bool exact = true;     // false: normal approximation
};

// Two-sided exact binomial sign test on the non-zero differences b[i] - a[i].
PairedTest sign_test(const std::vector<double>& a, const std::vector<double>& b);

// Wilcoxon signed-rank test on b[i] - a[i]: zero differences dropped, tied |d| get average
// ranks. Exact (permutation distribution of the signs, ties included) up to 60 non-zero
// differences; above that a normal approximation with tie and continuity corrections.
PairedTest wilcoxon_signed_rank(const std::vector<double>& a, const std::vector<double>& b);

struct Agreement {
  int n = 0;
  int both_pass = 0;
  int a_only = 0;  // a passes, b fails
  int b_only = 0;
  int both_fail = 0;
  double percent = 0;             // observed agreement po, 0..1
  double kappa = 0;               // Cohen's kappa; 1 when both raters give one identical label
  bool kappa_degenerate = false;  // expected agreement was 1 (kappa is 0/0, reported as 1)
};

// Agreement on pass/fail (score >= threshold) between two raters of the same items.
Agreement agreement(const std::vector<double>& a, const std::vector<double>& b, double threshold);

// Pearson correlation; nullopt when fewer than two items or either side is constant.
std::optional<double> pearson(const std::vector<double>& a, const std::vector<double>& b);

// Holm's step-down adjustment of a family of p-values (one test over every pair of arms):
// sorted ascending, p_(i) becomes max over j <= i of min(1, (m - j + 1) p_(j)). nullopt
// entries (a test with nothing to test) are not part of the family and stay nullopt.
std::vector<std::optional<double>> holm(const std::vector<std::optional<double>>& p);

// A p-value as every A/B page prints it: "n/a" when the test had no non-zero difference,
// scientific notation below 0.001 ("4.9e-04"), else three significant digits ("0.00781").
std::string format_p(const PairedTest& t);
std::string format_p(double p);

}  // namespace skillpipe::host::ab
