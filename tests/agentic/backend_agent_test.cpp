// backend_agent loaded from its .so: a replay request becomes a real agent run whose
// trajectory comes back with the answer, its artifacts land in the night, a repeated request
// of the same night is answered from the cache without a model call, and requests it cannot
// serve are refused with a message saying what to use instead.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "backend_env.hpp"
#include "lab.hpp"
#include "skillpipe/errors.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace skillpipe::backend_agent {
namespace {

using testing::BackendEnv;
using testing::ScopedEnv;

std::string config(Agent agent, const std::string& url, const std::string& root, const std::string& extra = "") {
  std::string c = std::string(R"({"agent": ")") + to_string(agent) + R"(", "binary": ")" + lab::agent_binary(agent) +
                  R"(", "base_url": ")" + url + R"(", "auth": "api_key", "api_key_env": "SKILLPIPE_TEST_MODEL_KEY",)" +
                  R"( "model_retries": 0, "max_retries": 0, "timeout_s": 120, "workspace_root": ")" + root + "\"";
  if (agent == Agent::kCodex) c += R"(, "model": "gpt-5.5", "price": {"input": 2.0, "output": 10.0})";
  if (const std::string bw = lab::test_bwrap(); !bw.empty()) c += R"(, "bwrap": ")" + bw + "\"";
  return c + extra + "}";
}

ChatRequest replay_request(const TaskRecord& task, bool with_skill) {
  ChatRequest r;
  r.purpose = "replay";
  r.messages = {{"user", task.intent}};
  ReplaySetup rs;
  rs.task = task;
  if (with_skill) {
    rs.skill_name = lab::kSkillName;
    rs.skill_text = lab::kSkill;
  }
  r.replay = rs;
  return r;
}

class BackendAgent : public lab::AgentTest {
 protected:
  void SetUp() override {
    lab::AgentTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    project_ = tmp_.file("src/project");
    lab::make_regen_project(project_);
    env_.store().next_night("0001-test", "");
  }
  std::string url() const { return model_url(); }

  TempDir tmp_;
  ScopedEnv key_{"SKILLPIPE_TEST_MODEL_KEY", "sk-test-not-a-secret"};
  BackendEnv env_{"backends/agent"};
  std::string project_;
};

TEST_P(BackendAgent, ReplayReturnsTheTrajectoryAndIsCachedWithinTheNight) {
  auto b = env_.make("backend_agent", config(GetParam(), url(), tmp_.file("replays")));
  std::string why;
  ASSERT_TRUE(b->available(&why)) << why;
  EXPECT_NE(b->identity().find(GetParam() == Agent::kClaude ? "agent:claude-2.1.197" : "agent:codex-0.171.0"),
            std::string::npos)
      << b->identity();
  const TaskRecord task = lab::regen_task("regen-1", project_);
  ChatResponse r = b->complete(replay_request(task, true), env_.ctx());
  ASSERT_TRUE(r.trajectory.has_value());
  const Trajectory& t = *r.trajectory;
  EXPECT_EQ(t.ended, "completed") << r.text;
  EXPECT_EQ(t.skills_invoked, std::vector<std::string>{lab::kSkillName});
  EXPECT_NE(std::find(t.skills_listed.begin(), t.skills_listed.end(), lab::kSkillName), t.skills_listed.end());
  ASSERT_EQ(t.checks.size(), 1u);
  EXPECT_EQ(t.checks[0].exit_code, 0) << t.checks[0].output_excerpt;
  EXPECT_EQ(t.check_exit_code, 0);
  EXPECT_EQ(t.files_changed, std::vector<std::string>{"generated/fields.txt"});
  EXPECT_FALSE(t.workspace_commit.empty());
  EXPECT_NE(t.start.find("head"), std::string::npos) << t.start;
  ASSERT_FALSE(t.diff_artifact.empty());
  const auto& artifacts = env_.store().data()->nights.back().artifacts;
  const std::string diff_rel = t.diff_artifact.substr(std::string("artifacts/").size());
  ASSERT_TRUE(artifacts.count(diff_rel)) << t.diff_artifact;
  EXPECT_NE(artifacts.at(diff_rel).find("+email"), std::string::npos);
  EXPECT_GT(r.usage.input, 0);
  EXPECT_GT(r.cost_usd, 0) << "Claude reports its cost; Codex is priced from `price`";
  EXPECT_FALSE(r.cached);
  const auto calls = server_->model_calls().size();
  EXPECT_GE(calls, 3u);
  EXPECT_NEAR(b->budget().cost_used, r.cost_usd, 1e-9);

  ChatResponse again = b->complete(replay_request(task, true), env_.ctx());
  EXPECT_TRUE(again.cached);
  ASSERT_TRUE(again.trajectory.has_value());
  EXPECT_EQ(again.trajectory->skills_invoked, t.skills_invoked);
  EXPECT_EQ(server_->model_calls().size(), calls) << "a cached replay makes no model call";

  ChatResponse other = b->complete(replay_request(task, false), env_.ctx());
  ASSERT_TRUE(other.trajectory.has_value());
  EXPECT_TRUE(other.trajectory->skills_invoked.empty()) << "different documents: a fresh replay";
  EXPECT_EQ(other.trajectory->check_exit_code, 1);
  EXPECT_TRUE(fs::is_empty(tmp_.file("replays")) || !fs::exists(tmp_.file("replays/" + std::string("x"))));
}

// Processes whose working directory is under `root` (an agent started ahead runs in its
// workspace).
int processes_under(const std::string& root) {
  int n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    const std::string cwd = fs::read_symlink(e.path() / "cwd", ec).string();
    if (!ec && cwd.rfind(root, 0) == 0) ++n;
  }
  return n;
}

template <class F>
bool eventually(F done, int seconds = 60) {
  for (int i = 0; i < seconds * 10; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return done();
}

// The evaluation service's Lookahead: the replays announced are made ready before their calls
// (workspace and documents, and Claude Code started, waiting for its prompt) without a model
// call; the call then gets the same replay a cold one would; and one whose call never comes
// leaves neither a workspace nor a process behind.
TEST_P(BackendAgent, AnnouncedReplaysAreMadeReadyAheadAndReleasedWhenTheyDoNotCome) {
  const std::string root = tmp_.file("replays");
  auto b = env_.make("backend_agent", config(GetParam(), url(), root, R"(, "prewarm": 2, "prewarm_idle_cores": 0)"));
  auto* ahead = dynamic_cast<Lookahead*>(b.get());
  ASSERT_NE(ahead, nullptr) << "backend_agent offers the SDK's Lookahead";
  const std::vector<ChatRequest> batch{replay_request(lab::regen_task("regen-1", project_), true),
                                       replay_request(lab::regen_task("regen-2", project_), true)};
  ahead->expect(batch, env_.ctx());
  const bool claude = GetParam() == Agent::kClaude;
  auto ready = [&] {
    int dirs = 0;
    for ([[maybe_unused]] const auto& e : fs::directory_iterator(root)) ++dirs;
    return dirs == 2 && (!claude || processes_under(root) >= 2);
  };
  ASSERT_TRUE(eventually(ready)) << "two workspaces" << (claude ? " and two waiting agents" : "");
  std::this_thread::sleep_for(std::chrono::seconds(2));  // an agent that talks before its prompt would now
  EXPECT_EQ(server_->model_calls().size(), 0u) << "getting ready costs no model call";

  ChatResponse r = b->complete(batch[0], env_.ctx());
  ASSERT_TRUE(r.trajectory.has_value());
  const Trajectory& t = *r.trajectory;
  EXPECT_EQ(t.ended, "completed") << r.text;
  EXPECT_EQ(t.skills_invoked, std::vector<std::string>{lab::kSkillName});
  EXPECT_EQ(t.check_exit_code, 0);
  EXPECT_EQ(t.files_changed, std::vector<std::string>{"generated/fields.txt"});
  EXPECT_GE(server_->model_calls().size(), 3u);
  const auto counts = env_.ctx().counts();
  EXPECT_EQ(counts.count(claude ? "agent_prestarted" : "agent_workspace_ready"), 1u) << "it took the replay made ready";

  // A second batch announces regen-2 too (single-flight would run it once for both): the
  // first batch ending without calling it must not drop what the second still wants.
  const std::vector<ChatRequest> second{batch[1]};
  ahead->expect(second, env_.ctx());
  ahead->forget(batch, env_.ctx());  // regen-2's call never came from the first batch
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  int left = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(root)) ++left;
  EXPECT_EQ(left, 1) << "regen-2's workspace stays for the second batch";
  if (claude) {
    EXPECT_GE(processes_under(root), 1) << "and its agent keeps waiting";
  }
  ahead->forget(second, env_.ctx());  // nor from the second
  EXPECT_TRUE(eventually([&] { return fs::is_empty(root) && processes_under(root) == 0; }))
      << "the unused replay's agent is killed and its workspace removed";
}

// A night compares replays of one task under different documents, so they must start at one
// commit even when the user commits during the night; the next night starts at the new HEAD.
TEST_P(BackendAgent, ReplaysOfOneNightStartAtOneCommitWhateverHeadDoes) {
  auto b = env_.make("backend_agent", config(GetParam(), url(), tmp_.file("replays"), R"(, "prewarm": 0)"));
  const TaskRecord task = lab::regen_task("regen-1", project_);
  const std::string first = lab::git(project_, {"rev-parse", "HEAD"});
  const ChatResponse before = b->complete(replay_request(task, true), env_.ctx());
  ASSERT_TRUE(before.trajectory.has_value());
  EXPECT_EQ(before.trajectory->workspace_commit, first);
  lab::git(project_, {"commit", "-q", "--allow-empty", "-m", "the user goes on working"});
  const std::string moved = lab::git(project_, {"rev-parse", "HEAD"});
  ASSERT_NE(moved, first);
  const ChatResponse after = b->complete(replay_request(task, false), env_.ctx());
  ASSERT_TRUE(after.trajectory.has_value());
  EXPECT_EQ(after.trajectory->workspace_commit, first) << "the same night: the same start";
  env_.store().next_night("0002-test", "");
  const ChatResponse next = b->complete(replay_request(task, true), env_.ctx());
  ASSERT_TRUE(next.trajectory.has_value());
  EXPECT_EQ(next.trajectory->workspace_commit, moved) << "a new night starts where the project is now";
}

TEST_P(BackendAgent, RequestsThatAreNotReplaysAreRefused) {
  auto b = env_.make("backend_agent", config(GetParam(), url(), tmp_.file("replays")));
  ChatRequest judge;
  judge.purpose = "judge";
  judge.messages = {{"user", "grade this"}};
  try {
    b->complete(judge, env_.ctx());
    FAIL() << "expected a refusal";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("backend_llm"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(server_->model_calls().empty());
}

TEST_P(BackendAgent, AMissingProjectIsAReplayErrorNotAnAnswer) {
  auto b = env_.make("backend_agent", config(GetParam(), url(), tmp_.file("replays")));
  try {
    b->complete(replay_request(lab::regen_task("gone", tmp_.file("nowhere")), false), env_.ctx());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
  }
}

SKILLPIPE_FOR_EACH_AGENT(BackendAgent);

TEST(BackendAgentConfinement, ClaudeIsRefusedWithoutASandboxUnlessConfineNone) {
  TempDir tmp;
  testing::write_text(tmp.file("bin/claude"), "#!/bin/sh\necho '2.1.197 (Claude Code)'\n");
  fs::permissions(tmp.file("bin/claude"), fs::perms::owner_all);
  ScopedEnv key("ANTHROPIC_API_KEY", "sk-test");
  BackendEnv env("backends/agent");
  const std::string base = R"({"agent": "claude", "binary": ")" + tmp.file("bin/claude") +
                           R"(", "bwrap": ")" + tmp.file("no-bwrap") + R"(", "workspace_root": ")" + tmp.file("r") + "\"";
  auto refused = env.make("backend_agent", base + "}");
  std::string why;
  EXPECT_FALSE(refused->available(&why));
  EXPECT_NE(why.find("bubblewrap"), std::string::npos) << why;
  EXPECT_NE(why.find("confine: none"), std::string::npos) << why;
  auto allowed = env.make("backend_agent", base + R"(, "confine": "none"})");
  EXPECT_TRUE(allowed->available(&why)) << why;
  EXPECT_NE(env.log().find("without an OS sandbox"), std::string::npos) << env.log();
  auto codex = env.make("backend_agent", R"({"agent": "codex", "binary": "/bin/true", "bwrap": ")" + tmp.file("no-bwrap") +
                                             R"(", "workspace_root": ")" + tmp.file("r") + R"(", "auth": "api_key"})");
  ScopedEnv okey("OPENAI_API_KEY", "sk-test");
  EXPECT_FALSE(codex->available(&why)) << "the key was not set when it was configured";
}

}  // namespace
}  // namespace skillpipe::backend_agent
