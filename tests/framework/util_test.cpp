#include <gtest/gtest.h>
#include <stdlib.h>

#include "sdk/suggest.hpp"
#include "skillpipe/kit/util.hpp"
#include "test_support.hpp"

using namespace skillpipe;

TEST(Util, Iso8601ParsesOffsetsAndFractionsAsRealTimes) {
  auto a = parse_iso8601_ms("2026-01-02T03:04:05Z");
  auto b = parse_iso8601_ms("2026-01-02T04:04:05.000+01:00");
  auto c = parse_iso8601_ms("2026-01-02T03:04:05.250Z");
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(*c - *a, 250);
  EXPECT_EQ(format_iso8601_s(*a), "2026-01-02T03:04:05Z");
  EXPECT_EQ(format_iso8601(*c), "2026-01-02T03:04:05.250Z");
  EXPECT_EQ(*parse_iso8601_ms("1970-01-01T00:00:00Z"), 0);
  EXPECT_FALSE(parse_iso8601_ms("2026-13-01T00:00:00Z"));
  EXPECT_FALSE(parse_iso8601_ms("yesterday"));
}

TEST(Util, NowHonoursSkillpipeNow) {
  setenv("SKILLPIPE_NOW", "2030-05-06T07:08:09Z", 1);
  EXPECT_EQ(format_iso8601_s(now_ms()), "2030-05-06T07:08:09Z");
  unsetenv("SKILLPIPE_NOW");
}

TEST(Util, ExpandPath) {
  setenv("HOME", "/home/u", 1);
  setenv("SP_TEST_VAR", "v", 1);
  EXPECT_EQ(expand_path("~/x"), "/home/u/x");
  EXPECT_EQ(expand_path("a/${SP_TEST_VAR}/$SP_TEST_VAR"), "a/v/v");
  EXPECT_EQ(expand_path("${SP_UNSET_VAR:-fallback}"), "fallback");
  EXPECT_EQ(expand_path("a~b"), "a~b");
}

TEST(Util, AtomicWriteReplacesWholeFile) {
  skillpipe::testing::TempDir dir;
  const std::string p = dir.file("sub/f.txt");
  atomic_write_file(p, "one");
  atomic_write_file(p, "two");
  EXPECT_EQ(*read_file(p), "two");
  EXPECT_FALSE(read_file(dir.file("nope")));
}

// utf8_valid skips ASCII eight bytes at a time: a bad byte or a sequence at any offset, and
// across a word boundary, is still judged exactly.
TEST(Util, Utf8ValidAtEveryOffset) {
  for (std::size_t at = 0; at < 24; ++at) {
    std::string s(24, 'a');
    s[at] = '\x80';  // a lone continuation byte
    EXPECT_FALSE(utf8_valid(s)) << at;
    s[at] = 'a';
    s.insert(at, "\xE2\x82\xAC");  // the euro sign: may straddle two words
    EXPECT_TRUE(utf8_valid(s)) << at;
    s.erase(at + 2, 1);  // cut short
    EXPECT_FALSE(utf8_valid(s)) << at;
  }
  EXPECT_TRUE(utf8_valid(""));
  EXPECT_FALSE(utf8_valid(std::string(16, 'a') + "\xF0\x9F\x98"));  // truncated at the very end
}

TEST(Util, Utf8RepairAndTruncate) {
  std::string s = "ok \xC3\x28 \xE2\x82";
  EXPECT_FALSE(utf8_valid(s));
  EXPECT_EQ(repair_utf8(s), 3u);
  EXPECT_TRUE(utf8_valid(s));
  EXPECT_EQ(truncate_utf8("héllo", 2), "h\xE2\x80\xA6");
  std::string enc;
  for (char32_t cp : {U'a', U'é', U'€', U'😀'}) append_utf8(enc, cp);
  EXPECT_EQ(enc, "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_NE(project_slug("/a/b"), project_slug("/a-b"));
}

TEST(Suggest, DistanceCountsEditsAndNeighbourSwapsCaseInsensitively) {
  using detail::edit_distance;
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(edit_distance("stagse", "stages"), 1u);  // one swap, not two substitutions
  EXPECT_EQ(edit_distance("RUN", "run"), 0u);
  EXPECT_EQ(edit_distance("", "abc"), 3u);
  EXPECT_EQ(edit_distance("abc", ""), 3u);
  EXPECT_EQ(edit_distance("ca", "abc"), 3u);  // restricted swaps: no edit inside a swapped pair
}

TEST(Suggest, HostileLongNamesGetNoSuggestionAndCostLittle) {
  const std::vector<std::string> known{"stages", "pipeline", "version"};
  EXPECT_EQ(detail::closest_name("stagse", known), "stages");
  EXPECT_EQ(detail::closest_name(std::string(1 << 20, 's'), known), "");
  EXPECT_EQ(detail::closest_name("stagesss", known), "stages");  // 2 edits for 8 typed chars
  EXPECT_EQ(detail::closest_name("stagessss", known), "stages");  // 3: the limit
  EXPECT_EQ(detail::closest_name("stagesssss", known), "");      // 4: too far
}
