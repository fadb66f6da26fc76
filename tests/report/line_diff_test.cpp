#include "skillpipe/kit/line_diff.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "test_support.hpp"

using namespace skillpipe;
using namespace skillpipe::testing;

namespace {

// Rebuilds both sides from the edit script.
std::pair<std::string, std::string> sides(const LineDiff& d) {
  std::string a, b;
  for (const auto& l : d.lines) {
    const std::string line = l.text + (l.has_newline ? "\n" : "");
    if (l.op != DiffOp::kInsert) a += line;
    if (l.op != DiffOp::kDelete) b += line;
  }
  return {a, b};
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < s.size()) {
    auto nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size() - 1;
    out.push_back(s.substr(start, nl - start + 1));
    start = nl + 1;
  }
  return out;
}

// Longest common subsequence length of the two texts' lines, by dynamic programming.
int lcs(const std::string& a, const std::string& b) {
  const auto x = lines_of(a), y = lines_of(b);
  std::vector<std::vector<int>> t(x.size() + 1, std::vector<int>(y.size() + 1, 0));
  for (std::size_t i = 1; i <= x.size(); ++i)
    for (std::size_t j = 1; j <= y.size(); ++j)
      t[i][j] = x[i - 1] == y[j - 1] ? t[i - 1][j - 1] + 1 : std::max(t[i - 1][j], t[i][j - 1]);
  return t[x.size()][y.size()];
}

std::string random_text(std::mt19937& rng, int max_lines) {
  std::uniform_int_distribution<int> n(0, max_lines), pick(0, 4), nl(0, 9);
  std::string s;
  const int count = n(rng);
  for (int i = 0; i < count; ++i) s += std::string(1, static_cast<char>('a' + pick(rng))) + "\n";
  if (!s.empty() && nl(rng) == 0) s.pop_back();  // sometimes no final newline
  return s;
}

}  // namespace

TEST(LineDiff, SimpleReplacementKeepsContextAndNumbers) {
  const auto d = diff_lines("# Title\nold line\nend\n", "# Title\nnew line\nend\n");
  ASSERT_EQ(d.lines.size(), 4u);
  EXPECT_EQ(d.lines[0].op, DiffOp::kEqual);
  EXPECT_EQ(d.lines[1].op, DiffOp::kDelete);  // deletion before insertion
  EXPECT_EQ(d.lines[1].text, "old line");
  EXPECT_EQ(d.lines[1].old_no, 2);
  EXPECT_EQ(d.lines[1].new_no, 0);
  EXPECT_EQ(d.lines[2].op, DiffOp::kInsert);
  EXPECT_EQ(d.lines[2].text, "new line");
  EXPECT_EQ(d.lines[2].new_no, 2);
  EXPECT_EQ(d.lines[3].old_no, 3);
  EXPECT_EQ(d.lines[3].new_no, 3);
  EXPECT_EQ(d.added, 1);
  EXPECT_EQ(d.removed, 1);
  EXPECT_FALSE(d.approximate);
}

TEST(LineDiff, EmptySidesAndEqualTexts) {
  auto d = diff_lines("", "a\nb\n");
  EXPECT_EQ(d.added, 2);
  EXPECT_EQ(d.removed, 0);
  d = diff_lines("a\nb\n", "");
  EXPECT_EQ(d.removed, 2);
  d = diff_lines("same\n", "same\n");
  EXPECT_EQ(d.added + d.removed, 0);
  EXPECT_TRUE(make_hunks(d).empty());
  EXPECT_EQ(unified_diff_text("same\n", "same\n", "a", "b"), "");
  EXPECT_TRUE(diff_lines("", "").lines.empty());
}

TEST(LineDiff, FinalNewlineChangeIsAChange) {
  const auto d = diff_lines("a\nb", "a\nb\n");
  EXPECT_EQ(d.added, 1);
  EXPECT_EQ(d.removed, 1);
  EXPECT_EQ(unified_diff_text("a\nb", "a\nb\n", "old", "new"),
            "--- old\n+++ new\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n");
}

TEST(LineDiff, MatchesGnuFormatAndMergesNearbyHunks) {
  std::string a, b;
  for (int i = 1; i <= 20; ++i) {
    a += "line " + std::to_string(i) + "\n";
    b += (i == 3 ? std::string("changed 3") : i == 8 ? std::string("changed 8") : "line " + std::to_string(i)) + "\n";
  }
  b += "appended\n";
  // 3 and 8 are 4 equal lines apart (<= 2*3): one hunk; the append at the end is another.
  const auto hunks = make_hunks(diff_lines(a, b), 3);
  ASSERT_EQ(hunks.size(), 2u);
  EXPECT_EQ(hunks[0].old_start, 1);
  EXPECT_EQ(hunks[0].old_len, 11);
  EXPECT_EQ(hunks[0].new_start, 1);
  EXPECT_EQ(hunks[0].new_len, 11);
  EXPECT_EQ(hunks[1].old_start, 18);
  EXPECT_EQ(hunks[1].old_len, 3);
  EXPECT_EQ(hunks[1].new_start, 18);
  EXPECT_EQ(hunks[1].new_len, 4);
  EXPECT_EQ(hunks[1].first, 19u);
  const std::string text = unified_diff_text(a, b, "a.md", "b.md");
  EXPECT_NE(text.find("@@ -1,11 +1,11 @@\n line 1\n line 2\n-line 3\n+changed 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("@@ -18,3 +18,4 @@\n line 18\n line 19\n line 20\n+appended\n"), std::string::npos) << text;
}

TEST(LineDiff, InsertionIntoEmptyFileHasZeroOldStart) {
  const auto text = unified_diff_text("", "x\n", "/dev/null", "b");
  EXPECT_EQ(text, "--- /dev/null\n+++ b\n@@ -0,0 +1 @@\n+x\n");
}

TEST(LineDiff, RandomTextsRoundTripWithAMinimalScript) {
  std::mt19937 rng(12345);
  for (int round = 0; round < 400; ++round) {
    const std::string a = random_text(rng, 25), b = random_text(rng, 25);
    const auto d = diff_lines(a, b);
    const auto [ra, rb] = sides(d);
    ASSERT_EQ(ra, a) << "round " << round;
    ASSERT_EQ(rb, b) << "round " << round;
    int equal = 0;
    for (const auto& l : d.lines) equal += l.op == DiffOp::kEqual;
    ASSERT_EQ(equal, lcs(a, b)) << "not minimal in round " << round << "\n" << a << "---\n" << b;
    ASSERT_FALSE(d.approximate);
  }
}

TEST(LineDiff, PatchAppliesOurUnifiedDiff) {
  if (!std::filesystem::exists("/usr/bin/patch")) GTEST_SKIP() << "/usr/bin/patch is not installed";
  std::mt19937 rng(99);
  TempDir dir;
  for (int round = 0; round < 25; ++round) {
    const std::string a = random_text(rng, 40), b = random_text(rng, 40);
    const std::string diff = unified_diff_text(a, b, "f", "f", 2);
    if (diff.empty()) continue;
    write_text(dir.file("f"), a);
    write_text(dir.file("f.diff"), diff);
    const auto r = run_program("/usr/bin/patch", {"-s", "-f", dir.file("f"), dir.file("f.diff")});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err << diff;
    ASSERT_EQ(read_text(dir.file("f")), b) << diff;
  }
}

TEST(LineDiff, HugeRewriteFallsBackToOneBlockWithoutBlowingUp) {
  std::string a, b;
  for (int i = 0; i < 3000; ++i) a += "old " + std::to_string(i) + "\n", b += "new " + std::to_string(i) + "\n";
  const auto d = diff_lines("head\n" + a + "tail\n", "head\n" + b + "tail\n", 500);
  EXPECT_TRUE(d.approximate);
  EXPECT_EQ(d.added, 3000);
  EXPECT_EQ(d.removed, 3000);
  const auto [ra, rb] = sides(d);
  EXPECT_EQ(ra, "head\n" + a + "tail\n");
  EXPECT_EQ(rb, "head\n" + b + "tail\n");
}
