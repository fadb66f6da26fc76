// suggest.hpp - "did you mean": the known name closest to a misspelled one, by edit distance
// (insertions, deletions, substitutions and swaps of two neighbours each count 1). Header-only
// and internal: the SDK's schema check, the host and the CLI share it.
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace skillpipe::detail {

// Optimal-string-alignment distance, case-insensitive. Three rolling rows: the swap rule looks
// two rows back, nothing further.
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
  const auto low = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::size_t> two_up(m + 1), up(m + 1), row(m + 1);
  for (std::size_t j = 0; j <= m; ++j) up[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    row[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      const std::size_t cost = low(a[i - 1]) == low(b[j - 1]) ? 0 : 1;
      row[j] = std::min({up[j] + 1, row[j - 1] + 1, up[j - 1] + cost});
      if (i > 1 && j > 1 && low(a[i - 1]) == low(b[j - 2]) && low(a[i - 2]) == low(b[j - 1]))
        row[j] = std::min(row[j], two_up[j - 2] + 1);
    }
    std::swap(two_up, up);
    std::swap(up, row);
  }
  return up[m];
}

// The known name nearest to `typed`, or "" when none is near enough to be a likely typo:
// at most a third of the typed length (at least 1, at most 3) edits away, and fewer edits than
// the typed length. Ties go to the first in `known`.
inline std::string closest_name(std::string_view typed, const std::vector<std::string>& known) {
  const std::size_t limit = std::clamp<std::size_t>(typed.size() / 3, 1, 3);
  std::string best;
  std::size_t best_d = limit + 1;
  for (const auto& k : known) {
    if (k == typed) continue;
    // The distance is at least the length difference: skipping those keeps a hostile
    // 1 MB key from costing a quadratic comparison against every known name.
    const std::size_t gap = k.size() > typed.size() ? k.size() - typed.size() : typed.size() - k.size();
    if (gap > limit) continue;
    const std::size_t dist = edit_distance(typed, k);
    if (dist >= typed.size()) continue;  // nothing of what was typed survives: 'z' is not 'x'
    if (dist < best_d) {
      best_d = dist;
      best = k;
    }
  }
  return best;
}

// "; did you mean 'name'?" or "".
inline std::string did_you_mean(std::string_view typed, const std::vector<std::string>& known) {
  const std::string c = closest_name(typed, known);
  return c.empty() ? std::string() : "; did you mean '" + c + "'?";
}

}  // namespace skillpipe::detail
