#include "stats.hpp"

#include <algorithm>
#include <cmath>

namespace skillpipe::reflect {
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

}  // namespace

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

}  // namespace skillpipe::reflect
