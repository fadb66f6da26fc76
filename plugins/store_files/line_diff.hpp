// line_diff.hpp - a line diff (Myers' O(ND) algorithm) and its unified-diff rendering, so a
// reviewer can read exactly what a proposal changes, and `patch` can apply it.
#pragma once

#include <string>
#include <string_view>

namespace skillpipe::store_files {

struct DiffStats {
  int added = 0;
  int removed = 0;
};

// Unified diff of `before` -> `after` with `context` lines around each change, in the format
// GNU diff -u writes (including "\ No newline at end of file"). Empty when the texts are
// equal. `before_label`/`after_label` go on the ---/+++ lines ("/dev/null" for a new file).
std::string unified_diff(std::string_view before, std::string_view after, const std::string& before_label,
                         const std::string& after_label, int context = 3, DiffStats* stats = nullptr);

DiffStats diff_stats(std::string_view before, std::string_view after);

}  // namespace skillpipe::store_files
