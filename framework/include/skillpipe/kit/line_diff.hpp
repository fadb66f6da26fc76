// kit/line_diff.hpp - a line diff (Myers' greedy O(ND) algorithm) grouped into unified-diff
// hunks: the HTML report shows it, the store writes it as a diff `patch` can apply. Lines are
// compared together with their terminator, so a change that only adds or drops the final
// newline is still a change.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace skillpipe {

enum class DiffOp { kEqual, kDelete, kInsert };

struct DiffLine {
  DiffOp op = DiffOp::kEqual;
  std::string text;         // without the trailing '\n'
  bool has_newline = true;  // false only for a last line without '\n'
  int old_no = 0;           // 1-based line number in the old text; 0 for an insert
  int new_no = 0;           // 1-based line number in the new text; 0 for a delete
};

struct DiffHunk {
  int old_start = 0;  // as in "@@ -old_start,old_len +new_start,new_len @@"
  int old_len = 0;
  int new_start = 0;
  int new_len = 0;
  std::size_t first = 0;  // index of lines[0] in LineDiff::lines
  std::vector<DiffLine> lines;
};

struct LineDiff {
  std::vector<DiffLine> lines;  // the whole edit script, old and new interleaved in order
  int added = 0;
  int removed = 0;
  bool approximate = false;  // the texts differ too much for a minimal diff within budget
};

// A minimal line edit script from `before` to `after` (ties: deletions before insertions).
// Past `max_edits` differing lines the middle is reported as one replaced block
// (approximate = true) so a rewritten 100k-line file cannot exhaust memory.
LineDiff diff_lines(std::string_view before, std::string_view after, int max_edits = 2000);

// Changed lines with `context` unchanged lines around them, merged where they touch.
std::vector<DiffHunk> make_hunks(const LineDiff& diff, int context = 3);

// GNU `diff -u` text (with "\ No newline at end of file"); empty when the texts are equal.
// `before_label` / `after_label` go on the ---/+++ lines ("/dev/null" for a new file).
std::string unified_diff_text(std::string_view before, std::string_view after, const std::string& before_label,
                              const std::string& after_label, int context = 3);
std::string unified_diff_text(const LineDiff& diff, const std::string& before_label, const std::string& after_label,
                              int context = 3);

}  // namespace skillpipe
