// Numbers from transcripts are untrusted: token counts at the edges of int64 (negative,
// INT64_MIN, beyond INT64_MAX) saturate instead of overflowing, and a lookback window beyond a
// century is a configuration error rather than a cutoff computed with undefined behaviour.
#include <gtest/gtest.h>

#include <limits>

#include "harvest_test_util.hpp"
#include "skillpipe/errors.hpp"
#include "test_support.hpp"

using namespace skillpipe;
using namespace skillpipe::testing;

namespace {

const char* kId = "0199cccc-0000-7000-8000-000000000001";

std::string codex_rollout(const std::string& usage_json) {
  return std::string("{\"timestamp\":\"2026-03-02T08:00:00Z\",\"type\":\"session_meta\",\"payload\":{\"id\":\"") + kId +
         "\",\"cwd\":\"/w\"}}\n"
         "{\"timestamp\":\"2026-03-02T08:00:01Z\",\"type\":\"event_msg\",\"payload\":{\"type\":\"user_message\","
         "\"message\":\"one\"}}\n"
         "{\"timestamp\":\"2026-03-02T08:00:02Z\",\"type\":\"event_msg\",\"payload\":{\"type\":\"token_count\","
         "\"info\":{\"total_token_usage\":" +
         usage_json + "}}}\n";
}

HarvestOutput harvest_codex(const TempDir& home, const std::string& rollout, const std::string& lookback = "0") {
  write_text(home.file("sessions/2026/03/02/rollout-2026-03-02T08-00-00-" + std::string(kId) + ".jsonl"), rollout);
  return harvest({"harvest_codex", "{\"home\":\"" + home.path() +
                                       "\",\"project_scope\":\"all\",\"lookback_hours\":" + lookback +
                                       ",\"settle_minutes\":0}"});
}

}  // namespace

TEST(HostileNumbers, CodexTokenCountsAtTheInt64EdgesSaturate) {
  TempDir home;
  // cached = INT64_MIN: input - cached overflowed before; negative counts are read as 0.
  auto out = harvest_codex(home, codex_rollout("{\"input_tokens\":100,\"cached_input_tokens\":-9223372036854775808,"
                                               "\"output_tokens\":-5,\"cache_write_input_tokens\":-1}"));
  ASSERT_EQ(out.digests.size(), 1u);
  EXPECT_EQ(out.digests[0].usage, (TokenUsage{100, 0, 0, 0}));
  TempDir home2;
  out = harvest_codex(home2, codex_rollout("{\"input_tokens\":9223372036854775807,\"cached_input_tokens\":0,"
                                           "\"output_tokens\":1e300}"));
  ASSERT_EQ(out.digests.size(), 1u);
  EXPECT_EQ(out.digests[0].usage.input, std::numeric_limits<std::int64_t>::max());
  EXPECT_GE(out.digests[0].usage.output, 0);
}

TEST(HostileNumbers, TokenUsageSumsSaturate) {
  TokenUsage a{std::numeric_limits<std::int64_t>::max(), 1, 0, 0};
  a += TokenUsage{5, std::numeric_limits<std::int64_t>::max(), 0, 0};
  EXPECT_EQ(a.input, std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(a.output, std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(a.total(), std::numeric_limits<std::int64_t>::max());
  TokenUsage b{std::numeric_limits<std::int64_t>::min(), 0, 0, 0};
  b += TokenUsage{-1, 0, 0, 0};
  EXPECT_EQ(b.input, std::numeric_limits<std::int64_t>::min());
}

TEST(HostileNumbers, ALookbackBeyondACenturyIsAConfigError) {
  TempDir home;
  try {
    harvest_codex(home, codex_rollout("{\"input_tokens\":1}"), "1e300");
    FAIL() << "lookback_hours 1e300 was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("lookback_hours must be between 0"), std::string::npos) << e.what();
  }
}
