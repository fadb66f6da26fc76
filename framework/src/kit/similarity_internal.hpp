// similarity_internal.hpp - what the tokenizer side (similarity.cpp) and the joins
// (similarity_join.cpp) share: the token order and the hash mixer.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace skillpipe::similarity_detail {

// Above this many posting visits (a small vocabulary: every token in every prompt) the exact
// join would be quadratic; candidates then come from MinHash bands instead.
constexpr double kExactWorkBudget = 60e6;

inline std::vector<std::string> sorted_unique(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Single-link clusters of `token_sets` at Jaccard >= threshold (> 0): the exact prefix join
// when its estimated work fits `exact_work_budget`, MinHash bands otherwise. Each input's
// label is its cluster's first member.
std::vector<std::size_t> single_link(const std::vector<std::vector<std::string>>& token_sets, double threshold,
                                     double exact_work_budget);

}  // namespace skillpipe::similarity_detail
