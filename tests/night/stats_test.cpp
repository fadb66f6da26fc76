// The statistics behind the statistical gate, against values computed by hand.
#include "stats.hpp"

#include <gtest/gtest.h>

namespace skillpipe::consolidate_reflect {
namespace {

TEST(NightStats, SignTestIsTheExactBinomialTail) {
  EXPECT_DOUBLE_EQ(sign_test_p(0, 0), 1.0);
  EXPECT_NEAR(sign_test_p(6, 0), 1.0 / 64, 1e-15);
  EXPECT_NEAR(sign_test_p(5, 1), 7.0 / 64, 1e-15);     // P(X>=5), n=6
  EXPECT_NEAR(sign_test_p(8, 2), 56.0 / 1024, 1e-15);  // 45+10+1 = 56
  EXPECT_NEAR(sign_test_p(0, 4), 1.0, 1e-15);
  EXPECT_LT(sign_test_p(60, 40), 0.05);
  EXPECT_GT(sign_test_p(55, 45), 0.05);
}

TEST(NightStats, BootstrapIntervalIsDeterministicAndSensible) {
  const std::vector<double> d = {0.5, 0.25, 0.0, 0.75, 0.5, 0.25, 0.5, 0.0};
  const auto a = bootstrap_mean_ci(d, 0.95, 4000, 42);
  const auto b = bootstrap_mean_ci(d, 0.95, 4000, 42);
  EXPECT_EQ(a.low, b.low);
  EXPECT_EQ(a.high, b.high);
  EXPECT_DOUBLE_EQ(a.mean, 0.34375);
  EXPECT_LT(a.low, a.mean);
  EXPECT_GT(a.high, a.mean);
  EXPECT_GT(a.low, 0.1);  // sd 0.26 over 8 tasks: the mean is clearly above zero
  EXPECT_LT(a.high, 0.6);
  const auto narrow = bootstrap_mean_ci(d, 0.5, 4000, 42);
  EXPECT_GT(narrow.low, a.low);
  EXPECT_LT(narrow.high, a.high);
  const auto mixed = bootstrap_mean_ci({1, -1, 1, -1, 0.5, -0.5}, 0.95, 4000, 7);
  EXPECT_LT(mixed.low, 0);
  EXPECT_GT(mixed.high, 0);
  const auto none = bootstrap_mean_ci({}, 0.95, 100, 1);
  EXPECT_EQ(none.low, 0);
  EXPECT_EQ(none.high, 0);
}

// Exact values by hand: a task's 2k pooled samples split k/k uniformly (C(2k,k) ways).
TEST(NightStats, PermutationTestByHand) {
  // k=1, three tasks each 0 -> 1: each flips sign with probability 1/2, p = 1/8 (the sign test).
  EXPECT_DOUBLE_EQ(permutation_test_p({{{0}, {1}}, {{0}, {1}}, {{0}, {1}}}, 1000, 1), 0.125);
  // k=2, one task 0,0 -> 1,1: only 1 of the C(4,2)=6 labellings is as extreme.
  EXPECT_NEAR(permutation_test_p({{{0, 0}, {1, 1}}}, 1000, 1), 1.0 / 6, 1e-12);
  // A task that regressed cancels one that improved: p well above 1/2.
  EXPECT_GT(permutation_test_p({{{0}, {1}}, {{1}, {0}}}, 1000, 1), 0.5);
  // Nothing varies: no evidence at all.
  EXPECT_DOUBLE_EQ(permutation_test_p({{{1}, {1}}, {{0, 0}, {0, 0}}}, 1000, 1), 1.0);
  EXPECT_DOUBLE_EQ(permutation_test_p({}, 1000, 1), 1.0);
  // k=3 with thirds, exact fractions by hand (a script over Python's Fraction): 8 tasks each
  // 0,0,1 -> 0,1,1 give p = 0.030891049140625, 5 tasks 0.087571875. Summed rounded thirds
  // once made labellings as extreme as the observed one look less extreme (p 0.018 and
  // 0.069: below the first candidate's alpha of 0.025 with 8 tasks).
  const PairedSamples third{{0, 0, 1}, {0, 1, 1}};
  EXPECT_NEAR(permutation_test_p(std::vector<PairedSamples>(8, third), 1000, 1), 0.030891049140625, 1e-12);
  EXPECT_NEAR(permutation_test_p(std::vector<PairedSamples>(5, third), 1000, 1), 0.087571875, 1e-12);
  // Too many labellings to enumerate (k=16): the seeded Monte Carlo estimate, reproducible.
  std::vector<PairedSamples> big(3, PairedSamples{std::vector<double>(16, 0.0), std::vector<double>(16, 1.0)});
  big[0].base[0] = 1;
  const double mc = permutation_test_p(big, 2000, 9);
  EXPECT_EQ(mc, permutation_test_p(big, 2000, 9));
  EXPECT_NEAR(mc, 1.0 / 2001, 1e-12);  // nothing as extreme among 2000 relabellings
}

}  // namespace
}  // namespace skillpipe::consolidate_reflect
