// skillpipe/kit/similarity.hpp: intent tokens, Jaccard, MinHash, single-link clustering.
#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <set>

#include "skillpipe/kit/similarity.hpp"

using namespace skillpipe;

namespace {

using Tokens = std::vector<std::string>;

TEST(Similarity, IntentTokensNormalizeStemAndDropStopWords) {
  EXPECT_EQ(intent_tokens("Can you fix the flaky test?"), (Tokens{"fix", "flaky", "test"}));
  EXPECT_EQ(intent_tokens("fix flaky tests"), (Tokens{"fix", "flaky", "test"}));
  EXPECT_EQ(intent_tokens("Fixing the flaky testing"), (Tokens{"fix", "flaky", "test"}));
  EXPECT_EQ(intent_tokens("Update the changelog"), intent_tokens("updated changelog"));
  EXPECT_EQ(intent_tokens("updating changelogs"), intent_tokens("updated changelog"));
  EXPECT_EQ(intent_tokens("dependencies"), (Tokens{"dependency"}));
  EXPECT_EQ(intent_tokens("a I x 7"), Tokens{});  // single characters and stop words only
  EXPECT_EQ(intent_tokens("v2 API, v2 api!"), (Tokens{"api", "v2"}));
  // Non-ASCII words stay whole.
  EXPECT_EQ(intent_tokens("r\xC3\xA9sum\xC3\xA9 build"), (Tokens{"build", "r\xC3\xA9sum\xC3\xA9"}));
}

TEST(Similarity, JaccardOnSetsAnyOrder) {
  EXPECT_DOUBLE_EQ(jaccard({"a", "b", "c"}, {"b", "c", "d"}), 0.5);
  EXPECT_DOUBLE_EQ(jaccard({"c", "b", "a", "a"}, {"d", "c", "b"}), 0.5);
  EXPECT_DOUBLE_EQ(jaccard({}, {}), 0.0);
  EXPECT_DOUBLE_EQ(jaccard({"x"}, {}), 0.0);
  EXPECT_DOUBLE_EQ(jaccard(intent_tokens("fix the flaky test in CI"), intent_tokens("fix flaky tests")), 0.75);
}

TEST(Similarity, MinHashEstimatesJaccard) {
  Tokens a, b;
  for (int i = 0; i < 60; ++i) a.push_back("w" + std::to_string(i));
  for (int i = 20; i < 80; ++i) b.push_back("w" + std::to_string(i));
  const double truth = jaccard(a, b);  // 40 / 80 = 0.5
  EXPECT_DOUBLE_EQ(truth, 0.5);
  const double est = MinHash::of(a, 256).similarity(MinHash::of(b, 256));
  EXPECT_NEAR(est, truth, 0.12);
  EXPECT_DOUBLE_EQ(MinHash::of(a).similarity(MinHash::of(a)), 1.0);
  EXPECT_LT(MinHash::of({"p", "q"}).similarity(MinHash::of({"r", "s"})), 0.2);
  EXPECT_EQ(MinHash::of({}).similarity(MinHash::of({})), 0.0);
  EXPECT_EQ(MinHash::of(a, 64).similarity(MinHash::of(a, 32)), 0.0);  // different k: not comparable
  EXPECT_EQ(MinHash::of({"stable"}).sig, MinHash::of({"stable"}).sig);
}

TEST(Similarity, ClustersParaphrasesApartFromUnrelatedPrompts) {
  const std::vector<std::string> prompts = {
      "Fix the flaky login test in CI",        // 0
      "Update the changelog for the release",  // 1
      "fix flaky login tests in the CI pipeline",
      "Write a haiku about autumn leaves",  // 3
      "updated changelog before releasing",
      "Can you fix the flaky login test?",
  };
  EXPECT_EQ(cluster_texts(prompts, 0.5), (std::vector<std::size_t>{0, 1, 0, 3, 1, 0}));
  // A higher bar splits the weaker paraphrase off.
  EXPECT_EQ(cluster_texts(prompts, 0.9)[2], 2u);
  // threshold <= 0: everything is one cluster.
  EXPECT_EQ(cluster_texts(prompts, 0.0), std::vector<std::size_t>(prompts.size(), 0));
}

TEST(Similarity, EmptyTokenSetsJoinNothing) {
  EXPECT_EQ(cluster_by_similarity({{}, {}, {"a"}}, 0.3), (std::vector<std::size_t>{0, 1, 2}));
}

TEST(Similarity, SingleLinkIsTransitive) {
  // 0~1 (3/5), 1 vs 2 is 2/6: at 0.4 only the first two join.
  const std::vector<Tokens> sets = {{"a", "b", "c", "d"}, {"b", "c", "d", "e"}, {"d", "e", "f", "g"}};
  EXPECT_EQ(cluster_by_similarity(sets, 0.4), (std::vector<std::size_t>{0, 0, 2}));
  // 0 vs 1 is 2/6, but both are 3/5 from 2: single link joins all three.
  const std::vector<Tokens> chain = {{"a", "b", "c", "d"}, {"c", "d", "e", "f"}, {"b", "c", "d", "e"}};
  EXPECT_EQ(cluster_by_similarity(chain, 0.6), (std::vector<std::size_t>{0, 0, 0}));
}

std::vector<Tokens> random_sets(std::mt19937& rng, int count, int max_size, int vocabulary) {
  std::vector<Tokens> sets;
  for (int i = 0; i < count; ++i) {
    std::set<std::string> s;
    const int n = 1 + static_cast<int>(rng() % static_cast<unsigned>(max_size));
    for (int k = 0; k < n; ++k) s.insert("t" + std::to_string(rng() % static_cast<unsigned>(vocabulary)));
    sets.emplace_back(s.begin(), s.end());
  }
  return sets;
}

std::vector<std::size_t> brute_force(const std::vector<Tokens>& sets, double threshold) {
  std::vector<std::size_t> parent(sets.size());
  for (std::size_t i = 0; i < parent.size(); ++i) parent[i] = i;
  std::function<std::size_t(std::size_t)> find = [&](std::size_t x) { return parent[x] == x ? x : parent[x] = find(parent[x]); };
  for (std::size_t i = 0; i < sets.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (jaccard(sets[i], sets[j]) >= threshold) {
        auto a = find(i), b = find(j);
        if (a != b) parent[std::max(a, b)] = std::min(a, b);
      }
  std::vector<std::size_t> expected(sets.size());
  for (std::size_t i = 0; i < sets.size(); ++i) expected[i] = find(i);
  return expected;
}

// The prefix filter must find every pair a brute-force scan finds.
TEST(Similarity, PrefixFilteringMatchesBruteForce) {
  std::mt19937 rng(12345);
  for (double threshold : {0.2, 0.34, 0.5, 0.75, 1.0}) {
    const std::vector<Tokens> sets = random_sets(rng, 250, 7, 25);
    const auto expected = brute_force(sets, threshold);
    EXPECT_EQ(cluster_by_similarity(sets, threshold), expected) << "threshold " << threshold;
    EXPECT_EQ(cluster_by_similarity(sets, threshold, 1e18), expected) << "threshold " << threshold;
  }
}

// Beyond the exact join's budget, MinHash bands propose the pairs: never a false link (each
// banded cluster lies inside one exact cluster) and nearly every true one.
TEST(Similarity, BandedJoinNeverLinksWronglyAndRarelyMisses) {
  std::mt19937 rng(777);
  for (double threshold : {0.3, 0.5, 0.8}) {
    const std::vector<Tokens> sets = random_sets(rng, 1500, 8, 20);
    const auto exact = brute_force(sets, threshold);
    const auto banded = cluster_by_similarity(sets, threshold, 0.0);
    std::size_t placed_differently = 0;
    for (std::size_t i = 0; i < sets.size(); ++i) {
      EXPECT_EQ(exact[banded[i]], exact[i]) << "input " << i << " joined across exact clusters at " << threshold;
      placed_differently += banded[i] != exact[i];
    }
    EXPECT_LE(placed_differently, sets.size() / 50) << "threshold " << threshold;
  }
}

}  // namespace
