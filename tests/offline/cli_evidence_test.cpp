// Evidence from today's CLIs: every session recorded by the real Claude Code 2.1.197 and
// Codex 0.171.0 (tests/data/cli, expected.json) gets its true outcome from the harvesters
// and the success judge, and no failed session feeds a pattern (mine_patterns).
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "offline_harness.hpp"
#include "skillpipe/config.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/session_judge.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/testing/plugin_loader.hpp"

namespace skillpipe::testing {
namespace {

using Strings = std::vector<std::string>;

struct ExpectedCommand {
  std::string command;
  int exit_code = 0;
};

struct Expected {
  std::string agent, version, home, session_id, scenario, outcome;
  Strings prompts, files_written, skills_invoked, secrets;
  std::optional<std::string> final_answer;
  std::vector<ExpectedCommand> commands;
  TokenUsage usage;  // what the digest must report (Claude: summed per turn; Codex: the last running total)
};

Strings strings(const rapidjson::Value& v) {
  Strings out;
  for (const auto& s : v.GetArray()) out.emplace_back(s.GetString(), s.GetStringLength());
  return out;
}

TokenUsage usage_of(const rapidjson::Value& turns, bool running_total) {
  TokenUsage u;
  for (const auto& t : turns.GetArray()) {
    auto i = [&](const char* k) { return t.HasMember(k) ? t[k].GetInt64() : 0; };
    TokenUsage one;
    if (t.HasMember("cached_input_tokens")) {  // OpenAI: input includes the cached tokens
      one = {i("input_tokens") - i("cached_input_tokens"), i("output_tokens"), i("cached_input_tokens"),
             i("cache_write_input_tokens")};
    } else {
      one = {i("input_tokens"), i("output_tokens"), i("cache_read_input_tokens"), i("cache_creation_input_tokens")};
    }
    if (running_total) u = one;
    else u += one;
  }
  return u;
}

std::vector<Expected> load_expected() {
  const auto text = read_file(test_data_dir() + "/cli/expected.json");
  if (!text) throw std::runtime_error("cannot read tests/data/cli/expected.json");
  rapidjson::Document doc;
  doc.Parse(text->c_str());
  std::vector<Expected> out;
  for (const auto& s : doc["sessions"].GetArray()) {
    Expected e;
    e.agent = s["agent"].GetString();
    e.version = s["version"].GetString();
    e.home = s["home"].GetString();
    e.session_id = s["session_id"].GetString();
    e.scenario = s["scenario"].GetString();
    e.outcome = s["outcome"].GetString();
    e.prompts = strings(s["prompts"]);
    e.files_written = strings(s["files_written"]);
    e.skills_invoked = strings(s["skills_invoked"]);
    for (const auto& sec : s["secrets"].GetArray()) e.secrets.push_back(sec["value"].GetString());
    if (s["final_answer"].IsString()) e.final_answer = s["final_answer"].GetString();
    for (const auto& c : s["commands"].GetArray()) e.commands.push_back({c["command"].GetString(), c["exit_code"].GetInt()});
    e.usage = usage_of(s["usage_per_turn"], e.agent == "codex");
    out.push_back(std::move(e));
  }
  return out;
}

// Harvests one recorded home with the plugin, as `skillpipe harvest` would: every project,
// the whole history, and files taken as settled (they were written long ago).
std::vector<SessionDigest> harvest_home(const std::string& plugin, const std::string& home,
                                        std::map<std::string, std::int64_t>* counts) {
  auto registry = make_registry();
  auto h = registry->create_as<Harvester>(plugin);
  host::Services services;
  RunInfo run;
  run.project = "all";
  host::BasicContext ctx(plugin, run, &services);
  h->configure(Config::parse("{\"home\":" + json_quote(home) +
                             ",\"project_scope\":\"all\",\"lookback_hours\":0,\"settle_minutes\":0}"),
               ctx);
  auto out = testing::conformance::harvest_all(*h, ctx);
  h->finish(ctx);
  for (const auto& [k, v] : ctx.counts()) (*counts)[plugin + "." + k] += v;
  return out;
}

class CliEvidence : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    expected_ = new std::vector<Expected>(load_expected());
    digests_ = new std::vector<SessionDigest>();
    counts_ = new std::map<std::string, std::int64_t>();
    for (const auto& [plugin, home] : {std::pair<std::string, std::string>{"harvest_claude", "claude-code-2.1.197"},
                                       {"harvest_codex", "codex-0.171.0"}})
      for (auto& d : harvest_home(plugin, test_data_dir() + "/cli/" + home, counts_)) digests_->push_back(std::move(d));
  }
  static void TearDownTestSuite() {
    delete expected_;
    delete digests_;
    delete counts_;
  }
  static const SessionDigest* digest(const std::string& id) {
    for (const auto& d : *digests_)
      if (d.session_id == id) return &d;
    return nullptr;
  }
  static std::vector<Expected>* expected_;
  static std::vector<SessionDigest>* digests_;
  static std::map<std::string, std::int64_t>* counts_;  // "<plugin>.<counter>"
};
std::map<std::string, std::int64_t>* CliEvidence::counts_ = nullptr;
std::vector<Expected>* CliEvidence::expected_ = nullptr;
std::vector<SessionDigest>* CliEvidence::digests_ = nullptr;

TEST_F(CliEvidence, EveryRecordedSessionIsHarvestedOnce) {
  ASSERT_EQ(expected_->size(), 26u);
  ASSERT_EQ(digests_->size(), expected_->size());
  for (const auto& e : *expected_) EXPECT_NE(digest(e.session_id), nullptr) << e.agent << " " << e.scenario;
  // Every record today's CLIs write is known (Codex's token_usage_record, Claude's
  // local_command, ...): nothing is counted as unknown or malformed.
  for (const char* plugin : {"harvest_claude", "harvest_codex"})
    for (const char* k : {"unknown_records", "malformed_records", "records_without_type", "bad_lines"})
      EXPECT_EQ((*counts_)[std::string(plugin) + "." + k], 0) << plugin << " " << k;
}

TEST_F(CliEvidence, EverySessionGetsItsTrueOutcome) {
  for (const auto& e : *expected_) {
    SCOPED_TRACE(e.agent + " " + e.version + " " + e.scenario + " (" + e.outcome + ")");
    const SessionDigest* d = digest(e.session_id);
    ASSERT_NE(d, nullptr);
    const SessionOutcome& o = d->outcome;
    const SessionJudgement j = judge_session(*d);
    EXPECT_TRUE(o.observed);
    if (e.outcome == "success") {
      EXPECT_EQ(j.outcome, Outcome::kSuccess) << j.reason;
      EXPECT_FALSE(o.aborted);
      EXPECT_FALSE(o.turn_failed);
      EXPECT_EQ(o.api_errors, 0);
    } else if (e.outcome == "failed-api") {
      EXPECT_EQ(j.outcome, Outcome::kFail) << j.reason;
      EXPECT_GE(o.api_errors, 1);
      EXPECT_TRUE(o.turn_failed);
      EXPECT_EQ(j.reason, "the last turn ended in an error (1 failed model call)");
    } else if (e.outcome == "failed-command") {
      EXPECT_EQ(j.outcome, Outcome::kFail) << j.reason;
      EXPECT_TRUE(o.last_tool_failed);
      EXPECT_TRUE(o.final_reports_failure);
      EXPECT_EQ(o.tool_errors, 1);
      EXPECT_EQ(j.reason, "the last command failed and the answer says so (\"could not\")");
    } else if (e.outcome == "aborted") {
      EXPECT_EQ(j.outcome, Outcome::kFail) << j.reason;
      EXPECT_TRUE(o.aborted);
    } else if (e.outcome == "local-command") {
      EXPECT_EQ(j.outcome, Outcome::kUnknown) << j.reason;
      EXPECT_TRUE(d->user_prompts.empty());
      EXPECT_EQ(o.slash_commands, e.prompts);
      EXPECT_EQ(j.reason, "only local commands ran (" + e.prompts[0] + ")");
    } else {
      ADD_FAILURE() << "unknown outcome in expected.json: " << e.outcome;
    }
  }
}

TEST_F(CliEvidence, PromptsAnswersCommandsFilesSkillsAndTokensAreTheSessions) {
  for (const auto& e : *expected_) {
    SCOPED_TRACE(e.agent + " " + e.scenario);
    const SessionDigest* d = digest(e.session_id);
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->source, e.agent == "codex" ? "codex" : "claude");
    EXPECT_EQ(d->agent_version, e.version);
    EXPECT_EQ(d->project, "/tmp/skillpipe-fixture/project");
    if (e.outcome != "local-command") {
      Strings redacted;
      for (const auto& p : e.prompts) redacted.push_back(redact_secrets(p));
      EXPECT_EQ(d->user_prompts, redacted);
    }
    // A failed model call's "API Error: ..." text is not the agent's answer.
    if (e.final_answer && e.outcome != "failed-api" && e.outcome != "local-command") {
      ASSERT_FALSE(d->assistant_finals.empty());
      EXPECT_EQ(d->assistant_finals.back(), *e.final_answer);
    } else if (!d->assistant_finals.empty()) {
      EXPECT_EQ(d->assistant_finals.back(), "");
    }
    ASSERT_EQ(d->commands.size(), e.commands.size());
    for (std::size_t i = 0; i < e.commands.size(); ++i) {
      EXPECT_EQ(d->commands[i].command, e.commands[i].command);
      EXPECT_EQ(d->commands[i].exit_code, std::optional<int>(e.commands[i].exit_code));
      EXPECT_EQ(d->commands[i].failed, e.commands[i].exit_code != 0);
    }
    for (const auto& f : e.files_written) {
      const std::string abs = d->project + "/" + f;
      EXPECT_NE(std::find(d->files_touched.begin(), d->files_touched.end(), abs), d->files_touched.end()) << f;
    }
    EXPECT_EQ(d->skills_used, e.skills_invoked);
    EXPECT_EQ(d->usage, e.usage);
    for (const auto& secret : e.secrets) EXPECT_EQ(to_json(*d).find(secret), std::string::npos) << "not redacted";
    if (!e.secrets.empty()) {
      EXPECT_NE(d->user_prompts.at(0).find("[REDACTED:github_token]"), std::string::npos);
    }
  }
}

TEST_F(CliEvidence, PraiseIsNotFeedbackOnTheTaskItselfAndCorrectionsAreCounted) {
  for (const auto& e : *expected_) {
    const SessionDigest* d = digest(e.session_id);
    ASSERT_NE(d, nullptr);
    for (const auto& s : d->feedback_signals) EXPECT_GT(s.turn, 0) << e.scenario << ": the first prompt is a task";
    EXPECT_EQ(d->outcome.user_corrections, 0) << e.scenario;
    if (e.scenario == "praise") {
      ASSERT_FALSE(d->feedback_signals.empty());
      EXPECT_EQ(d->feedback_signals[0].polarity, "positive");
      // The praised answer is the work, not the agent's "you're welcome".
      const SessionJudgement j = judge_session(*d);
      EXPECT_EQ(j.final_turn, 0);
    }
  }
}

TEST_F(CliEvidence, NoFailedSessionFeedsAPattern) {
  std::map<std::string, std::string> truth;  // session id -> expected outcome
  for (const auto& e : *expected_) truth[e.session_id] = e.outcome;
  MemoryStore store;
  OfflineNight night("/tmp/skillpipe-fixture/project", store);
  const auto tasks = night.mine(*digests_, R"({"emit":"all","max_evidence":50})");
  const auto counts = night.last_counts();
  EXPECT_EQ(counts.at("sessions_success"), 18);  // 9 per CLI
  EXPECT_EQ(counts.at("sessions_fail"), 7);      // API failure, failing command, interrupt (both) + max turns
  EXPECT_EQ(counts.at("sessions_unknown"), 1);   // the /usage session is no task
  bool release_notes_ready = false;
  for (const auto& t : tasks) {
    ASSERT_TRUE(t.pattern);
    for (const auto& ev : t.pattern->evidence) {
      SCOPED_TRACE(t.pattern->label + " <- " + ev.session + " (" + truth[ev.session] + ")");
      if (ev.outcome == Outcome::kSuccess) EXPECT_EQ(truth[ev.session], "success") << ev.reason;
      else EXPECT_NE(truth[ev.session], "success") << ev.reason;
      EXPECT_EQ(ev.intent.find("API Error"), std::string::npos);
    }
    if (t.pattern->ready) {
      EXPECT_GT(t.pattern->successes, 0);
      EXPECT_GE(t.pattern->success_ratio, 0.7);
    }
    if (t.pattern->ready && t.intent.find("release notes") != std::string::npos) release_notes_ready = true;
  }
  EXPECT_TRUE(release_notes_ready) << "the recurring release-notes work is a ready pattern";
}

}  // namespace
}  // namespace skillpipe::testing
