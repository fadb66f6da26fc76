#include "line_diff.hpp"

#include <algorithm>
#include <unordered_map>
#include <vector>

namespace skillpipe::store_files {
namespace {

enum class OpType { kEqual, kDelete, kInsert };
struct Op {
  OpType type;
  int a;  // index into before's lines (kEqual, kDelete)
  int b;  // index into after's lines (kEqual, kInsert)
};

// Lines keep their '\n', so "x" at the end of a file without a final newline differs from
// "x\n" - the same rule diff(1) uses.
std::vector<std::string_view> split_lines(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start < s.size()) {
    const auto nl = s.find('\n', start);
    const std::size_t end = nl == std::string_view::npos ? s.size() : nl + 1;
    out.push_back(s.substr(start, end - start));
    start = end;
  }
  return out;
}

// Beyond this many differences the trace would cost O(D^2) memory; such a rewrite is shown
// as "delete the old middle, insert the new one", which is still a correct diff.
constexpr int kMaxEditDistance = 2000;

// Myers' greedy algorithm on [0,n) x [0,m) of two id sequences; appends ops in order.
void myers(const std::vector<int>& a, int a0, int n, const std::vector<int>& b, int b0, int m, std::vector<Op>& ops) {
  const int max = n + m;
  if (max == 0) return;
  const int limit = std::min(max, kMaxEditDistance);
  std::vector<int> v(2 * static_cast<std::size_t>(limit) + 3, 0);
  const int off = limit + 1;
  std::vector<std::vector<int>> trace;  // trace[d] = V[-d..d] after step d
  int found = -1;
  for (int d = 0; d <= limit && found < 0; ++d) {
    for (int k = -d; k <= d; k += 2) {
      int x = (k == -d || (k != d && v[off + k - 1] < v[off + k + 1])) ? v[off + k + 1] : v[off + k - 1] + 1;
      int y = x - k;
      while (x < n && y < m && a[a0 + x] == b[b0 + y]) ++x, ++y;
      v[off + k] = x;
      if (x >= n && y >= m) found = d;
    }
    trace.emplace_back(v.begin() + off - d, v.begin() + off + d + 1);
  }
  if (found < 0) {
    for (int i = 0; i < n; ++i) ops.push_back({OpType::kDelete, a0 + i, b0});
    for (int j = 0; j < m; ++j) ops.push_back({OpType::kInsert, a0 + n, b0 + j});
    return;
  }
  std::vector<Op> rev;
  int x = n, y = m;
  for (int d = found; d > 0; --d) {
    const auto& prev = trace[static_cast<std::size_t>(d - 1)];  // V[-(d-1)..d-1]
    auto pv = [&](int k) { return prev[static_cast<std::size_t>(k + d - 1)]; };
    const int k = x - y;
    const int prev_k = (k == -d || (k != d && pv(k - 1) < pv(k + 1))) ? k + 1 : k - 1;
    const int prev_x = pv(prev_k);
    const int prev_y = prev_x - prev_k;
    while (x > prev_x && y > prev_y) {
      --x, --y;
      rev.push_back({OpType::kEqual, a0 + x, b0 + y});
    }
    if (x == prev_x)
      rev.push_back({OpType::kInsert, a0 + x, b0 + prev_y});
    else
      rev.push_back({OpType::kDelete, a0 + prev_x, b0 + y});
    x = prev_x, y = prev_y;
  }
  while (x > 0 && y > 0) {
    --x, --y;
    rev.push_back({OpType::kEqual, a0 + x, b0 + y});
  }
  ops.insert(ops.end(), rev.rbegin(), rev.rend());
}

std::vector<Op> diff_ops(const std::vector<std::string_view>& la, const std::vector<std::string_view>& lb) {
  // Lines become small ids so the inner loop compares ints.
  std::unordered_map<std::string_view, int> ids;
  auto id_of = [&](std::string_view s) { return ids.emplace(s, static_cast<int>(ids.size())).first->second; };
  std::vector<int> a, b;
  for (auto s : la) a.push_back(id_of(s));
  for (auto s : lb) b.push_back(id_of(s));
  const int n = static_cast<int>(a.size()), m = static_cast<int>(b.size());
  int pre = 0;
  while (pre < n && pre < m && a[pre] == b[pre]) ++pre;
  int suf = 0;
  while (suf < n - pre && suf < m - pre && a[n - 1 - suf] == b[m - 1 - suf]) ++suf;
  std::vector<Op> ops;
  for (int i = 0; i < pre; ++i) ops.push_back({OpType::kEqual, i, i});
  myers(a, pre, n - pre - suf, b, pre, m - pre - suf, ops);
  for (int i = 0; i < suf; ++i) ops.push_back({OpType::kEqual, n - suf + i, m - suf + i});
  return ops;
}

std::string range(int start, int count) {
  if (count == 1) return std::to_string(start);
  return std::to_string(start) + "," + std::to_string(count);
}

void emit_line(std::string& out, char prefix, std::string_view line) {
  out += prefix;
  if (!line.empty() && line.back() == '\n') {
    out.append(line);
  } else {
    out.append(line);
    out += "\n\\ No newline at end of file\n";
  }
}

}  // namespace

std::string unified_diff(std::string_view before, std::string_view after, const std::string& before_label,
                         const std::string& after_label, int context, DiffStats* stats) {
  const auto la = split_lines(before), lb = split_lines(after);
  const auto ops = diff_ops(la, lb);
  DiffStats st;
  std::vector<std::size_t> changes;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (ops[i].type == OpType::kDelete) ++st.removed;
    if (ops[i].type == OpType::kInsert) ++st.added;
    if (ops[i].type != OpType::kEqual) changes.push_back(i);
  }
  if (stats) *stats = st;
  if (changes.empty()) return {};
  // a_pos[i]/b_pos[i]: lines of each side consumed before op i.
  std::vector<int> a_pos(ops.size() + 1, 0), b_pos(ops.size() + 1, 0);
  for (std::size_t i = 0; i < ops.size(); ++i) {
    a_pos[i + 1] = a_pos[i] + (ops[i].type != OpType::kInsert);
    b_pos[i + 1] = b_pos[i] + (ops[i].type != OpType::kDelete);
  }
  std::string out = "--- " + before_label + "\n+++ " + after_label + "\n";
  const std::size_t ctx = static_cast<std::size_t>(std::max(context, 0));
  std::size_t c = 0;
  while (c < changes.size()) {
    // Grow the hunk while the next change is within 2*context equal lines.
    std::size_t last = c;
    while (last + 1 < changes.size() && changes[last + 1] - changes[last] <= 2 * ctx + 1) ++last;
    const std::size_t begin = changes[c] > ctx ? changes[c] - ctx : 0;
    const std::size_t end = std::min(ops.size(), changes[last] + ctx + 1);
    const int old_count = a_pos[end] - a_pos[begin];
    const int new_count = b_pos[end] - b_pos[begin];
    out += "@@ -" + range(old_count ? a_pos[begin] + 1 : a_pos[begin], old_count) + " +" +
           range(new_count ? b_pos[begin] + 1 : b_pos[begin], new_count) + " @@\n";
    for (std::size_t i = begin; i < end; ++i) {
      const Op& op = ops[i];
      if (op.type == OpType::kEqual)
        emit_line(out, ' ', la[static_cast<std::size_t>(op.a)]);
      else if (op.type == OpType::kDelete)
        emit_line(out, '-', la[static_cast<std::size_t>(op.a)]);
      else
        emit_line(out, '+', lb[static_cast<std::size_t>(op.b)]);
    }
    c = last + 1;
  }
  return out;
}

DiffStats diff_stats(std::string_view before, std::string_view after) {
  DiffStats st;
  for (const auto& op : diff_ops(split_lines(before), split_lines(after))) {
    if (op.type == OpType::kDelete) ++st.removed;
    if (op.type == OpType::kInsert) ++st.added;
  }
  return st;
}

}  // namespace skillpipe::store_files
