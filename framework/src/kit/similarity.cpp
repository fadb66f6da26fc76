// similarity.cpp - intent tokens, Jaccard, MinHash, and the clustering entry points (the
// joins themselves are in similarity_join.cpp).
#include "skillpipe/kit/similarity.hpp"

#include <algorithm>
#include <array>
#include <iterator>
#include <cmath>
#include <limits>
#include <numeric>
#include <string_view>
#include <unordered_map>

#include "similarity_internal.hpp"

namespace skillpipe {
namespace {

using similarity_detail::sorted_unique;
using similarity_detail::splitmix64;

// Function words and request politeness carry no intent; dropping them lets
// "can you fix the flaky test" match "fix flaky tests".
constexpr std::string_view kStopWords[] = {
    "a",      "about", "after", "again", "all",    "also",   "am",     "an",     "and",
    "any",    "are",   "as",    "at",    "be",     "been",   "before", "but",    "by",
    "can",    "could", "did",   "do",    "does",   "for",    "from",   "get",    "go",
    "had",    "has",   "have",  "he",    "hello",  "her",    "hey",    "hi",     "his",
    "how",    "if",    "in",    "into",  "is",     "it",     "its",    "just",   "let",
    "lets",   "me",    "might", "more",  "my",     "need",   "no",     "not",    "now",
    "of",     "ok",    "okay",  "on",    "one",    "or",     "our",    "out",    "please",
    "pls",    "plz",   "same",  "she",   "should", "so",     "some",   "thank",  "thanks",
    "that",   "the",   "their", "them",  "then",   "there",  "these",  "they",   "this",
    "those",  "to",    "up",    "us",    "want",   "was",    "we",     "were",   "what",
    "when",   "which", "will",  "with",  "would",  "you",
};

bool is_stop_word(std::string_view w) {
  return std::find(std::begin(kStopWords), std::end(kStopWords), w) != std::end(kStopWords);
}

bool is_vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

bool is_ascii_alpha(std::string_view w) {
  return std::all_of(w.begin(), w.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

// A light, Porter-like step 1: enough to merge plural/tense variants of the same verb or
// noun. Only pure ASCII words are stemmed; numbers and non-ASCII words stay as written.
std::string stem(std::string w) {
  if (!is_ascii_alpha(w)) return w;
  auto ends = [&](std::string_view suf) {
    return w.size() >= suf.size() && std::string_view(w).substr(w.size() - suf.size()) == suf;
  };
  auto cut = [&](std::size_t n) { w.resize(w.size() - n); };
  auto undouble = [&] {
    // "running" -> "runn" -> "run"; keep ll/ss/zz ("install", "pass", "buzz").
    const std::size_t n = w.size();
    if (n >= 3 && w[n - 1] == w[n - 2] && !is_vowel(w[n - 1]) && w[n - 1] != 'l' &&
        w[n - 1] != 's' && w[n - 1] != 'z')
      cut(1);
  };
  if (w.size() > 4 && ends("ies")) {
    cut(3);
    w += 'y';
  } else if (ends("sses")) {
    cut(2);
  } else if (w.size() > 4 && (ends("ches") || ends("shes") || ends("xes") || ends("zes"))) {
    cut(2);
  } else if (w.size() > 3 && ends("s") && !ends("ss") && !ends("us") && !ends("is")) {
    cut(1);
  }
  if (w.size() >= 6 && ends("ing")) {
    cut(3);
    undouble();
  } else if (w.size() >= 5 && ends("ed") && !ends("eed")) {
    cut(2);
    undouble();
  }
  // "update"/"updated"/"updating" all become "updat".
  if (w.size() >= 5 && ends("e")) cut(1);
  return w;
}
std::size_t overlap_sorted(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::size_t i = 0, j = 0, n = 0;
  while (i < a.size() && j < b.size()) {
    const int c = a[i].compare(b[j]);
    if (c == 0) {
      ++n;
      ++i;
      ++j;
    } else if (c < 0) {
      ++i;
    } else {
      ++j;
    }
  }
  return n;
}

double jaccard_sorted(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.empty() && b.empty()) return 0.0;
  const std::size_t inter = overlap_sorted(a, b);
  return static_cast<double>(inter) / static_cast<double>(a.size() + b.size() - inter);
}

std::uint64_t fnv1a64(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace

std::vector<std::string> intent_tokens(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    if (cur.size() >= 2 && !is_stop_word(cur)) {
      std::string s = stem(std::move(cur));
      if (s.size() >= 2) out.push_back(std::move(s));
    }
    cur.clear();
  };
  for (char ch : text) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c >= 'A' && c <= 'Z') {
      cur += static_cast<char>(c - 'A' + 'a');
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80) {
      cur += ch;  // non-ASCII bytes keep UTF-8 words whole
    } else {
      flush();
    }
  }
  flush();
  return sorted_unique(std::move(out));
}

double jaccard(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  const bool a_ok = std::is_sorted(a.begin(), a.end()) &&
                    std::adjacent_find(a.begin(), a.end()) == a.end();
  const bool b_ok = std::is_sorted(b.begin(), b.end()) &&
                    std::adjacent_find(b.begin(), b.end()) == b.end();
  if (a_ok && b_ok) return jaccard_sorted(a, b);
  return jaccard_sorted(a_ok ? a : sorted_unique(a), b_ok ? b : sorted_unique(b));
}

MinHash MinHash::of(const std::vector<std::string>& tokens, int k) {
  MinHash m;
  if (k <= 0 || tokens.empty()) return m;
  m.sig.assign(static_cast<std::size_t>(k), std::numeric_limits<std::uint64_t>::max());
  for (const auto& t : tokens) {
    const std::uint64_t base = fnv1a64(t);
    for (int i = 0; i < k; ++i) {
      const std::uint64_t h = splitmix64(base ^ splitmix64(static_cast<std::uint64_t>(i) + 1));
      auto& slot = m.sig[static_cast<std::size_t>(i)];
      if (h < slot) slot = h;
    }
  }
  return m;
}

double MinHash::similarity(const MinHash& other) const {
  if (sig.empty() || sig.size() != other.sig.size()) return 0.0;
  std::size_t same = 0;
  for (std::size_t i = 0; i < sig.size(); ++i) same += sig[i] == other.sig[i];
  return static_cast<double>(same) / static_cast<double>(sig.size());
}

std::vector<std::size_t> cluster_by_similarity(const std::vector<std::vector<std::string>>& token_sets,
                                               double threshold) {
  return cluster_by_similarity(token_sets, threshold, similarity_detail::kExactWorkBudget);
}

std::vector<std::size_t> cluster_by_similarity(const std::vector<std::vector<std::string>>& token_sets,
                                               double threshold, double exact_work_budget) {
  const std::size_t n = token_sets.size();
  if (n == 0) return {};
  if (!(threshold > 0.0)) {  // every pair has Jaccard >= 0 (NaN treated the same way)
    return std::vector<std::size_t>(n, 0);
  }
  return similarity_detail::single_link(token_sets, threshold, exact_work_budget);
}

std::vector<std::size_t> cluster_texts(const std::vector<std::string>& texts, double threshold) {
  std::vector<std::vector<std::string>> sets;
  sets.reserve(texts.size());
  for (const auto& t : texts) sets.push_back(intent_tokens(t));
  return cluster_by_similarity(sets, threshold);
}

}  // namespace skillpipe
