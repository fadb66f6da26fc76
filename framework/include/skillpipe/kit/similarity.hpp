// kit/similarity.hpp - grouping similar intents ("fix the flaky test" ~ "fix flaky tests").
//
// Text is normalized to a set of word tokens (lower-case, punctuation stripped, stop words
// dropped, light stemming); similarity is Jaccard on those sets, estimated with MinHash when
// there are many. The miner and the offline pattern clusterer share this.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "skillpipe/abi.hpp"

namespace skillpipe {

// Sorted, unique tokens: ASCII lower-cased words of [a-z0-9] plus any non-ASCII (UTF-8)
// bytes, at least 2 characters, English stop words and politeness words ("please", "can",
// "you") dropped, light suffix stemming ("tests"/"testing" -> "test", "updated" -> "updat").
SKILLPIPE_VISIBLE std::vector<std::string> intent_tokens(std::string_view text);
// |a ∩ b| / |a ∪ b|. Inputs need not be sorted or unique. 0 when both are empty.
SKILLPIPE_VISIBLE double jaccard(const std::vector<std::string>& a, const std::vector<std::string>& b);

struct SKILLPIPE_VISIBLE MinHash {
  std::vector<std::uint64_t> sig;
  // k independent 64-bit hashes (FNV-1a + splitmix64), stable across platforms and runs.
  static MinHash of(const std::vector<std::string>& tokens, int k = 64);
  // Fraction of agreeing slots; an estimate of Jaccard. 0 if either is empty or k differs.
  double similarity(const MinHash& other) const;
};

// Greedy single-link clustering at `threshold` (exact Jaccard). Returns, for each input,
// the index of its cluster's first member. Deterministic for a given input order.
// Candidate pairs come from prefix filtering on a global token order: exact, every pair
// with Jaccard >= threshold is linked, while the filter's work stays within a budget (about
// 60M posting visits: realistic prompts into the 100k). Beyond it (a small vocabulary, where
// every prompt shares tokens with every other) candidates come from MinHash bands tuned to
// find a pair at the threshold with probability >= 98%, each checked against a bucket's
// last 32 members: near-linear, never a false link, rarely a missed one.
SKILLPIPE_VISIBLE std::vector<std::size_t> cluster_by_similarity(
    const std::vector<std::vector<std::string>>& token_sets, double threshold);
// The same with the exact join's work budget (posting visits) given: 0 always bands, a huge
// value always joins exactly. For tests and benchmarks.
SKILLPIPE_VISIBLE std::vector<std::size_t> cluster_by_similarity(
    const std::vector<std::vector<std::string>>& token_sets, double threshold, double exact_work_budget);

// Convenience: intent_tokens() on each text, then cluster_by_similarity().
SKILLPIPE_VISIBLE std::vector<std::size_t> cluster_texts(const std::vector<std::string>& texts,
                                                         double threshold);

}  // namespace skillpipe
