#include "host/ab/stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace skillpipe::host::ab {

std::uint64_t Rng::next() {
  std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::size_t Rng::below(std::size_t n) {
  return static_cast<std::size_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
}

double mean(const std::vector<double>& x) {
  if (x.empty()) return 0;
  return std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
}

namespace {

Interval percentile_interval(std::vector<double>& means, double confidence) {
  std::sort(means.begin(), means.end());
  const double alpha = 1 - confidence;
  const auto b = static_cast<double>(means.size());
  auto at = [&](double q) {
    const long idx = static_cast<long>(std::ceil(b * q - 1e-9)) - 1;
    return means[static_cast<std::size_t>(std::clamp<long>(idx, 0, static_cast<long>(means.size()) - 1))];
  };
  return {at(alpha / 2), at(1 - alpha / 2)};
}

// Resamples indexes 0..n-1 and returns the mean of value(i) over each resample.
template <class F>
Interval bootstrap(std::size_t n, int samples, double confidence, std::uint64_t seed, F value) {
  if (n == 0 || samples <= 0) return {};
  Rng rng(seed);
  std::vector<double> means(static_cast<std::size_t>(samples));
  for (auto& m : means) {
    double sum = 0;
    for (std::size_t k = 0; k < n; ++k) sum += value(rng.below(n));
    m = sum / static_cast<double>(n);
  }
  return percentile_interval(means, confidence);
}

std::vector<double> differences(const std::vector<double>& a, const std::vector<double>& b) {
  std::vector<double> d;
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) d.push_back(b[i] - a[i]);
  return d;
}

constexpr double kEps = 1e-12;

}  // namespace

Interval bootstrap_mean_ci(const std::vector<double>& x, int samples, double confidence, std::uint64_t seed) {
  return bootstrap(x.size(), samples, confidence, seed, [&](std::size_t i) { return x[i]; });
}

Interval paired_bootstrap_ci(const std::vector<double>& a, const std::vector<double>& b, int samples, double confidence,
                             std::uint64_t seed) {
  const std::vector<double> d = differences(a, b);
  return bootstrap(d.size(), samples, confidence, seed, [&](std::size_t i) { return d[i]; });
}

PairedTest sign_test(const std::vector<double>& a, const std::vector<double>& b) {
  PairedTest t;
  for (double d : differences(a, b)) {
    if (d > kEps)
      ++t.positive;
    else if (d < -kEps)
      ++t.negative;
  }
  t.n = t.positive + t.negative;
  t.statistic = std::min(t.positive, t.negative);
  if (t.n == 0) return t;
  // P(X <= m) for X ~ Binomial(n, 1/2), doubled.
  double tail = 0;
  for (int k = 0; k <= static_cast<int>(t.statistic); ++k)
    tail += std::exp(std::lgamma(t.n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(t.n - k + 1.0) - t.n * std::log(2.0));
  t.p_value = std::min(1.0, 2 * tail);
  return t;
}

PairedTest wilcoxon_signed_rank(const std::vector<double>& a, const std::vector<double>& b) {
  PairedTest t;
  std::vector<double> d;
  for (double x : differences(a, b))
    if (std::fabs(x) > kEps) d.push_back(x);
  t.n = static_cast<int>(d.size());
  if (t.n == 0) return t;
  std::vector<std::size_t> order(d.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(),
            [&](std::size_t i, std::size_t j) { return std::fabs(d[i]) < std::fabs(d[j]); });
  // Doubled average ranks are integers: (first + last) of each tied run, 1-based.
  std::vector<long> rank2(d.size());
  double tie_term = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && std::fabs(std::fabs(d[order[j + 1]]) - std::fabs(d[order[i]])) <= kEps) ++j;
    const long r2 = static_cast<long>(i + 1 + j + 1);
    for (std::size_t k = i; k <= j; ++k) rank2[order[k]] = r2;
    const double ties = static_cast<double>(j - i + 1);
    tie_term += ties * ties * ties - ties;
    i = j + 1;
  }
  long w2 = 0, total2 = 0;
  for (std::size_t i = 0; i < d.size(); ++i) {
    total2 += rank2[i];
    if (d[i] > 0) {
      w2 += rank2[i];
      ++t.positive;
    } else {
      ++t.negative;
    }
  }
  t.statistic = w2 / 2.0;
  const double n = t.n;
  if (t.n <= 60) {
    // Every sign pattern is equally likely under H0: the distribution of the doubled W+.
    std::vector<double> p(static_cast<std::size_t>(total2) + 1, 0.0);
    p[0] = 1;
    long reach = 0;
    for (long r : rank2) {
      for (long s = reach; s >= 0; --s) {
        if (p[static_cast<std::size_t>(s)] == 0) continue;
        p[static_cast<std::size_t>(s + r)] += p[static_cast<std::size_t>(s)] / 2;
        p[static_cast<std::size_t>(s)] /= 2;
      }
      reach += r;
    }
    const double centre = total2 / 2.0, dev = std::fabs(w2 - centre);
    double pv = 0;
    for (long s = 0; s <= total2; ++s)
      if (std::fabs(s - centre) >= dev - 1e-9) pv += p[static_cast<std::size_t>(s)];
    t.p_value = std::min(1.0, pv);
    t.exact = true;
    return t;
  }
  const double mu = n * (n + 1) / 4;
  const double var = n * (n + 1) * (2 * n + 1) / 24 - tie_term / 48;
  t.exact = false;
  if (var <= 0) return t;
  const double z = std::max(0.0, std::fabs(t.statistic - mu) - 0.5) / std::sqrt(var);
  t.p_value = std::min(1.0, std::erfc(z / std::sqrt(2.0)));
  return t;
}

Agreement agreement(const std::vector<double>& a, const std::vector<double>& b, double threshold) {
  Agreement g;
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    const bool pa = a[i] >= threshold, pb = b[i] >= threshold;
    if (pa && pb)
      ++g.both_pass;
    else if (pa)
      ++g.a_only;
    else if (pb)
      ++g.b_only;
    else
      ++g.both_fail;
  }
  g.n = static_cast<int>(n);
  if (n == 0) return g;
  const double N = static_cast<double>(n);
  g.percent = (g.both_pass + g.both_fail) / N;
  const double pa = (g.both_pass + g.a_only) / N, pb = (g.both_pass + g.b_only) / N;
  const double pe = pa * pb + (1 - pa) * (1 - pb);
  if (std::fabs(1 - pe) < kEps) {
    g.kappa_degenerate = true;
    g.kappa = g.percent >= 1 - kEps ? 1.0 : 0.0;
  } else {
    g.kappa = (g.percent - pe) / (1 - pe);
  }
  return g;
}

std::optional<double> pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const std::size_t n = std::min(a.size(), b.size());
  if (n < 2) return std::nullopt;
  double ma = 0, mb = 0;
  for (std::size_t i = 0; i < n; ++i) {
    ma += a[i];
    mb += b[i];
  }
  ma /= static_cast<double>(n);
  mb /= static_cast<double>(n);
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  if (saa <= kEps || sbb <= kEps) return std::nullopt;
  return sab / std::sqrt(saa * sbb);
}

std::vector<std::optional<double>> holm(const std::vector<std::optional<double>>& p) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < p.size(); ++i)
    if (p[i]) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return *p[a] < *p[b]; });
  std::vector<std::optional<double>> out(p.size());
  const double m = static_cast<double>(order.size());
  double running = 0;  // step-down: an adjusted p never falls below the one before it
  for (std::size_t k = 0; k < order.size(); ++k) {
    running = std::max(running, std::min(1.0, (m - static_cast<double>(k)) * *p[order[k]]));
    out[order[k]] = running;
  }
  return out;
}

std::string format_p(double p) {
  if (!std::isfinite(p)) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, p < 0.001 ? "%.1e" : "%.3g", p);
  return buf;
}

std::string format_p(const PairedTest& t) { return t.n == 0 ? "n/a" : format_p(t.p_value); }

}  // namespace skillpipe::host::ab
