// similarity_join.cpp - single-link clustering by Jaccard similarity: an exact prefix join
// over tokens ordered rarest first, or MinHash bands when the exact join would be quadratic
// (a small vocabulary, where every prompt shares words with every other).
#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <limits>
#include <numeric>
#include <string_view>
#include <unordered_map>

#include "similarity_internal.hpp"

namespace skillpipe::similarity_detail {
namespace {

struct DisjointSets {
  std::vector<std::size_t> parent;
  explicit DisjointSets(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  std::size_t find(std::size_t x) {
    while (parent[x] != x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  }
  // The smaller index becomes the root, so each root is its cluster's first member.
  void unite(std::size_t a, std::size_t b) {
    a = find(a);
    b = find(b);
    if (a == b) return;
    if (b < a) std::swap(a, b);
    parent[b] = a;
  }
};

// Token sets as sorted ids, the rarest token first; identical sets joined up front.
struct Prepared {
  std::vector<std::vector<std::uint32_t>> ids;  // per input, ascending (rarest first)
  std::vector<std::size_t> distinct;            // first input of each distinct non-empty set,
                                                // smallest sets first
  std::size_t vocab = 0;                        // ids are 0 .. vocab-1
  // Per input: bit (id mod 256) set for each token, and whether two tokens share a bit.
  // Without a shared bit in x, |x ∩ y| <= popcount(mask x & mask y): a cheap exact filter
  // (and exact counting for vocabularies up to 256 words, where verification costs most).
  std::vector<std::array<std::uint64_t, 4>> mask;
  std::vector<bool> mask_collides;
};

std::size_t mask_overlap(const std::array<std::uint64_t, 4>& a, const std::array<std::uint64_t, 4>& b) {
  std::size_t n = 0;
  for (std::size_t w = 0; w < 4; ++w) n += static_cast<std::size_t>(__builtin_popcountll(a[w] & b[w]));
  return n;
}

Prepared prepare(const std::vector<std::vector<std::string>>& token_sets, DisjointSets& ds) {
  const std::size_t n = token_sets.size();
  std::vector<std::vector<std::string>> sets;
  sets.reserve(n);
  for (const auto& s : token_sets) sets.push_back(sorted_unique(s));
  // Identical sets join at once (prompts repeat: "fix the tests"); only distinct ones are
  // compared.
  Prepared p;
  std::unordered_map<std::string, std::size_t> first_of;
  for (std::size_t i = 0; i < n; ++i) {
    if (sets[i].empty()) continue;  // an empty set is similar to nothing
    std::string key;
    for (const auto& t : sets[i]) (key += t) += '\x1f';
    auto [it, inserted] = first_of.emplace(std::move(key), i);
    if (inserted) p.distinct.push_back(i);
    else ds.unite(i, it->second);
  }
  // Global order: rarest tokens first (ties by text), so prefixes are short and selective.
  std::unordered_map<std::string_view, std::uint32_t> freq;
  for (auto i : p.distinct)
    for (const auto& t : sets[i]) ++freq[t];
  std::vector<std::string_view> vocab;
  vocab.reserve(freq.size());
  for (const auto& [t, f] : freq) vocab.push_back(t);
  std::sort(vocab.begin(), vocab.end(), [&](std::string_view a, std::string_view b) {
    const auto fa = freq[a], fb = freq[b];
    return fa != fb ? fa < fb : a < b;
  });
  std::unordered_map<std::string_view, std::uint32_t> rank;
  for (std::uint32_t i = 0; i < vocab.size(); ++i) rank[vocab[i]] = i;
  p.vocab = vocab.size();
  p.ids.resize(n);
  p.mask.assign(n, {});
  p.mask_collides.assign(n, false);
  for (auto i : p.distinct) {
    for (const auto& t : sets[i]) {
      const std::uint32_t id = rank[t];
      p.ids[i].push_back(id);
      auto& word = p.mask[i][(id >> 6) & 3];
      const std::uint64_t bit = std::uint64_t{1} << (id & 63);
      if (word & bit) p.mask_collides[i] = true;
      word |= bit;
    }
    std::sort(p.ids[i].begin(), p.ids[i].end());
  }
  // Smallest sets first, so each token's list grows in size order and sets too small to
  // reach the threshold (|y| < t * |x|) can be skipped for good from the front.
  std::stable_sort(p.distinct.begin(), p.distinct.end(),
                   [&](std::size_t a, std::size_t b) { return p.ids[a].size() < p.ids[b].size(); });
  return p;
}

double jaccard_ids(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
  std::size_t i = 0, j = 0, inter = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] == b[j]) {
      ++inter;
      ++i;
      ++j;
    } else if (a[i] < b[j]) {
      ++i;
    } else {
      ++j;
    }
  }
  return static_cast<double>(inter) / static_cast<double>(a.size() + b.size() - inter);
}

// False only when the masks prove |x ∩ y| is below what Jaccard t needs.
bool may_reach(const Prepared& p, std::size_t i, std::size_t j, double t) {
  if (p.mask_collides[i]) return true;
  const double total = static_cast<double>(p.ids[i].size() + p.ids[j].size());
  const double most = static_cast<double>(mask_overlap(p.mask[i], p.mask[j]));
  return most + 1e-9 >= t / (1.0 + t) * total;  // J = o / (|x| + |y| - o) >= t  <=>  o >= t/(1+t) (|x| + |y|)
}

std::size_t ceil_at_least_1(double x) { return std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(x - 1e-9))); }

// Prefix lengths for a set of size sx: probing needs the first sx - ceil(t*sx) + 1 tokens;
// later probes come from sets at least as large, which need an overlap of at least
// 2t/(1+t) * |x| with x, so a shorter prefix of x is enough in the index.
std::size_t probe_prefix(std::size_t sx, double t) { return sx - std::min(sx, ceil_at_least_1(t * static_cast<double>(sx))) + 1; }
std::size_t index_prefix(std::size_t sx, double t) {
  return sx - std::min(sx, ceil_at_least_1(2.0 * t / (1.0 + t) * static_cast<double>(sx))) + 1;
}


// Posting visits prefix_join() would make, at most (size filtering only lowers it).
double prefix_join_work(const Prepared& p, double t) {
  std::vector<std::pair<double, double>> per_token(p.vocab);  // (probes, postings)
  for (auto i : p.distinct) {
    const auto& s = p.ids[i];
    const std::size_t pp = std::min(probe_prefix(s.size(), t), s.size()), ip = index_prefix(s.size(), t);
    for (std::size_t k = 0; k < pp; ++k) {
      auto& c = per_token[s[k]];
      c.first += 1;
      if (k < ip) c.second += 1;
    }
  }
  double work = 0;
  for (const auto& c : per_token) work += c.first * c.second / 2;
  return work;
}

// Exact: prefix filtering (AllPairs/PPJoin). If J(x,y) >= t then |x ∩ y| >= ceil(t * max(|x|,|y|)),
// so the first |x| - ceil(t*|x|) + 1 tokens of x (in global order) share a token with y's
// prefix. Overlap is counted per candidate while probing; the positional filter drops a
// candidate as soon as the tokens left on either side cannot reach the overlap that
// Jaccard t needs, ceil(t / (1 + t) * (|x| + |y|)). Survivors are verified exactly, unless
// single link already joined them.
void prefix_join(const Prepared& p, double t, DisjointSets& ds) {
  struct Posting {
    std::size_t record;
    std::uint32_t pos;  // the token's position in that record's global order
  };
  std::vector<std::vector<Posting>> index(p.vocab);
  std::vector<std::size_t> list_start(p.vocab, 0);
  std::vector<int> overlap(p.ids.size(), 0);  // -1: pruned for the current probe
  std::vector<std::size_t> touched;
  for (std::size_t i : p.distinct) {
    const auto& x = p.ids[i];
    const std::size_t sx = x.size(), prefix = probe_prefix(sx, t), iprefix = index_prefix(sx, t);
    const double min_size = t * static_cast<double>(sx) - 1e-9;
    for (std::size_t pos = 0; pos < prefix && pos < sx; ++pos) {
      auto& list = index[x[pos]];
      auto& from = list_start[x[pos]];
      while (from < list.size() && static_cast<double>(p.ids[list[from].record].size()) < min_size) ++from;
      for (std::size_t k = from; k < list.size(); ++k) {
        const auto [j, q] = list[k];
        int& acc = overlap[j];
        if (acc < 0) continue;
        const std::size_t sy = p.ids[j].size();
        const auto alpha = static_cast<int>(std::ceil(t / (1.0 + t) * static_cast<double>(sx + sy) - 1e-9));
        const auto bound = static_cast<int>(1 + std::min(sx - pos - 1, sy - q - 1));
        if (acc == 0) touched.push_back(j);
        if (acc + bound >= alpha) ++acc;
        else acc = -1;
      }
      if (pos < iprefix) list.push_back({i, static_cast<std::uint32_t>(pos)});
    }
    for (std::size_t j : touched) {
      if (overlap[j] > 0 && ds.find(i) != ds.find(j) && may_reach(p, i, j, t) && jaccard_ids(x, p.ids[j]) + 1e-12 >= t)
        ds.unite(i, j);
      overlap[j] = 0;
    }
    touched.clear();
  }
}

// Bands of MinHash rows for threshold t: the most rows per band (at most 4) for which at
// most 64 bands find a pair at Jaccard t with probability >= 98%.
std::pair<int, int> bands_for(double t) {
  for (int rows = 4; rows > 1; --rows) {
    const double hit = std::pow(t, rows);
    const int bands = hit >= 1.0 ? 1 : static_cast<int>(std::ceil(std::log(0.02) / std::log(1.0 - hit)));
    if (bands <= 64) return {rows, bands};
  }
  const int bands = t >= 1.0 ? 1 : static_cast<int>(std::ceil(std::log(0.02) / std::log(1.0 - t)));
  return {1, std::min(bands, 64)};
}

// The distinct sets' tokens, hashed once, stored contiguously in `distinct` order: each band
// walks them all, and 100k separately allocated sets cost a cache miss each per band.
struct TokenHashes {
  std::vector<std::uint64_t> hash;
  std::vector<std::size_t> start;  // set k's hashes are [start[k], start[k + 1])
  explicit TokenHashes(const Prepared& p) {
    start.reserve(p.distinct.size() + 1);
    for (std::size_t i : p.distinct) {
      start.push_back(hash.size());
      for (std::uint32_t tok : p.ids[i]) hash.push_back(splitmix64(tok));
    }
    start.push_back(hash.size());
  }
};

// Set k's MinHash rows of band b, hashed into the band's bucket key.
std::uint64_t band_key(const TokenHashes& h, std::size_t k, int b, int rows) {
  std::array<std::uint64_t, 4> sig;  // bands_for() gives at most 4 rows
  sig.fill(std::numeric_limits<std::uint64_t>::max());
  std::array<std::uint64_t, 4> salt{};
  for (int r = 0; r < rows; ++r) salt[static_cast<std::size_t>(r)] = static_cast<std::uint64_t>(b * rows + r) * 0x9e3779b97f4a7c15ULL;
  for (std::size_t t = h.start[k]; t < h.start[k + 1]; ++t)
    for (std::size_t r = 0; r < static_cast<std::size_t>(rows); ++r) sig[r] = std::min(sig[r], splitmix64(h.hash[t] ^ salt[r]));
  std::uint64_t key = splitmix64(static_cast<std::uint64_t>(b) + 1);
  for (std::size_t r = 0; r < static_cast<std::size_t>(rows); ++r) key = splitmix64(key ^ sig[r]);
  return key;
}

// One band's buckets without an allocation per bucket: an open-addressing table from key to
// the bucket's newest member, and per member a link to the one before it in its bucket.
class BandBuckets {
 public:
  explicit BandBuckets(std::size_t members) : prev_(members) {
    std::size_t cap = 16;
    while (cap < 2 * members) cap <<= 1;
    slots_.resize(cap);
  }
  void clear() { std::fill(slots_.begin(), slots_.end(), Slot{}); }
  // The table outgrows the cache from about 100k members: asking for a key's slot ahead of
  // add() hides most of the miss.
  void prefetch(std::uint64_t key) const { __builtin_prefetch(&slots_[key & (slots_.size() - 1)]); }
  // Adds member `pos` to `key`'s bucket; returns the bucket's previous newest member + 1 (0: none).
  std::uint32_t add(std::uint64_t key, std::uint32_t pos) {
    std::size_t at = key & (slots_.size() - 1);
    while (slots_[at].newest && slots_[at].key != key) at = (at + 1) & (slots_.size() - 1);
    Slot& s = slots_[at];
    s.key = key;
    prev_[pos] = s.newest;
    s.newest = pos + 1;
    return prev_[pos];
  }
  std::uint32_t before(std::uint32_t member_plus_1) const { return prev_[member_plus_1 - 1]; }

 private:
  struct Slot {
    std::uint64_t key = 0;
    std::uint32_t newest = 0;  // member + 1; 0 = empty
  };
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> prev_;  // member + 1 of the one added before it; 0 = none
};

// Near-linear, for inputs the exact join cannot afford: sets whose MinHash signatures agree
// on a whole band share a bucket; a new member is verified (exact Jaccard) against the last
// kBucketSpan members of each of its buckets that single link has not joined to it yet.
// Bands are walked one after the other: the pairs verified, so the clusters, are the same in
// any order, and one band's table is all the memory the join needs.
void banded_join(const Prepared& p, double t, DisjointSets& ds) {
  constexpr std::size_t kBucketSpan = 32;
  const auto [rows, bands] = bands_for(t);
  constexpr std::size_t kAhead = 8;  // slots prefetched ahead of use
  const TokenHashes hashes(p);
  const std::size_t n = p.distinct.size();
  BandBuckets buckets(n);
  std::vector<std::uint64_t> keys(n);
  for (int b = 0; b < bands; ++b) {
    buckets.clear();
    for (std::size_t pos = 0; pos < n; ++pos) keys[pos] = band_key(hashes, pos, b, rows);
    for (std::size_t pos = 0; pos < n; ++pos) {
      if (pos + kAhead < n) buckets.prefetch(keys[pos + kAhead]);
      const std::size_t i = p.distinct[pos];
      std::uint32_t m = buckets.add(keys[pos], static_cast<std::uint32_t>(pos));
      for (std::size_t k = 0; k < kBucketSpan && m; ++k, m = buckets.before(m)) {
        const std::size_t j = p.distinct[m - 1];
        if (ds.find(i) != ds.find(j) && may_reach(p, i, j, t) && jaccard_ids(p.ids[i], p.ids[j]) + 1e-12 >= t)
          ds.unite(i, j);
      }
    }
  }
}

}  // namespace

std::vector<std::size_t> single_link(const std::vector<std::vector<std::string>>& token_sets, double threshold,
                                     double exact_work_budget) {
  const std::size_t n = token_sets.size();
  DisjointSets ds(n);
  Prepared p = prepare(token_sets, ds);
  if (prefix_join_work(p, threshold) <= exact_work_budget) prefix_join(p, threshold, ds);
  else banded_join(p, threshold, ds);
  std::vector<std::size_t> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = ds.find(i);
  return out;
}

}  // namespace skillpipe::similarity_detail
