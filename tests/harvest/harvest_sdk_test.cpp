// The shared harvest machinery: lazy JSON, the streaming line reader, cursor documents,
// project scope, options, apply_patch paths.
#include <gtest/gtest.h>

#include "harvest_test_util.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/harvest.hpp"

namespace skillpipe::testing {
namespace {

using harvest::JsonView;
using harvest::LineReader;

TEST(HarvestJson, PicksFieldsAndSkipsTheRest) {
  std::string line = R"({"type":"user","big":"a \"quoted\" \\ tail","n":[1,{"x":"}"}],"message":{"content":"hi\nthere"},"ok":true})";
  JsonView v = JsonView::parse(line);
  ASSERT_TRUE(v.is_object());
  JsonView f[4];
  EXPECT_EQ(v.get({"type", "message", "ok", "absent"}, f), 3u);
  EXPECT_TRUE(f[0].str_eq("user"));
  EXPECT_EQ(f[1]["content"].str(), "hi\nthere");
  EXPECT_TRUE(f[2].as_bool());
  EXPECT_FALSE(f[3].valid());
  EXPECT_EQ(v["big"].str(), "a \"quoted\" \\ tail");
  auto it = v["n"].iter();
  JsonView e;
  int n = 0;
  while (it.next(e)) ++n;
  EXPECT_EQ(n, 2);
}

TEST(HarvestJson, TruncatedAndMalformedLinesAreInvalid) {
  EXPECT_FALSE(JsonView::parse(R"({"type":"user","message":{"content":"cut)").valid());
  EXPECT_FALSE(JsonView::parse(R"({"type":"user"} trailing)").valid());
  EXPECT_FALSE(JsonView::parse(R"({"a":[1,2})").valid());
  EXPECT_FALSE(JsonView::parse("").valid());
  EXPECT_TRUE(JsonView::parse("42").valid());
  EXPECT_FALSE(JsonView::parse("42").is_object());
  EXPECT_TRUE(JsonView::parse(" [1] ").is_array());
}

TEST(HarvestJson, DecodesEscapesSurrogatesAndRepairsBadUtf8) {
  std::int64_t repairs = 0;
  EXPECT_EQ(JsonView::parse(R"("caf\u00e9 \ud83c\udf89")").str(&repairs), "caf\xC3\xA9 \xF0\x9F\x8E\x89");
  EXPECT_EQ(repairs, 0);
  EXPECT_EQ(JsonView::parse(R"("lone \udc00 surrogate")").str(&repairs), "lone \xEF\xBF\xBD surrogate");
  EXPECT_EQ(repairs, 1);
  std::string bad = "\"bad \xFF byte\"";
  EXPECT_EQ(JsonView::parse(bad).str(&repairs), "bad \xEF\xBF\xBD byte");
  EXPECT_EQ(repairs, 2);
}

TEST(HarvestJson, Numbers) {
  EXPECT_EQ(JsonView::parse("123456789012").as_int(), 123456789012);
  EXPECT_EQ(JsonView::parse("1.5e3").as_int(), 1500);
  EXPECT_EQ(JsonView::parse("\"7\"").as_int(-1), -1);
}

std::vector<std::string> read_all(LineReader& r, std::vector<bool>* terminated = nullptr) {
  std::vector<std::string> out;
  harvest::Line l;
  while (r.next(l)) {
    out.emplace_back(l.text);
    if (terminated) terminated->push_back(l.terminated);
  }
  return out;
}

TEST(HarvestReader, LinesOffsetsAndTornTail) {
  TempDir tmp;
  write_text(tmp.file("a.jsonl"), "{\"a\":1}\r\n\n{\"b\":2}\n{\"c\":");
  LineReader r;
  std::string err;
  ASSERT_TRUE(r.open(tmp.file("a.jsonl"), false, 0, &err)) << err;
  std::vector<bool> term;
  auto lines = read_all(r, &term);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "{\"a\":1}");  // CR stripped
  EXPECT_EQ(lines[2], "{\"c\":");
  EXPECT_FALSE(term[2]);
  EXPECT_TRUE(r.torn_tail());
  EXPECT_EQ(r.end_offset(), 18);  // after "{\"b\":2}\n", before the torn tail
}

TEST(HarvestReader, AcceptedTailMovesTheOffsetToTheEnd) {
  TempDir tmp;
  write_text(tmp.file("a.jsonl"), "{\"a\":1}\n{\"b\":2}");
  LineReader r;
  ASSERT_TRUE(r.open(tmp.file("a.jsonl"), false, 0, nullptr));
  harvest::Line l;
  ASSERT_TRUE(r.next(l));
  ASSERT_TRUE(r.next(l));
  EXPECT_FALSE(l.terminated);
  r.accept_tail();
  EXPECT_FALSE(r.next(l));
  EXPECT_FALSE(r.torn_tail());
  EXPECT_EQ(r.end_offset(), 15);
}

TEST(HarvestReader, OversizeLinesAreSkippedAndCounted) {
  TempDir tmp;
  std::string big = "{\"x\":\"" + std::string(300000, 'y') + "\"}";
  write_text(tmp.file("a.jsonl"), "{\"a\":1}\n" + big + "\n{\"b\":2}\n");
  LineReader r(4096);
  ASSERT_TRUE(r.open(tmp.file("a.jsonl"), false, 0, nullptr));
  auto lines = read_all(r);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1], "{\"b\":2}");
  EXPECT_EQ(r.oversize_lines(), 1);
}

TEST(HarvestReader, LongLinesUnderTheCapSpanReadChunks) {
  TempDir tmp;
  std::string big = "{\"x\":\"" + std::string(1 << 20, 'y') + "\"}";
  write_text(tmp.file("a.jsonl"), big + "\n" + big + "\n");
  LineReader r(4 << 20);
  ASSERT_TRUE(r.open(tmp.file("a.jsonl"), false, 0, nullptr));
  auto lines = read_all(r);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1].size(), big.size());
  EXPECT_EQ(r.oversize_lines(), 0);
}

TEST(HarvestReader, ZstdFromAnOffset) {
  TempDir tmp;
  std::string text;
  for (int i = 0; i < 20000; ++i) text += "{\"i\":" + std::to_string(i) + "}\n";
  write_text(tmp.file("a.jsonl"), text);
  zstd_file(tmp.file("a.jsonl"), tmp.file("a.jsonl.zst"));
  std::int64_t off = static_cast<std::int64_t>(text.find("{\"i\":15000}"));
  LineReader r;
  ASSERT_TRUE(r.open(tmp.file("a.jsonl.zst"), true, off, nullptr));
  auto lines = read_all(r);
  ASSERT_EQ(lines.size(), 5000u);
  EXPECT_EQ(lines.front(), "{\"i\":15000}");
  EXPECT_EQ(r.end_offset(), static_cast<std::int64_t>(text.size()));
  LineReader past;
  ASSERT_TRUE(past.open(tmp.file("a.jsonl.zst"), true, static_cast<std::int64_t>(text.size()) + 10, nullptr));
  EXPECT_TRUE(past.short_of_offset());
}

// The head hash a parse takes from its own buffer is the one a separate read of the head
// computes (plain and zstd, shorter and longer than the 4 KiB it covers); a reader that
// started past the head has none.
TEST(HarvestReader, HeadHashFromTheParseBufferMatchesAHeadRead) {
  TempDir tmp;
  for (int lines : {3, 2000}) {
    std::string text;
    for (int i = 0; i < lines; ++i) text += "{\"i\":" + std::to_string(i) + "}\n";
    const std::string plain = tmp.file("h" + std::to_string(lines) + ".jsonl");
    write_text(plain, text);
    zstd_file(plain, plain + ".zst");
    for (bool zstd : {false, true}) {
      harvest::FileInfo f;
      f.path = zstd ? plain + ".zst" : plain;
      f.zstd = zstd;
      LineReader r;
      ASSERT_TRUE(r.open(f.path, zstd, 0, nullptr));
      EXPECT_EQ(r.head_hash(), "") << "nothing read yet";
      read_all(r);
      const std::string expected = harvest::head_hash(std::string_view(text).substr(0, 4096));
      EXPECT_EQ(r.head_hash(), expected) << f.path;
      EXPECT_EQ(harvest::file_head_hash(f), expected) << f.path;
      LineReader later;
      ASSERT_TRUE(later.open(f.path, zstd, 10, nullptr));
      read_all(later);
      EXPECT_EQ(later.head_hash(), "") << f.path;
    }
  }
}

TEST(HarvestReader, CorruptZstdIsAReadError) {
  TempDir tmp;
  write_text(tmp.file("a.jsonl.zst"), std::string("\x28\xb5\x2f\xfd garbage that is not zstd", 30));
  LineReader r;
  ASSERT_TRUE(r.open(tmp.file("a.jsonl.zst"), true, 0, nullptr));
  read_all(r);
  EXPECT_FALSE(r.read_error().empty());
}

TEST(HarvestReader, MissingFileIsAnError) {
  LineReader r;
  std::string err;
  EXPECT_FALSE(r.open("/nonexistent/x.jsonl", false, 0, &err));
  EXPECT_NE(err.find("cannot open"), std::string::npos);
}

TEST(HarvestCursor, RoundTripsAndDropsDamagedEntries) {
  std::map<std::string, harvest::Cursor> c;
  harvest::Cursor a;
  a.path = "/h/p/a.jsonl";
  a.dev = 2049;
  a.inode = 1234567;
  a.size = 999;
  a.mtime_ns = 1700000000123456789;
  a.offset = 900;
  a.head = "0123456789abcdef";
  a.state = {{"session_id", "s1"}, {"project", "/x \"y\""}};
  c["k1"] = a;
  auto back = harvest::cursors_from_json(harvest::cursors_to_json(c));
  ASSERT_EQ(back.size(), 1u);
  const auto& b = back.at("k1");
  EXPECT_EQ(b.path, a.path);
  EXPECT_EQ(b.inode, a.inode);
  EXPECT_EQ(b.mtime_ns, a.mtime_ns);
  EXPECT_EQ(b.offset, a.offset);
  EXPECT_EQ(b.state, a.state);
  EXPECT_TRUE(harvest::cursors_from_json("not json").empty());
  EXPECT_TRUE(harvest::cursors_from_json(R"({"files":{"k":{"path":"/p","offset":-5}}})").empty());
}

TEST(HarvestScope, InvokedMeansTheProjectItsSubAndParentDirectories) {
  harvest::Options o;
  o.scope = harvest::ProjectScope::kInvoked;
  o.projects = {"/home/me/src/app"};
  EXPECT_TRUE(o.in_scope("/home/me/src/app"));
  EXPECT_TRUE(o.in_scope("/home/me/src/app/"));
  EXPECT_TRUE(o.in_scope("/home/me/src/app/sub/dir"));
  EXPECT_TRUE(o.in_scope("/home/me/src"));
  EXPECT_TRUE(o.in_scope("/home/me"));
  EXPECT_FALSE(o.in_scope("/"));
  EXPECT_FALSE(o.in_scope("/home/me/src/application"));
  EXPECT_FALSE(o.in_scope("/home/me/src/other"));
  EXPECT_FALSE(o.in_scope(""));
  o.scope = harvest::ProjectScope::kAll;
  EXPECT_TRUE(o.in_scope("/anything"));
}

TEST(HarvestScope, CutoffUsesSinceOrLookback) {
  harvest::Options o;
  o.lookback_hours = 2;
  EXPECT_EQ(o.cutoff_ms(10 * 3600000LL), 8 * 3600000LL);
  o.lookback_hours = 0;
  EXPECT_EQ(o.cutoff_ms(10 * 3600000LL), 0);
  o.since_ms = 5;
  EXPECT_EQ(o.cutoff_ms(10 * 3600000LL), 5);
}

TEST(HarvestPatch, PathsFromApplyPatchText) {
  auto p = harvest::patch_paths(
      "*** Begin Patch\n*** Add File: a/new.txt\n+x\n*** Update File: src/main.cpp\r\n@@\n*** Move to: src/app.cpp\n"
      "*** Delete File: old.txt\n*** Update File: src/main.cpp\n*** End Patch");
  EXPECT_EQ(p, (std::vector<std::string>{"a/new.txt", "src/main.cpp", "src/app.cpp", "old.txt"}));
}

}  // namespace
}  // namespace skillpipe::testing
