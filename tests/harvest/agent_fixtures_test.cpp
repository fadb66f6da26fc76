// Every session recorded from a real agent CLI (tests/data/agents/<agent>-<version>/, see the
// README there) comes out of that agent's harvester plugin with the facts expected.json lists:
// prompts, final answer, tool calls and failures, files written, token usage, the outcome the
// success judge gives, feedback, redaction. One table row per harvester.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>

#include "harvest_test_util.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/session_judge.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::testing {
namespace {

struct AgentFixture {
  const char* plugin;   // harvest_qwen
  const char* folder;   // qwen-code-0.15.10
  const char* source;   // the digests' source
  const char* version;  // the CLI version the digests carry ("" when the format records none)
};

void PrintTo(const AgentFixture& a, std::ostream* os) { *os << a.plugin; }

const AgentFixture kAgents[] = {
    {"harvest_qwen", "qwen-code-0.15.10", "qwen", "0.15.10"},
    {"harvest_pi", "pi-0.73.1", "pi", ""},
    {"harvest_copilot", "copilot-cli-1.0.102", "copilot", "1.0.102"},
    {"harvest_gemini", "gemini-cli-0.61.0", "gemini", ""},
    {"harvest_opencode", "opencode-1.18.33", "opencode", "1.18.33"},
};

std::vector<std::string> strings(const rapidjson::Value& v) {
  std::vector<std::string> out;
  if (v.IsArray())
    for (const auto& s : v.GetArray()) out.emplace_back(s.GetString(), s.GetStringLength());
  return out;
}

class AgentFixtures : public ::testing::TestWithParam<AgentFixture> {
 protected:
  void SetUp() override {
    dir_ = test_data_dir() + "/agents/" + GetParam().folder;
    const auto text = read_file(dir_ + "/expected.json");
    ASSERT_TRUE(text) << dir_;
    expected_.Parse(text->c_str());
    ASSERT_TRUE(expected_.IsObject());
    // The fixture's home is the user's home: the plugin finds its folder in it (--home ~).
    out_ = harvest({GetParam().plugin, "{\"home\":" + json_quote(dir_ + "/home") +
                                           ",\"project_scope\":\"all\",\"lookback_hours\":0,\"max_sessions\":0,"
                                           "\"settle_minutes\":0}"});
  }
  const SessionDigest* digest(const rapidjson::Value& s) const { return out_.find(s["session_id"].GetString()); }

  std::string dir_;
  rapidjson::Document expected_;
  HarvestOutput out_;
};

TEST_P(AgentFixtures, EverySessionOnceWithItsPromptsAndAnswer) {
  const auto& sessions = expected_["sessions"].GetArray();
  EXPECT_EQ(out_.digests.size(), sessions.Size());
  EXPECT_EQ(out_.count("bad_lines"), 0);
  EXPECT_EQ(out_.count("unknown_records"), 0);
  for (const auto& s : sessions) {
    SCOPED_TRACE(s["scenario"].GetString());
    const SessionDigest* d = digest(s);
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->source, GetParam().source);
    EXPECT_EQ(d->agent_version, GetParam().version);
    EXPECT_EQ(d->project, expected_["project_dir"].GetString());
    std::vector<std::string> prompts;
    for (const auto& p : strings(s["prompts"])) prompts.push_back(redact_secrets(p));
    EXPECT_EQ(d->user_prompts, prompts);
    if (s["final_answer"].IsString()) {
      ASSERT_FALSE(d->assistant_finals.empty());
      EXPECT_EQ(d->assistant_finals.back(), s["final_answer"].GetString());
    }
    for (const auto& f : strings(s["files_written"])) {
      EXPECT_NE(std::find(d->files_touched.begin(), d->files_touched.end(), f), d->files_touched.end()) << f;
    }
    if (s["secret_must_be_redacted"].IsString()) {
      EXPECT_EQ(to_json(*d).find(s["secret_must_be_redacted"].GetString()), std::string::npos) << "not redacted";
    }
  }
}

TEST_P(AgentFixtures, ToolCallsFailuresAndTokens) {
  for (const auto& s : expected_["sessions"].GetArray()) {
    SCOPED_TRACE(s["scenario"].GetString());
    const SessionDigest* d = digest(s);
    ASSERT_NE(d, nullptr);
    std::map<std::string, ToolUse> want;
    for (const auto& c : s["tool_calls"].GetArray()) {
      ToolUse& t = want[c["tool"].GetString()];
      t.name = c["tool"].GetString();
      ++t.calls;
      t.errors += c["ok"].GetBool() ? 0 : 1;
    }
    std::map<std::string, ToolUse> got;
    for (const auto& t : d->tools) got[t.name] = t;
    EXPECT_EQ(got, want);
    EXPECT_EQ(d->outcome.tool_calls, static_cast<int>(s["tool_calls"].Size()));
    EXPECT_EQ(d->outcome.tool_errors, s["tool_errors"].GetInt());
    const auto& u = s["usage"];
    EXPECT_EQ(d->usage, (TokenUsage{u["input_excluding_cache"].GetInt64(), u["output"].GetInt64(),
                                    u["cache_read"].GetInt64(), u["cache_write"].GetInt64()}));
  }
}

TEST_P(AgentFixtures, EverySessionGetsItsTrueOutcome) {
  for (const auto& s : expected_["sessions"].GetArray()) {
    const std::string outcome = s["outcome"].GetString();
    SCOPED_TRACE(std::string(s["scenario"].GetString()) + " (" + outcome + ")");
    const SessionDigest* d = digest(s);
    ASSERT_NE(d, nullptr);
    const SessionJudgement j = judge_session(*d);
    EXPECT_TRUE(d->outcome.observed);
    if (outcome == "success") {
      EXPECT_EQ(j.outcome, Outcome::kSuccess) << j.reason;
      EXPECT_EQ(d->outcome.api_errors, 0);
      EXPECT_FALSE(d->outcome.turn_failed);
    } else if (outcome == "tool_error") {
      EXPECT_EQ(j.outcome, Outcome::kFail) << j.reason;
      EXPECT_TRUE(d->outcome.last_tool_failed);
      EXPECT_TRUE(d->outcome.final_reports_failure);
    } else if (outcome == "api_error") {
      EXPECT_EQ(j.outcome, Outcome::kFail) << j.reason;
      EXPECT_GE(d->outcome.api_errors, 1);
      EXPECT_TRUE(d->outcome.turn_failed);
    } else {
      ADD_FAILURE() << "outcome not covered by this test: " << outcome;
    }
    const bool praised = s["feedback"].IsString() && std::string(s["feedback"].GetString()) == "positive";
    EXPECT_EQ(!d->feedback_signals.empty() && d->feedback_signals.back().polarity == "positive", praised);
    for (const auto& f : d->feedback_signals) EXPECT_GT(f.turn, 0) << "the first prompt is the task";
  }
}

// Harvesting again with the cursors of the first run reads nothing new.
TEST_P(AgentFixtures, SecondRunWithCursorsReadsNothing) {
  MemoryStore store{"", ""};  // state only: the harvesters keep their cursors there
  const std::string cfg = "{\"home\":" + json_quote(dir_ + "/home") +
                          ",\"project_scope\":\"all\",\"lookback_hours\":0,\"max_sessions\":0,\"settle_minutes\":0}";
  auto first = harvest({GetParam().plugin, cfg, "all", "", &store});
  EXPECT_EQ(first.digests.size(), expected_["sessions"].Size());
  auto second = harvest({GetParam().plugin, cfg, "all", "", &store});
  EXPECT_TRUE(second.digests.empty());
  EXPECT_EQ(second.count("files_unchanged"), second.count("files_seen"));
}

INSTANTIATE_TEST_SUITE_P(Recorded, AgentFixtures, ::testing::ValuesIn(kAgents),
                         [](const auto& info) { return std::string(info.param.source); });

}  // namespace
}  // namespace skillpipe::testing
