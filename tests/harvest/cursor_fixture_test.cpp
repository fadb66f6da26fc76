// harvest_cursor (loaded as a .so) against tests/data/agents/cursor-schema-2026, a fixture built
// from the schema public readers document (Cursor cannot be run here): every composer and the
// agent transcript come out with the facts expected.json lists; the empty and the sub-agent
// composer do not; the planted token is redacted and the fake cursorAuth rows are never read.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sqlite3.h>

#include <algorithm>

#include "harvest_test_util.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/session_judge.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::testing {
namespace {

std::vector<std::string> strings(const rapidjson::Value& v) {
  std::vector<std::string> out;
  if (v.IsArray())
    for (const auto& s : v.GetArray()) out.emplace_back(s.GetString(), s.GetStringLength());
  return out;
}

class CursorFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_data_dir() + "/agents/cursor-schema-2026";
    expected_.Parse(read_file(dir_ + "/expected.json").value_or("{}").c_str());
    ASSERT_TRUE(expected_.IsObject());
    out_ = harvest({"harvest_cursor", config()});
  }
  std::string config() const {
    return "{\"home\":" + json_quote(dir_ + "/home") +
           ",\"project_scope\":\"all\",\"lookback_hours\":0,\"max_sessions\":0,\"settle_minutes\":0}";
  }
  std::string dir_;
  rapidjson::Document expected_;
  HarvestOutput out_;
};

TEST_F(CursorFixture, EveryConversationWithItsPromptsAnswersToolsAndOutcome) {
  const auto& sessions = expected_["sessions"].GetArray();
  EXPECT_EQ(out_.digests.size(), sessions.Size());
  EXPECT_EQ(out_.count("sessions_skipped_subagent"), 1);
  EXPECT_EQ(out_.count("bubbles_empty"), 0) << "the JSON-null bubble row is not listed in a conversation";
  for (const auto& s : sessions) {
    SCOPED_TRACE(s["scenario"].GetString());
    const SessionDigest* d = out_.find(s["session_id"].GetString());
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->source, "cursor");
    EXPECT_EQ(d->project, expected_["project_dir"].GetString());
    std::vector<std::string> prompts;
    for (const auto& p : strings(s["prompts"])) prompts.push_back(redact_secrets(p));
    EXPECT_EQ(d->user_prompts, prompts);
    if (s["final_answer"].IsString()) {  // the last answer given (a turn may end in a tool call)
      std::string last;
      for (const auto& f : d->assistant_finals)
        if (!f.empty()) last = f;
      EXPECT_EQ(last, s["final_answer"].GetString());
    }
    for (const auto& f : strings(s["files_written"]))
      EXPECT_NE(std::find(d->files_touched.begin(), d->files_touched.end(), f), d->files_touched.end()) << f;
    EXPECT_EQ(d->outcome.tool_calls, static_cast<int>(s["tool_calls"].Size()));
    if (s["tool_errors"].IsInt()) {
      EXPECT_EQ(d->outcome.tool_errors, s["tool_errors"].GetInt());
    }
    if (s.HasMember("usage")) {
      EXPECT_EQ(d->usage.input, s["usage"]["input_tokens_reported"].GetInt64());
      EXPECT_EQ(d->usage.output, s["usage"]["output_tokens_reported"].GetInt64());
    }
    const std::string outcome = s["outcome"].GetString();
    const SessionJudgement j = judge_session(*d);
    if (outcome == "success") {
      EXPECT_EQ(j.outcome, Outcome::kSuccess) << j.reason;
    } else if (outcome == "tool_error" || outcome == "api_error") {
      EXPECT_EQ(j.outcome, Outcome::kFail) << j.reason;
      EXPECT_GE(d->outcome.api_errors, outcome == "api_error" ? 1 : 0);
    }
    // Transcripts keep no tool results: the outcome is unknown, the failed turn is not.
    EXPECT_EQ(d->outcome.observed, outcome != "error");
    if (outcome == "error") {
      EXPECT_TRUE(d->outcome.turn_failed);
    }
    if (s["secret_must_be_redacted"].IsString()) {
      EXPECT_EQ(to_json(*d).find(s["secret_must_be_redacted"].GetString()), std::string::npos) << "not redacted";
    }
  }
}

// The global ItemTable holds (fake) cursorAuth tokens: no digest may carry them.
TEST_F(CursorFixture, NeverReadsTheAuthRows) {
  sqlite3* db = nullptr;
  const std::string path = dir_ + "/home/.config/Cursor/User/globalStorage/state.vscdb";
  ASSERT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT value FROM ItemTable WHERE key LIKE 'cursorAuth/%Token'", -1, &st, nullptr);
  int n = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    const std::string token(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    ++n;
    for (const auto& d : out_.digests) EXPECT_EQ(to_json(d).find(token), std::string::npos) << d.session_id;
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  EXPECT_EQ(n, 2);
}

TEST_F(CursorFixture, SecondRunWithCursorsReadsNothing) {
  MemoryStore store{"", ""};
  EXPECT_EQ(harvest({"harvest_cursor", config(), "all", "", &store}).digests.size(), expected_["sessions"].Size());
  const HarvestOutput again = harvest({"harvest_cursor", config(), "all", "", &store});
  EXPECT_TRUE(again.digests.empty());
  EXPECT_EQ(again.count("files_unchanged"), again.count("files_seen"));
}

}  // namespace
}  // namespace skillpipe::testing
