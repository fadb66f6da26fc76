// judge_llm grades what an agentic replay did, not only what it said: the grader's prompt
// carries a compact trajectory (how the run ended, skills invoked, commands with exit codes,
// files changed, checks), redacted and bounded.
#include <gtest/gtest.h>

#include "skillpipe/config.hpp"
#include "test_doubles.hpp"
#include "test_support.hpp"

using namespace skillpipe;
using skillpipe::testing::ScriptedBackend;

namespace {

class LlmJudgeTrajectory : public ::testing::Test {
 protected:
  void SetUp() override {
    svc_.backends["grader"] = &backend_;
    judge_ = reg_->create_as<Judge>("judge_llm");
    judge_->configure(Config::parse(R"({"backend": "grader"})"), ctx_);
    backend_.replies = {R"({"score": 0.2, "reason": "The tests were never run.", "failed": []})"};
  }
  std::string prompt_for(const ReplayResult& r) {
    TaskRecord t;
    t.id = "regen-1";
    t.intent = "refresh the generated files after the schema change";
    judge_->judge(t, r, ctx_);
    const auto reqs = backend_.requests();
    EXPECT_EQ(reqs.size(), 1u);
    return reqs.empty() ? "" : reqs[0].messages.back().content;
  }

  ScriptedBackend backend_;
  std::unique_ptr<host::PluginRegistry> reg_ = skillpipe::testing::make_registry();
  host::Services svc_;
  host::BasicContext ctx_{"consolidate", RunInfo{}, &svc_};
  std::shared_ptr<Judge> judge_;
};

TEST_F(LlmJudgeTrajectory, ThePromptShowsCommandsExitCodesFilesAndChecks) {
  ReplayResult r;
  r.task_id = "regen-1";
  r.response = "Done: the generated files are fresh and the tests pass.";
  Trajectory t;
  t.ended = "completed";
  t.skills_invoked = {"schema-regen"};
  t.tool_calls = {{"Skill", R"({"skill":"schema-regen"})", true, std::nullopt, ""},
                  {"Bash", "API_KEY=sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789ABCD sh tools/regen.sh", true, 0, ""},
                  {"Bash", "sh tests/check.sh", false, 1, ""}};
  t.files_changed = {"generated/fields.txt"};
  CheckRecord c;
  c.command = "sh tests/check.sh";
  c.exit_code = 1;
  t.checks = {c};
  r.trajectory = t;
  const std::string p = prompt_for(r);
  EXPECT_NE(p.find("# What the agent did"), std::string::npos) << p;
  EXPECT_NE(p.find("Run ended: completed"), std::string::npos) << p;
  EXPECT_NE(p.find("Skills invoked: schema-regen"), std::string::npos) << p;
  EXPECT_NE(p.find("sh tools/regen.sh -> exit 0"), std::string::npos) << p;
  EXPECT_NE(p.find("- Bash: sh tests/check.sh -> exit 1"), std::string::npos) << p;
  EXPECT_NE(p.find("Files changed: generated/fields.txt"), std::string::npos) << p;
  EXPECT_NE(p.find("Check sh tests/check.sh -> exit 1"), std::string::npos) << p;
  EXPECT_EQ(p.find("sk-ant-api03-abcdefghij"), std::string::npos) << "a secret in a command reached the grader";
  // the final text is still graded, after what the agent did
  EXPECT_LT(p.find("# What the agent did"), p.find("<<<BEGIN RESPONSE>>>"));
}

TEST_F(LlmJudgeTrajectory, ALongRunShowsItsFirstAndLastCallsAndCountsTheRest) {
  ReplayResult r;
  r.task_id = "regen-1";
  r.response = "Done.";
  Trajectory t;
  t.ended = "max_turns";
  for (int i = 0; i < 100; ++i) t.tool_calls.push_back({"Bash", "echo step-" + std::to_string(i) + "-end", true, 0, ""});
  r.trajectory = t;
  const std::string p = prompt_for(r);
  EXPECT_NE(p.find("Tool calls (100):"), std::string::npos);
  EXPECT_NE(p.find("echo step-0-end"), std::string::npos);
  EXPECT_NE(p.find("echo step-99-end"), std::string::npos);
  EXPECT_EQ(p.find("echo step-50-end"), std::string::npos);
  EXPECT_NE(p.find("60 calls not shown"), std::string::npos);
  EXPECT_NE(p.find("Files changed: none"), std::string::npos);
}

TEST_F(LlmJudgeTrajectory, AChatReplayHasNoTrajectoryBlock) {
  ReplayResult r;
  r.task_id = "regen-1";
  r.response = "Run sh tools/regen.sh.";
  EXPECT_EQ(prompt_for(r).find("# What the agent did"), std::string::npos);
}

}  // namespace
