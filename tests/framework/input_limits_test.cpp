// What users type and name, checked strictly: calendar-valid dates, real UTC offsets,
// decimal durations within a century, and files read only when they are regular files of a
// bounded size.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "skillpipe/kit/util.hpp"
#include "test_support.hpp"

using skillpipe::testing::TempDir;

TEST(InputLimits, DatesMustExistOnTheCalendar) {
  using skillpipe::parse_iso8601_ms;
  EXPECT_FALSE(parse_iso8601_ms("2026-02-31"));
  EXPECT_FALSE(parse_iso8601_ms("2026-02-29"));
  EXPECT_TRUE(parse_iso8601_ms("2024-02-29"));  // a leap year
  EXPECT_FALSE(parse_iso8601_ms("2100-02-29"));  // not one
  EXPECT_TRUE(parse_iso8601_ms("2000-02-29"));
  EXPECT_FALSE(parse_iso8601_ms("2026-04-31T00:00:00Z"));
  EXPECT_TRUE(parse_iso8601_ms("2026-12-31T23:59:59Z"));
}

TEST(InputLimits, OffsetsMustBeRealOnes) {
  using skillpipe::parse_iso8601_ms;
  EXPECT_FALSE(parse_iso8601_ms("2026-11-01T00:00:00+99:99"));
  EXPECT_FALSE(parse_iso8601_ms("2026-11-01T00:00:00+01:60"));
  EXPECT_FALSE(parse_iso8601_ms("2026-11-01T00:00:00+14:01"));
  EXPECT_FALSE(parse_iso8601_ms("2026-11-01T00:00:00-15:00"));
  ASSERT_TRUE(parse_iso8601_ms("2026-11-01T00:00:00+14:00"));
  EXPECT_EQ(*parse_iso8601_ms("2026-11-01T02:00:00+02:00"), *parse_iso8601_ms("2026-11-01T00:00:00Z"));
  EXPECT_EQ(*parse_iso8601_ms("2026-10-31T12:30:00-11:30"), *parse_iso8601_ms("2026-11-01T00:00:00Z"));
}

TEST(InputLimits, DurationsAreDecimalNumbersWithAUnitWithinACentury) {
  using skillpipe::parse_duration_hours;
  EXPECT_EQ(parse_duration_hours("72h"), 72.0);
  EXPECT_EQ(parse_duration_hours("1.5d"), 36.0);
  EXPECT_EQ(parse_duration_hours("30m"), 0.5);
  EXPECT_EQ(parse_duration_hours("2w"), 336.0);
  EXPECT_TRUE(parse_duration_hours("36500d"));
  for (const char* bad : {"0x10h", "1e300h", "1e3h", "-1h", "+1h", "0h", "0.0h", ".5h", "5.h", "1.2.3h", "h", "10",
                          "10y", "36700d", "99999999999999h", " 1h", "1h ", "inf", "nanh"})
    EXPECT_FALSE(parse_duration_hours(bad)) << bad;
}

TEST(InputLimits, OnlyRegularFilesUpToTheCapAreRead) {
  using skillpipe::read_regular_file;
  TempDir dir;
  skillpipe::testing::write_text(dir.file("ok.txt"), "hello");
  auto r = read_regular_file(dir.file("ok.txt"), 5);
  ASSERT_TRUE(r.text) << r.error;
  EXPECT_EQ(*r.text, "hello");
  r = read_regular_file(dir.file("ok.txt"), 4);
  EXPECT_FALSE(r.text);
  EXPECT_EQ(r.error, "is 5 bytes; the limit is 4 bytes");
  EXPECT_EQ(read_regular_file(dir.path(), 100).error, "is a directory, not a file");
  EXPECT_EQ(read_regular_file("/dev/zero", 100).error, "is not a regular file (a device, FIFO or socket)");
  EXPECT_EQ(read_regular_file(dir.file("missing"), 100).error, "does not exist");
  ASSERT_EQ(::mkfifo(dir.file("fifo").c_str(), 0600), 0);
  EXPECT_EQ(read_regular_file(dir.file("fifo"), 100).error, "is not a regular file (a device, FIFO or socket)");
}
