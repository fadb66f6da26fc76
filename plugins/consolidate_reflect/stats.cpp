#include "stats.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>
#include <numeric>
#include <optional>

namespace skillpipe::consolidate_reflect {
namespace {

std::uint64_t splitmix64(std::uint64_t& s) {
  std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Linear interpolation between order statistics (R's type 7).
double quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double pos = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(pos));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  const double frac = pos - static_cast<double>(lo);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

constexpr double kTol = 1e-9;         // scores are means of small fractions; ignore float dust
constexpr std::size_t kMaxExact = 4096;  // largest per-task re-labelling count enumerated
constexpr std::size_t kMaxSupport = 200000;  // largest convolved support before Monte Carlo

using Dist = std::map<long long, double>;  // statistic (in units of kTol) -> probability

long long key_of(double v) { return std::llround(v / kTol); }

double mean_of(const std::vector<double>& v) {
  return v.empty() ? 0 : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

double binomial(std::size_t n, std::size_t k) {
  return std::exp(std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0));
}

// A task's statistic for the labelling that puts `c` (of `total`) in the candidate's nc
// samples, in units of kTol; the observed one is computed the same way.
long long task_key(double c, double total, std::size_t nc, std::size_t m) {
  return key_of(c / static_cast<double>(nc) - (total - c) / static_cast<double>(m - nc));
}

// Every way of choosing which of a task's pooled samples are the candidate's, equally likely.
std::optional<Dist> task_distribution(const PairedSamples& t) {
  std::vector<double> pooled = t.base;
  pooled.insert(pooled.end(), t.cand.begin(), t.cand.end());
  const std::size_t m = pooled.size(), nc = t.cand.size();
  if (m > 20 || binomial(m, nc) > static_cast<double>(kMaxExact)) return std::nullopt;
  const double total = std::accumulate(pooled.begin(), pooled.end(), 0.0);
  Dist d;
  double count = 0;
  for (std::uint32_t mask = 0; mask < (1u << m); ++mask) {
    if (static_cast<std::size_t>(std::popcount(mask)) != nc) continue;
    double c = 0;
    for (std::size_t i = 0; i < m; ++i)
      if (mask & (1u << i)) c += pooled[i];
    d[task_key(c, total, nc, m)] += 1;
    ++count;
  }
  for (auto& [k, p] : d) p /= count;
  return d;
}

// The observed statistic is the sum of each task's rounded key, as every labelling's is: a
// sum of rounded thirds drifts from the rounded sum (8 tasks at 1/3: 2666666664 against
// 2666666667 units), and labellings exactly as extreme as the observed one would be missed.
// Each task's key may still differ by float dust from its labelling's, so one unit per task
// is allowed: a labelling within that of the observed one counts as tied, which can only raise
// p (hard scores are small fractions, far more apart than that).
std::optional<double> exact_p(const std::vector<const PairedSamples*>& tasks) {
  Dist acc{{0, 1.0}};
  long long obs = 0;
  for (const auto* t : tasks) {
    const double c = std::accumulate(t->cand.begin(), t->cand.end(), 0.0);
    const double total = c + std::accumulate(t->base.begin(), t->base.end(), 0.0);
    obs += task_key(c, total, t->cand.size(), t->cand.size() + t->base.size());
    auto d = task_distribution(*t);
    if (!d) return std::nullopt;
    Dist next;
    for (const auto& [a, pa] : acc)
      for (const auto& [b, pb] : *d) next[a + b] += pa * pb;
    if (next.size() > kMaxSupport) return std::nullopt;
    acc = std::move(next);
  }
  double p = 0;
  for (auto it = acc.lower_bound(obs - static_cast<long long>(tasks.size())); it != acc.end(); ++it) p += it->second;
  return std::min(1.0, p);
}

double monte_carlo_p(const std::vector<const PairedSamples*>& tasks, double observed, int resamples,
                     std::uint64_t seed) {
  std::uint64_t state = seed;
  int hits = 0;
  resamples = std::max(1, resamples);
  std::vector<double> pooled;
  for (int r = 0; r < resamples; ++r) {
    double stat = 0;
    for (const auto* t : tasks) {
      pooled = t->base;
      pooled.insert(pooled.end(), t->cand.begin(), t->cand.end());
      const std::size_t m = pooled.size(), nc = t->cand.size();
      double c = 0;
      for (std::size_t i = 0; i < nc; ++i) {  // a uniform nc-subset: partial Fisher-Yates
        const std::size_t j = i + static_cast<std::size_t>(splitmix64(state) % (m - i));
        std::swap(pooled[i], pooled[j]);
        c += pooled[i];
      }
      const double total = std::accumulate(pooled.begin(), pooled.end(), 0.0);
      stat += c / static_cast<double>(nc) - (total - c) / static_cast<double>(m - nc);
    }
    if (stat >= observed - kTol) ++hits;
  }
  return (1.0 + hits) / (1.0 + resamples);
}

}  // namespace

double permutation_test_p(const std::vector<PairedSamples>& tasks, int resamples, std::uint64_t seed) {
  std::vector<const PairedSamples*> varying;
  double observed = 0;
  for (const auto& t : tasks) {
    if (t.base.empty() || t.cand.empty()) continue;
    observed += mean_of(t.cand) - mean_of(t.base);
    const auto [lo, hi] = std::minmax_element(t.base.begin(), t.base.end());
    const auto [clo, chi] = std::minmax_element(t.cand.begin(), t.cand.end());
    if (std::max(*hi, *chi) - std::min(*lo, *clo) > kTol) varying.push_back(&t);
  }
  if (varying.empty()) return 1.0;
  if (auto p = exact_p(varying)) return *p;
  return monte_carlo_p(varying, observed, resamples, seed);
}

Interval bootstrap_mean_ci(const std::vector<double>& d, double level, int resamples, std::uint64_t seed) {
  Interval out;
  if (d.empty()) return out;
  double sum = 0;
  for (double x : d) sum += x;
  out.mean = sum / static_cast<double>(d.size());
  resamples = std::max(1, resamples);
  std::vector<double> means;
  means.reserve(static_cast<std::size_t>(resamples));
  std::uint64_t state = seed;
  const std::uint64_t n = d.size();
  for (int r = 0; r < resamples; ++r) {
    double s = 0;
    for (std::uint64_t i = 0; i < n; ++i) s += d[static_cast<std::size_t>(splitmix64(state) % n)];
    means.push_back(s / static_cast<double>(n));
  }
  std::sort(means.begin(), means.end());
  const double alpha = std::clamp(1.0 - level, 0.0, 1.0);
  out.low = quantile(means, alpha / 2);
  out.high = quantile(means, 1 - alpha / 2);
  return out;
}

double sign_test_p(int positives, int negatives) {
  const int n = positives + negatives;
  if (n <= 0) return 1.0;
  double p = 0;
  for (int k = positives; k <= n; ++k) {
    const double log_c = std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0);
    p += std::exp(log_c - n * std::log(2.0));
  }
  return std::min(1.0, p);
}

}  // namespace skillpipe::consolidate_reflect
