// One agentic replay with the real Claude Code and Codex (scripts/agent_clis.sh) against the
// scripted model server: the skill is listed, triggers, is followed, and the check passes;
// without it the naive path fails the check; the user's repository, home and history are
// untouched and nothing of the user's global setup reaches the model.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include "lab.hpp"
#include "replay_run.hpp"
#include "skillpipe/kit/util.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace skillpipe::backend_agent {
namespace {

constexpr const char* kDecoyMemory = "DECOY-GLOBAL-MEMORY-91c2";
using lab::fingerprint;

class AgentReplay : public lab::AgentTest {
 protected:
  void SetUp() override {
    lab::AgentTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    repo_ = tmp_.file("user/src/project");
    lab::make_regen_project(repo_);
    // The user's home: global memory and skills that must not reach a replay.
    home_ = tmp_.file("user/home");
    write_text(home_ + "/.claude/CLAUDE.md", kDecoyMemory);
    write_text(home_ + "/.codex/AGENTS.md", kDecoyMemory);
    write_text(home_ + "/.agents/skills/decoy/SKILL.md", "---\nname: decoy\ndescription: " + std::string(kDecoyMemory) + "\n---\n");
    write_text(home_ + "/.claude/skills/decoy/SKILL.md", "---\nname: decoy\ndescription: " + std::string(kDecoyMemory) + "\n---\n");
    saved_home_ = std::getenv("HOME") ? std::getenv("HOME") : "";
    ::setenv("HOME", home_.c_str(), 1);
    ::setenv("SKILLPIPE_TEST_MODEL_KEY", "sk-test-not-a-secret", 1);
  }
  void TearDown() override {
    if (!saved_home_.empty()) ::setenv("HOME", saved_home_.c_str(), 1);
  }

  ReplaySettings settings() {
    ReplaySettings s;
    s.command.agent = GetParam();
    s.command.binary = binary();
    s.command.max_turns = 12;
    s.home.agent = GetParam();
    s.home.auth = plan_auth(GetParam(), {AuthMode::kApiKey, "SKILLPIPE_TEST_MODEL_KEY", ""});
    s.home.api_key_env = "SKILLPIPE_TEST_MODEL_KEY";
    s.home.endpoint.base_url = model_url();
    s.home.endpoint.max_retries = 0;
    if (GetParam() == Agent::kCodex) s.home.model = "gpt-5.5";
    s.workspace_root = tmp_.file("replays");
    s.timeout_s = 120;
    s.path = {"/usr/local/bin", "/usr/bin", "/bin"};
    s.bwrap = lab::test_bwrap();
    std::string why;
    if (bwrap_works(s.bwrap, tmp_.path(), &why))
      set_confinement(s, Confinement::kBubblewrap);
    else if (GetParam() == Agent::kCodex)
      set_confinement(s, Confinement::kCodexSandbox);
    else if (std::getenv("SKILLPIPE_REQUIRE_BWRAP"))
      ADD_FAILURE() << why;
    return s;
  }

  ReplayJob job(const std::string& id, bool with_skill) {
    ReplayJob j;
    j.id = id;
    j.prompt = std::string("[skillpipe-replay]\n") + lab::kTask;
    j.project = repo_;
    if (with_skill) j.docs = {lab::kSkillName, lab::kSkill, ""};
    j.checks = {lab::kCheck};
    return j;
  }

  TempDir tmp_;
  std::string repo_, home_, saved_home_;
};

TEST_P(AgentReplay, SkillTriggersAndPassesTheCheckWithoutTouchingTheUser) {
  const auto repo_before = fingerprint(repo_);
  const auto home_before = fingerprint(home_);
  const ReplaySettings s = settings();
  ReplayOutcome with = run_replay(s, job("with-skill", true));
  EXPECT_EQ(with.run.end, RunEnd::kCompleted) << with.process.err << with.events;
  EXPECT_EQ(with.run.skills_invoked, std::vector<std::string>{"regen-fields"}) << with.events;
  ASSERT_EQ(with.checks.size(), 1u);
  EXPECT_EQ(with.checks[0].exit_code, 0) << with.checks[0].output << "\n" << with.events;
  EXPECT_EQ(with.changes.files, std::vector<std::string>{"generated/fields.txt"});
  EXPECT_NE(with.changes.diff.find("+email"), std::string::npos) << with.changes.diff;
  bool ran_regen = false;
  for (const auto& c : with.run.calls) ran_regen |= c.command == "sh tools/regen.sh" && c.exit_code == 0;
  EXPECT_TRUE(ran_regen) << with.events;
  EXPECT_FALSE(fs::exists(with.ws.dir)) << "the workspace is removed";

  ReplayOutcome without = run_replay(s, job("no-skill", false));
  EXPECT_TRUE(without.run.skills_invoked.empty()) << without.events;
  ASSERT_EQ(without.checks.size(), 1u);
  EXPECT_EQ(without.checks[0].exit_code, 1) << "the naive path does not regenerate";
  EXPECT_TRUE(without.changes.files.empty());

  EXPECT_EQ(fingerprint(repo_), repo_before) << "the user's checkout changed";
  EXPECT_EQ(fingerprint(home_), home_before) << "the user's home changed (a transcript or setting landed there)";
  for (const auto& r : server_->model_calls()) EXPECT_EQ(r.body.find(kDecoyMemory), std::string::npos);
}

TEST_P(AgentReplay, KeptWorkspacesStayForInspection) {
  ReplaySettings s = settings();
  s.keep_workspaces = true;
  ReplayOutcome o = run_replay(s, job("kept", true));
  EXPECT_TRUE(o.kept);
  EXPECT_TRUE(fs::exists(o.ws.root + "/generated/fields.txt"));
  EXPECT_TRUE(fs::exists(o.ws.dir + "/KEPT"));
}

SKILLPIPE_FOR_EACH_AGENT(AgentReplay);

}  // namespace
}  // namespace skillpipe::backend_agent
