// bench_cluster - how long cluster_texts() takes, and whether it links what brute force links.
//
//   bench_cluster [--sizes 10000,100000] [--check-up-to 10000] [--threshold 0.5] [--budget W]
//
// --budget W forces the exact join's work budget (0: always MinHash bands; 1e18: always exact).
//
// Two corpora of synthetic prompts (seeded, 4-12 words each):
//   small vocabulary  68 words, uniformly drawn: every prompt shares tokens with every other,
//                     the worst case for an exact prefix join (the old code took ~4 s at 10k)
//   realistic         5,000 words, Zipf-distributed, plus 20% near-repeats of earlier prompts
// For sizes up to --check-up-to, an O(n^2) brute force computes the exact single-link
// clusters and the benchmark prints how many inputs land in a different cluster.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "skillpipe/kit/similarity.hpp"

using skillpipe::cluster_texts;

namespace {

std::vector<std::string> small_vocabulary(std::size_t n, std::mt19937& rng) {
  std::vector<std::string> words;
  for (int i = 0; i < 68; ++i) words.push_back("w" + std::to_string(i) + "x");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) {
    std::string s;
    const int len = 4 + static_cast<int>(rng() % 9);
    for (int k = 0; k < len; ++k) s += words[rng() % words.size()] + " ";
    out.push_back(s);
  }
  return out;
}

std::vector<std::string> realistic(std::size_t n, std::mt19937& rng) {
  std::vector<double> weights(5000);
  for (std::size_t i = 0; i < weights.size(); ++i) weights[i] = 1.0 / static_cast<double>(i + 1);
  std::discrete_distribution<std::size_t> zipf(weights.begin(), weights.end());
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) {
    std::string s;
    if (i > 0 && rng() % 5 == 0) {  // a near-repeat: an earlier prompt with one word changed
      s = out[rng() % i] + " v" + std::to_string(zipf(rng)) + "x";
    } else {
      const int len = 4 + static_cast<int>(rng() % 9);
      for (int k = 0; k < len; ++k) s += "v" + std::to_string(zipf(rng)) + "x ";
    }
    out.push_back(s);
  }
  return out;
}

std::vector<std::size_t> brute_force(const std::vector<std::string>& texts, double t) {
  std::vector<std::vector<std::string>> sets;
  for (const auto& s : texts) sets.push_back(skillpipe::intent_tokens(s));
  std::vector<std::size_t> parent(sets.size());
  std::iota(parent.begin(), parent.end(), 0);
  std::function<std::size_t(std::size_t)> find = [&](std::size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (std::size_t i = 0; i < sets.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (!sets[i].empty() && skillpipe::jaccard(sets[i], sets[j]) + 1e-12 >= t) {
        const auto a = find(i), b = find(j);
        if (a != b) parent[std::max(a, b)] = std::min(a, b);
      }
  std::vector<std::size_t> out(sets.size());
  for (std::size_t i = 0; i < sets.size(); ++i) out[i] = find(i);
  return out;
}

double g_budget = -1;  // --budget: the exact join's work budget (-1: the library's default)

void run(const char* name, const std::vector<std::string>& texts, double t, std::size_t check_up_to) {
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::size_t> labels;
  if (g_budget < 0) {
    labels = cluster_texts(texts, t);
  } else {
    std::vector<std::vector<std::string>> sets;
    for (const auto& s : texts) sets.push_back(skillpipe::intent_tokens(s));
    labels = skillpipe::cluster_by_similarity(sets, t, g_budget);
  }
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::size_t clusters = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) clusters += labels[i] == i;
  std::uint64_t fingerprint = 1469598103934665603ULL;  // FNV-1a of the labels: a change of algorithm must keep it
  for (std::size_t l : labels) fingerprint = (fingerprint ^ l) * 1099511628211ULL;
  std::printf("%-18s n=%-7zu %9.1f ms  %zu clusters (labels %016llx)", name, texts.size(), ms, clusters,
              static_cast<unsigned long long>(fingerprint));
  if (texts.size() <= check_up_to) {
    const auto exact = brute_force(texts, t);
    std::size_t differ = 0, exact_clusters = 0;
    for (std::size_t i = 0; i < exact.size(); ++i) {
      differ += exact[i] != labels[i];
      exact_clusters += exact[i] == i;
    }
    std::printf("  brute force: %zu clusters, %zu inputs placed differently", exact_clusters, differ);
  }
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::size_t> sizes = {10000, 100000};
  std::size_t check_up_to = 10000;
  double threshold = 0.5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--sizes") {
      sizes.clear();
      for (std::size_t pos = 0; pos < value.size();) {
        const std::size_t comma = std::min(value.find(',', pos), value.size());
        sizes.push_back(std::stoul(value.substr(pos, comma - pos)));
        pos = comma + 1;
      }
    } else if (flag == "--check-up-to") {
      check_up_to = std::stoul(value);
    } else if (flag == "--budget") {
      g_budget = std::stod(value);
    } else if (flag == "--threshold") {
      threshold = std::stod(value);
    } else {
      std::fprintf(stderr, "usage: bench_cluster [--sizes 10000,100000] [--check-up-to N] [--threshold T] [--budget W]\n");
      return 2;
    }
  }
  for (std::size_t n : sizes) {
    std::mt19937 rng(1);
    run("small vocabulary", small_vocabulary(n, rng), threshold, check_up_to);
    std::mt19937 rng2(2);
    run("realistic", realistic(n, rng2), threshold, check_up_to);
  }
  return 0;
}
