// The real Claude Code and Codex CLIs (scripts/agent_clis.sh; SKILLPIPE_CLAUDE_BIN,
// SKILLPIPE_CODEX_BIN) against the in-process scripted model server: how skills are listed
// and loaded, that a matching skill's command really runs, that the naive path runs
// otherwise, and that nothing from the user's home reaches the model.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "agent_cli.hpp"
#include "conversation.hpp"
#include "model_server.hpp"
#include "skill_agent.hpp"
#include "skills.hpp"
#include "test_support.hpp"

namespace skillpipe::agent_cli {
namespace {

namespace fs = std::filesystem;
namespace ms = skillpipe::model_server;
using skillpipe::testing::TempDir;

constexpr const char* kSkillName = "merge-count";
constexpr const char* kSkillDescription = "Count the pull requests merged into this repository.";
// Only in the body: a request carrying it has loaded the skill.
constexpr const char* kBodyMarker = "BODY-MARKER-4b1f";
constexpr const char* kSkillBody =
    "# Merge count (BODY-MARKER-4b1f)\n\nRun:\n```bash\ngit log --merges --oneline | wc -l > MERGES.txt\n```\n";
constexpr const char* kMatchingTask = "how many pull requests were merged into this repository?";
constexpr const char* kOtherTask = "show me the latest commit";
constexpr const char* kNaiveCommand = "git log -1 --oneline > LATEST.txt";

std::string read(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

ms::Conversation parse(const ms::LoggedRequest& r) {
  return r.api == "anthropic" ? ms::parse_anthropic(r.body) : ms::parse_responses(r.body);
}

// A command the CLI ran and the exit code it reported in its own event stream.
struct Ran {
  std::string command;
  int exit_code;
};

std::vector<Ran> commands_in_stream(Agent a, const RunResult& r, std::vector<std::string>* tools) {
  std::vector<Ran> out;
  std::map<std::string, std::string> bash_inputs;
  for (const auto& line : r.events()) {
    rapidjson::Document e;
    e.Parse(line.c_str());
    if (e.HasParseError() || !e.IsObject()) continue;
    if (a == Agent::kCodex) {
      if (std::string(e["type"].GetString()) != "item.completed") continue;
      const auto& item = e["item"];
      if (std::string(item["type"].GetString()) == "command_execution") {
        out.push_back({item["command"].GetString(), item["exit_code"].GetInt()});
      }
      continue;
    }
    if (!e.HasMember("message") || !e["message"].IsObject() || !e["message"]["content"].IsArray()) continue;
    for (const auto& b : e["message"]["content"].GetArray()) {
      std::string type = b.HasMember("type") ? b["type"].GetString() : "";
      if (type == "tool_use") {
        tools->push_back(b["name"].GetString());
        if (std::string(b["name"].GetString()) == "Bash") bash_inputs[b["id"].GetString()] = b["input"]["command"].GetString();
      } else if (type == "tool_result" && bash_inputs.count(b["tool_use_id"].GetString())) {
        bool err = b.HasMember("is_error") && b["is_error"].GetBool();
        out.push_back({bash_inputs[b["tool_use_id"].GetString()], err ? 1 : 0});
      }
    }
  }
  return out;
}

class AgentCli : public ::testing::TestWithParam<Agent> {
 protected:
  void SetUp() override {
    if (agent_bin(GetParam()).empty()) {
      std::string why = std::string(bin_env_var(GetParam())) + " is not set; run scripts/agent_clis.sh and export it";
      if (agents_required()) FAIL() << why << " (SKILLPIPE_REQUIRE_AGENTS=1)";
      GTEST_SKIP() << why;
    }
    sandbox_ = std::make_unique<Sandbox>(dir_.path());
    // one merged pull request, so the skill's command has something to count
    git(sandbox_->workspace(), {"checkout", "-q", "-b", "feature"});
    git(sandbox_->workspace(), {"commit", "-q", "--allow-empty", "-m", "Add a feature"});
    git(sandbox_->workspace(), {"checkout", "-q", "main"});
    git(sandbox_->workspace(), {"merge", "-q", "--no-ff", "feature", "-m", "Merge pull request #1 from acme/feature"});
    ms::SkillAgentOptions o;
    o.threshold = 0.6;
    o.default_commands = {kNaiveCommand};
    server_ = std::make_unique<ms::ModelServer>(std::make_shared<ms::SkillAgentPolicy>(o));
  }

  RunResult run(const std::string& prompt, RunOptions opts = {}) {
    if (GetParam() == Agent::kCodex) {
      std::string config = !opts.config_dir.empty() ? opts.config_dir
                           : opts.home.empty()      ? sandbox_->codex_home()
                                                    : opts.home + "/.codex";
      sandbox_->write_codex_config(server_->openai_base_url(), config);
      return run_codex(*sandbox_, prompt, opts);
    }
    return run_claude(*sandbox_, server_->base_url(), prompt, opts);
  }

  std::string ws(const std::string& rel) const { return sandbox_->workspace() + "/" + rel; }

  TempDir dir_;
  std::unique_ptr<Sandbox> sandbox_;
  std::unique_ptr<ms::ModelServer> server_;
};

TEST_P(AgentCli, MatchingSkillIsListedByDescriptionThenLoadedAndItsCommandRuns) {
  sandbox_->install_skill(GetParam(), kSkillName, kSkillDescription, kSkillBody);
  RunResult r = run(kMatchingTask);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto calls = server_->model_calls();
  ASSERT_GE(calls.size(), 3u);
  // The first request lists the skill by name and description only.
  auto listed = ms::listed_skills(parse(calls[0]));
  auto it = std::find_if(listed.begin(), listed.end(), [](const ms::ListedSkill& s) { return s.name == kSkillName; });
  ASSERT_NE(it, listed.end());
  EXPECT_EQ(it->description, kSkillDescription);
  EXPECT_EQ(calls[0].body.find(kBodyMarker), std::string::npos) << "the body was sent before the skill was invoked";
  EXPECT_EQ(calls[0].rule, "skill_agent:load merge-count");
  // After the load call the body is in the conversation and its command runs.
  EXPECT_NE(calls[1].body.find(kBodyMarker), std::string::npos);
  std::vector<std::string> tools;
  auto ran = commands_in_stream(GetParam(), r, &tools);
  ASSERT_FALSE(ran.empty());
  EXPECT_NE(ran.back().command.find("git log --merges --oneline | wc -l > MERGES.txt"), std::string::npos);
  EXPECT_EQ(ran.back().exit_code, 0);
  if (GetParam() == Agent::kClaude) {
    ASSERT_FALSE(tools.empty());
    EXPECT_EQ(tools.front(), "Skill");
  }
  EXPECT_EQ(read(ws("MERGES.txt")), "1\n");
  EXPECT_FALSE(fs::exists(ws("LATEST.txt")));
}

TEST_P(AgentCli, WithoutAMatchingSkillTheNaivePathRunsAndTheBodyIsNeverSent) {
  sandbox_->install_skill(GetParam(), kSkillName, kSkillDescription, kSkillBody);
  RunResult r = run(kOtherTask);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto calls = server_->model_calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].rule, "skill_agent:naive 1/1");
  for (const auto& c : calls) EXPECT_EQ(c.body.find(kBodyMarker), std::string::npos);
  std::vector<std::string> tools;
  auto ran = commands_in_stream(GetParam(), r, &tools);
  ASSERT_EQ(ran.size(), 1u);
  EXPECT_NE(ran[0].command.find(kNaiveCommand), std::string::npos);
  EXPECT_EQ(ran[0].exit_code, 0);
  EXPECT_TRUE(fs::exists(ws("LATEST.txt")));
  EXPECT_FALSE(fs::exists(ws("MERGES.txt")));
}

// A decoy "user home" holds global memory and a global skill with a marker. Run once with
// HOME pointing at it (the control: the CLI does read those files), then with the scratch
// HOME the lab uses: the marker must never reach the model, and nothing is written there.
TEST_P(AgentCli, NothingFromTheUsersHomeReachesTheModel) {
  const std::string marker = "DECOY-HOME-MARKER-91c2";
  std::string decoy = dir_.file("decoy-home");
  const bool claude = GetParam() == Agent::kClaude;
  skillpipe::testing::write_text(decoy + (claude ? "/.claude/CLAUDE.md" : "/.codex/AGENTS.md"),
                                 "Always mention " + marker + ".\n");
  skillpipe::testing::write_text(decoy + (claude ? "/.claude/skills/decoy/SKILL.md" : "/.agents/skills/decoy/SKILL.md"),
                                 "---\nname: decoy\ndescription: " + marker + " decoy skill\n---\nbody\n");
  ::setenv("SKILLPIPE_DECOY_TOKEN", "ghp_DECOYdecoy0123456789DECOYdecoy012345", 1);  // in our env only
  RunOptions control;
  control.home = decoy;
  ASSERT_EQ(run("say hello", control).exit_code, 0);
  bool seen = false;
  for (const auto& c : server_->model_calls()) seen = seen || c.body.find(marker) != std::string::npos;
  ASSERT_TRUE(seen) << "control run: the CLI did not read the decoy home, so the isolation check proves nothing";

  server_->clear_log();
  fs::remove_all(decoy + (claude ? "/.claude/projects" : "/.codex/sessions"));
  RunResult r = run("say hello");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& c : server_->requests()) {
    EXPECT_EQ(c.body.find(marker), std::string::npos) << c.path;
    EXPECT_EQ(c.body.find("ghp_DECOY"), std::string::npos) << c.path;
  }
  EXPECT_FALSE(fs::exists(decoy + (claude ? "/.claude/projects" : "/.codex/sessions")));
  ::unsetenv("SKILLPIPE_DECOY_TOKEN");
}

INSTANTIATE_TEST_SUITE_P(Pinned, AgentCli, ::testing::Values(Agent::kClaude, Agent::kCodex),
                         [](const auto& info) { return info.param == Agent::kClaude ? "Claude" : "Codex"; });

}  // namespace
}  // namespace skillpipe::agent_cli
