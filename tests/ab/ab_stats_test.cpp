// The A/B statistics against values computed by hand (and, for the bootstrap, by an
// independent Python implementation of the same generator and percentile rule).
#include "host/ab/stats.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace skillpipe::host::ab;

TEST(AbStats, RngIsSplitmix64) {
  Rng r(0);
  EXPECT_EQ(r.next(), 0xe220a8397b1dcdafull);  // the published splitmix64 test vector
  EXPECT_EQ(r.next(), 0x6e789e6aa1b965f4ull);
  Rng small(5);
  for (int i = 0; i < 1000; ++i) EXPECT_LT(small.below(7), 7u);
}

TEST(AbStats, BootstrapMatchesTheReferenceImplementation) {
  auto ci = bootstrap_mean_ci({0.0, 0.25, 0.5, 1.0, 1.0}, 20, 0.9, 42);
  EXPECT_NEAR(ci.lo, 0.1, 1e-12);
  EXPECT_NEAR(ci.hi, 0.85, 1e-12);
  ci = bootstrap_mean_ci({1, 0, 1, 1, 0, 1, 0, 1, 1, 1}, 1000, 0.95, 7);
  EXPECT_NEAR(ci.lo, 0.4, 1e-12);
  EXPECT_NEAR(ci.hi, 1.0, 1e-12);
  const auto paired = paired_bootstrap_ci({0, 1, 0, 1, 1, 0.5}, {1, 1, 0, 0.5, 1, 1}, 50, 0.8, 3);
  EXPECT_NEAR(paired.lo, -0.5 / 6, 1e-12);
  EXPECT_NEAR(paired.hi, 2.0 / 6, 1e-12);
}

TEST(AbStats, BootstrapIsReproducibleAndDegenerateCasesAreExact) {
  const std::vector<double> x = {0.2, 0.9, 0.4, 0.4, 1.0, 0.0, 0.7};
  EXPECT_EQ(bootstrap_mean_ci(x, 500, 0.95, 11), bootstrap_mean_ci(x, 500, 0.95, 11));
  EXPECT_NE(bootstrap_mean_ci(x, 500, 0.95, 11), bootstrap_mean_ci(x, 500, 0.95, 12));
  const auto c = bootstrap_mean_ci({0.7, 0.7, 0.7}, 200, 0.95, 1);
  EXPECT_DOUBLE_EQ(c.lo, 0.7);
  EXPECT_DOUBLE_EQ(c.hi, 0.7);
  EXPECT_EQ(bootstrap_mean_ci({}, 200, 0.95, 1), (Interval{0, 0}));
  EXPECT_EQ(paired_bootstrap_ci(x, x, 200, 0.95, 1), (Interval{0, 0}));
  const auto wide = bootstrap_mean_ci(x, 2000, 0.95, 3);
  EXPECT_LT(wide.lo, mean(x));
  EXPECT_GT(wide.hi, mean(x));
}

TEST(AbStats, SignTest) {
  // d = b - a = {1, 2, 3, -4, 5, 0}: 4 positive, 1 negative, the zero dropped.
  // p = 2 * (C(5,0) + C(5,1)) / 2^5 = 12/32.
  const auto t = sign_test({0, 0, 0, 4, 0, 1}, {1, 2, 3, 0, 5, 1});
  EXPECT_EQ(t.n, 5);
  EXPECT_EQ(t.positive, 4);
  EXPECT_EQ(t.negative, 1);
  EXPECT_NEAR(t.p_value, 0.375, 1e-12);
  EXPECT_DOUBLE_EQ(sign_test({1, 2}, {1, 2}).p_value, 1.0);
  // 10 of 10 better: 2 / 1024.
  EXPECT_NEAR(sign_test(std::vector<double>(10, 0), std::vector<double>(10, 1)).p_value, 2.0 / 1024, 1e-15);
}

TEST(AbStats, WilcoxonExact) {
  // |d| = 1,2,3,4,5 -> W+ = 1+2+3+5 = 11 of 15. Subsets of {1..5} summing to >= 11: 7 of
  // 32 (their complements sum to <= 4), so two-sided p = 14/32.
  const auto t = wilcoxon_signed_rank({0, 0, 0, 4, 0}, {1, 2, 3, 0, 5});
  EXPECT_TRUE(t.exact);
  EXPECT_EQ(t.n, 5);
  EXPECT_DOUBLE_EQ(t.statistic, 11);
  EXPECT_NEAR(t.p_value, 0.4375, 1e-12);
}

TEST(AbStats, WilcoxonWithTies) {
  // d = {1, 1, -1, 2}: the three |1| share rank 2, |2| has rank 4; W+ = 2+2+4 = 8 of 10.
  // Sign patterns over ranks {2,2,2,4}: W+ in {0:1, 2:3, 4:4, 6:4, 8:3, 10:1}; |W-5| >= 3
  // for 0, 2, 8, 10: (1+3+3+1)/16.
  const auto t = wilcoxon_signed_rank({0, 0, 1, 0}, {1, 1, 0, 2});
  EXPECT_DOUBLE_EQ(t.statistic, 8);
  EXPECT_NEAR(t.p_value, 0.5, 1e-12);
}

TEST(AbStats, WilcoxonNormalApproximationForLargeSamples) {
  // 70 distinct positive differences: W+ = 2485, mu = 1242.5, sigma^2 = 70*71*141/24;
  // z = (1242.5 - 0.5) / 170.877 = 7.268 -> p ~ 3.6e-13.
  std::vector<double> a(70, 0), b;
  for (int i = 1; i <= 70; ++i) b.push_back(i);
  const auto t = wilcoxon_signed_rank(a, b);
  EXPECT_FALSE(t.exact);
  EXPECT_DOUBLE_EQ(t.statistic, 2485);
  const double z = (1242.5 - 0.5) / std::sqrt(70.0 * 71 * 141 / 24);
  EXPECT_NEAR(t.p_value, std::erfc(z / std::sqrt(2.0)), 1e-20);
  EXPECT_LT(t.p_value, 1e-11);
}

TEST(AbStats, CohensKappa) {
  // The textbook table: both yes 20, only A 5, only B 10, both no 15 (n = 50).
  // po = 35/50 = 0.7; pA = 0.5, pB = 0.6; pe = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = 0.2/0.5.
  std::vector<double> a, b;
  auto add = [&](int n, double x, double y) {
    for (int i = 0; i < n; ++i) {
      a.push_back(x);
      b.push_back(y);
    }
  };
  add(20, 1, 1);
  add(5, 1, 0);
  add(10, 0, 1);
  add(15, 0, 0);
  const auto g = agreement(a, b, 0.5);
  EXPECT_EQ(g.n, 50);
  EXPECT_EQ(g.both_pass, 20);
  EXPECT_EQ(g.a_only, 5);
  EXPECT_EQ(g.b_only, 10);
  EXPECT_EQ(g.both_fail, 15);
  EXPECT_NEAR(g.percent, 0.7, 1e-12);
  EXPECT_NEAR(g.kappa, 0.4, 1e-12);
  EXPECT_FALSE(g.kappa_degenerate);
}

TEST(AbStats, KappaEdgeCases) {
  // Threshold: 0.5 passes, 0.49 fails.
  auto g = agreement({0.5, 0.49}, {0.9, 0.1}, 0.5);
  EXPECT_DOUBLE_EQ(g.percent, 1.0);
  EXPECT_DOUBLE_EQ(g.kappa, 1.0);
  // Everyone passes on both sides: kappa is 0/0, reported as perfect agreement.
  g = agreement({1, 1, 1}, {1, 1, 1}, 0.5);
  EXPECT_TRUE(g.kappa_degenerate);
  EXPECT_DOUBLE_EQ(g.kappa, 1.0);
  // Complete disagreement with balanced marginals: kappa = -1.
  g = agreement({1, 0}, {0, 1}, 0.5);
  EXPECT_DOUBLE_EQ(g.percent, 0.0);
  EXPECT_NEAR(g.kappa, -1.0, 1e-12);
  EXPECT_EQ(agreement({}, {}, 0.5).n, 0);
}

TEST(AbStats, Pearson) {
  // x = 1..5, y = {2,4,5,4,5}: sum dxdy = 6, sum dx^2 = 10, sum dy^2 = 6; r = 6/sqrt(60).
  auto r = pearson({1, 2, 3, 4, 5}, {2, 4, 5, 4, 5});
  ASSERT_TRUE(r);
  EXPECT_NEAR(*r, 6 / std::sqrt(60.0), 1e-12);
  EXPECT_NEAR(*pearson({1, 2, 3}, {3, 2, 1}), -1.0, 1e-12);
  EXPECT_FALSE(pearson({1, 1, 1}, {1, 2, 3}));  // a constant side
  EXPECT_FALSE(pearson({1}, {1}));
}
