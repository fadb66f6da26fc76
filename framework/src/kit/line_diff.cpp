#include "skillpipe/kit/line_diff.hpp"

#include <algorithm>
#include <unordered_map>

namespace skillpipe {
namespace {

struct Line {
  std::string_view text;
  bool has_newline = true;
};

std::vector<Line> split_lines(std::string_view s) {
  std::vector<Line> out;
  std::size_t start = 0;
  while (start < s.size()) {
    const auto nl = s.find('\n', start);
    if (nl == std::string_view::npos) {
      out.push_back({s.substr(start), false});
      break;
    }
    out.push_back({s.substr(start, nl - start), true});
    start = nl + 1;
  }
  return out;
}

// Myers' greedy forward search over a[lo_a..hi_a) and b[lo_b..hi_b) (ids, not text), then a
// backtrack through the saved frontiers. Appends the edit script for that middle part.
// Returns false when more than `max_d` edits would be needed.
bool myers(const std::vector<int>& a, const std::vector<int>& b, int max_d, std::vector<DiffOp>& script) {
  const int n = static_cast<int>(a.size());
  const int m = static_cast<int>(b.size());
  const int limit = std::min(n + m, max_d);
  const int off = limit + 1;
  std::vector<int> v(2 * static_cast<std::size_t>(limit) + 3, 0);
  std::vector<std::vector<int>> trace;  // trace[d][k + d] = furthest x on diagonal k after step d
  int found = -1;
  for (int d = 0; d <= limit && found < 0; ++d) {
    for (int k = -d; k <= d; k += 2) {
      int x = (k == -d || (k != d && v[k - 1 + off] < v[k + 1 + off])) ? v[k + 1 + off] : v[k - 1 + off] + 1;
      int y = x - k;
      while (x < n && y < m && a[x] == b[y]) ++x, ++y;
      v[k + off] = x;
      if (x >= n && y >= m) found = d;
    }
    trace.emplace_back(v.begin() + (off - d), v.begin() + (off + d + 1));
  }
  if (found < 0) return false;

  std::vector<DiffOp> rev;
  int x = n, y = m;
  for (int d = found; d > 0; --d) {
    const auto& prev = trace[d - 1];  // diagonals -(d-1)..(d-1)
    auto at = [&](int k) { return prev[k + d - 1]; };
    const int k = x - y;
    const bool down = k == -d || (k != d && at(k - 1) < at(k + 1));
    const int pk = down ? k + 1 : k - 1;
    const int px = at(pk);
    const int py = px - pk;
    while (x > px + (down ? 0 : 1) && y > py + (down ? 1 : 0)) rev.push_back(DiffOp::kEqual), --x, --y;
    rev.push_back(down ? DiffOp::kInsert : DiffOp::kDelete);
    x = px;
    y = py;
  }
  while (x > 0 && y > 0) rev.push_back(DiffOp::kEqual), --x, --y;
  script.insert(script.end(), rev.rbegin(), rev.rend());
  return true;
}

}  // namespace

LineDiff diff_lines(std::string_view before, std::string_view after, int max_edits) {
  const auto a = split_lines(before);
  const auto b = split_lines(after);
  // Intern lines (text + terminator) so the search compares ints.
  std::unordered_map<std::string, int> ids;
  auto id_of = [&](const Line& l) {
    std::string key(l.text);
    if (l.has_newline) key += '\n';
    return ids.emplace(std::move(key), static_cast<int>(ids.size())).first->second;
  };
  std::vector<int> ia, ib;
  for (const auto& l : a) ia.push_back(id_of(l));
  for (const auto& l : b) ib.push_back(id_of(l));

  std::size_t pre = 0;
  while (pre < ia.size() && pre < ib.size() && ia[pre] == ib[pre]) ++pre;
  std::size_t suf = 0;
  while (suf < ia.size() - pre && suf < ib.size() - pre && ia[ia.size() - 1 - suf] == ib[ib.size() - 1 - suf]) ++suf;

  LineDiff out;
  std::vector<DiffOp> script(pre, DiffOp::kEqual);
  const std::vector<int> ma(ia.begin() + static_cast<long>(pre), ia.end() - static_cast<long>(suf));
  const std::vector<int> mb(ib.begin() + static_cast<long>(pre), ib.end() - static_cast<long>(suf));
  if (!myers(ma, mb, max_edits, script)) {
    out.approximate = true;
    script.insert(script.end(), ma.size(), DiffOp::kDelete);
    script.insert(script.end(), mb.size(), DiffOp::kInsert);
  }
  script.insert(script.end(), suf, DiffOp::kEqual);

  // Within each block of changes, deletions first (what GNU diff prints).
  for (std::size_t i = 0; i < script.size();) {
    if (script[i] == DiffOp::kEqual) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < script.size() && script[j] != DiffOp::kEqual) ++j;
    std::stable_partition(script.begin() + static_cast<long>(i), script.begin() + static_cast<long>(j),
                          [](DiffOp op) { return op == DiffOp::kDelete; });
    i = j;
  }

  std::size_t x = 0, y = 0;
  for (DiffOp op : script) {
    DiffLine l;
    l.op = op;
    if (op == DiffOp::kInsert) {
      l.text = std::string(b[y].text);
      l.has_newline = b[y].has_newline;
      l.new_no = static_cast<int>(++y);
      ++out.added;
    } else {
      l.text = std::string(a[x].text);
      l.has_newline = a[x].has_newline;
      l.old_no = static_cast<int>(++x);
      if (op == DiffOp::kEqual)
        l.new_no = static_cast<int>(++y);
      else
        ++out.removed;
    }
    out.lines.push_back(std::move(l));
  }
  return out;
}

std::vector<DiffHunk> make_hunks(const LineDiff& diff, int context) {
  std::vector<DiffHunk> hunks;
  const auto& L = diff.lines;
  const long n = static_cast<long>(L.size());
  const long ctx = std::max(0, context);
  long i = 0;
  int old_before = 0, new_before = 0;  // lines of each side before index i
  long counted = 0;
  auto count_to = [&](long idx) {
    for (; counted < idx; ++counted) {
      if (L[counted].op != DiffOp::kInsert) ++old_before;
      if (L[counted].op != DiffOp::kDelete) ++new_before;
    }
  };
  while (i < n) {
    if (L[i].op == DiffOp::kEqual) {
      ++i;
      continue;
    }
    // Extend while the next change is within 2*context equal lines.
    long last = i;
    long j = i + 1;
    while (j < n) {
      if (L[j].op != DiffOp::kEqual) {
        last = j++;
        continue;
      }
      long k = j;
      while (k < n && L[k].op == DiffOp::kEqual) ++k;
      if (k < n && k - j <= 2 * ctx) {
        j = k;
        continue;
      }
      break;
    }
    const long start = std::max(0L, i - ctx);
    const long end = std::min(n, last + ctx + 1);
    count_to(start);
    DiffHunk h;
    h.first = static_cast<std::size_t>(start);
    for (long k = start; k < end; ++k) {
      h.lines.push_back(L[k]);
      if (L[k].op != DiffOp::kInsert) ++h.old_len;
      if (L[k].op != DiffOp::kDelete) ++h.new_len;
    }
    h.old_start = h.old_len ? old_before + 1 : old_before;
    h.new_start = h.new_len ? new_before + 1 : new_before;
    hunks.push_back(std::move(h));
    i = end;
  }
  return hunks;
}

std::string unified_diff_text(std::string_view before, std::string_view after, const std::string& before_label,
                              const std::string& after_label, int context) {
  return unified_diff_text(diff_lines(before, after), before_label, after_label, context);
}

std::string unified_diff_text(const LineDiff& d, const std::string& before_label, const std::string& after_label,
                              int context) {
  if (d.added == 0 && d.removed == 0) return {};
  std::string out = "--- " + before_label + "\n+++ " + after_label + "\n";
  auto range = [](int start, int len) {
    return len == 1 ? std::to_string(start) : std::to_string(start) + "," + std::to_string(len);
  };
  for (const auto& h : make_hunks(d, context)) {
    out += "@@ -" + range(h.old_start, h.old_len) + " +" + range(h.new_start, h.new_len) + " @@\n";
    for (const auto& l : h.lines) {
      out += l.op == DiffOp::kEqual ? ' ' : (l.op == DiffOp::kDelete ? '-' : '+');
      out += l.text;
      out += '\n';
      if (!l.has_newline) out += "\\ No newline at end of file\n";
    }
  }
  return out;
}

}  // namespace skillpipe
