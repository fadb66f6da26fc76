// `skillpipe experiment --agentic --assert-improves` with the real Claude Code and Codex
// against the scripted loopback model (pipelines/agentic_experiment/model.yaml): on the
// fixture repository the baseline fails the project's check, the night learns the edit that
// names the generator, the gate accepts it and val and test improve, the skill triggers on
// every regen task and on no browse task; the seed whose description never matches is never
// invoked, gains nothing and is rejected. The numbers asserted are the README's.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <filesystem>

#include "lab.hpp"
#include "model_server.hpp"
#include "script.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
namespace ms = skillpipe::model_server;

namespace skillpipe::backend_agent {
namespace {

using testing::TempDir;

const rapidjson::Value* role(const rapidjson::Value& arm, const std::string& name) {
  for (const auto& r : arm["replays"].GetArray())
    if (name == r["role"].GetString()) return &r;
  return nullptr;
}

class AgenticExperiment : public ::testing::TestWithParam<Agent> {
 protected:
  void SetUp() override {
    if (lab::agent_binary(GetParam()).empty()) {
      if (lab::agents_required()) FAIL() << lab::missing_agent_message(GetParam());
      GTEST_SKIP() << lab::missing_agent_message(GetParam());
    }
    fs::create_directories(tmp_.file("home"));
    server_ = std::make_unique<ms::ModelServer>(
        ms::ScriptPolicy::load(testing::source_dir() + "/pipelines/agentic_experiment/model.yaml"));
  }
  TempDir tmp_;
  std::unique_ptr<ms::ModelServer> server_;
};

TEST_P(AgenticExperiment, TheLearnedSkillTriggersAndHelpsAndTheNeverMatchingOneIsRejected) {
  const bool claude = GetParam() == Agent::kClaude;
  std::vector<std::string> args = {"experiment", "--agentic", "--agent", claude ? "claude" : "codex",
                                   "--model-server", server_->base_url(), "--binary", lab::agent_binary(GetParam()),
                                   "--store", tmp_.file("store"), "--assert-improves", "--json",
                                   "--set", "backends.agent.workspace_root=" + tmp_.file("replays"),
                                   "--set", "backends.agent.model_retries=0"};
  if (!claude)
    args.insert(args.end(), {"--set", "backends.agent.model=gpt-5.5", "--set",
                             "backends.agent.price={input: 2.0, output: 10.0}"});
  if (const std::string bw = lab::test_bwrap(); !bw.empty()) args.insert(args.end(), {"--set", "backends.agent.bwrap=" + bw});
  const auto cmd = testing::run_skillpipe(args, {"HOME=" + tmp_.file("home"), "ANTHROPIC_API_KEY=sk-test-not-a-secret",
                                                 "OPENAI_API_KEY=sk-test-not-a-secret"});
  ASSERT_EQ(cmd.exit_code, 0) << cmd.err << cmd.out;
  EXPECT_NE(cmd.err.find("PASS"), std::string::npos) << cmd.err;
  rapidjson::Document d;
  d.Parse(cmd.out.c_str());
  ASSERT_FALSE(d.HasParseError()) << cmd.out;
  EXPECT_TRUE(d["proven"].GetBool());
  ASSERT_EQ(d["arms"].Size(), 2u);

  const rapidjson::Value& good = d["arms"][0];
  EXPECT_EQ(std::string(good["gate_action"].GetString()), "accept") << good["gate_reason"].GetString();
  // val: 6 regen tasks (fail without the generator) + 2 browse tasks (pass either way)
  EXPECT_DOUBLE_EQ(good["baseline_val"].GetDouble(), 0.25);
  EXPECT_DOUBLE_EQ(good["candidate_val"].GetDouble(), 1.0);
  EXPECT_DOUBLE_EQ(good["baseline_test"].GetDouble(), 0.25);
  EXPECT_DOUBLE_EQ(good["candidate_test"].GetDouble(), 1.0);
  const rapidjson::Value* base = role(good, "baseline");
  const rapidjson::Value* cand = role(good, "candidate");
  ASSERT_TRUE(base && cand);
  // The matching seed triggers already; its body did not name the generator, so it failed.
  EXPECT_DOUBLE_EQ((*base)["trigger_recall"].GetDouble(), 1.0);
  EXPECT_DOUBLE_EQ((*base)["pass_rate"].GetDouble(), 0.25);
  EXPECT_DOUBLE_EQ((*cand)["trigger_recall"].GetDouble(), 1.0);
  EXPECT_DOUBLE_EQ((*cand)["trigger_precision"].GetDouble(), 1.0);
  EXPECT_NE(std::string(good["accepted_edits"][0].GetString()).find("sh tools/regen.sh"), std::string::npos);
  // The gate measured the triggering itself, from the val clusters (6 regen tasks should
  // trigger, 2 browse tasks should not), and its decision says so.
  const std::string reason = good["gate_reason"].GetString();
  EXPECT_NE(reason.find("; trigger recall 1.00 (6 of 6), precision 1.00 (6 of 6 invocations) -> recall 1.00 "
                        "(6 of 6), precision 1.00 (6 of 6 invocations)"),
            std::string::npos)
      << reason;
  rapidjson::Document report;
  report.Parse(testing::read_text(std::string(good["night_dir"].GetString()) + "/report.json").c_str());
  ASSERT_TRUE(report.IsObject() && report.HasMember("metrics"));
  EXPECT_DOUBLE_EQ(report["metrics"]["trigger.schema-regen.recall.candidate"].GetDouble(), 1.0);
  EXPECT_DOUBLE_EQ(report["metrics"]["trigger.schema-regen.precision.candidate"].GetDouble(), 1.0);
  // The night's report.html shows the trajectories: the generator's command, the skill, the diff.
  const std::string html = testing::read_text(std::string(good["night_dir"].GetString()) + "/artifacts/report.html");
  EXPECT_NE(html.find("<h2>Agent replays</h2>"), std::string::npos);
  EXPECT_NE(html.find("sh tools/regen.sh"), std::string::npos);
  EXPECT_NE(html.find("<td><code>schema-regen</code></td>"), std::string::npos);
  EXPECT_NE(html.find("+email"), std::string::npos) << "the candidate's diff of generated/fields.txt";

  const rapidjson::Value& never = d["arms"][1];
  EXPECT_NE(std::string(never["gate_action"].GetString()), "accept");
  EXPECT_DOUBLE_EQ(never["baseline_val"].GetDouble(), 0.25);
  EXPECT_NE(std::string(never["gate_reason"].GetString()).find("trigger recall 0.00 (0 of 6), precision n/a"),
            std::string::npos)
      << never["gate_reason"].GetString();
  for (const auto& r : never["replays"].GetArray()) {
    EXPECT_EQ(r["invoked"].GetInt(), 0) << r["role"].GetString();
    if (r.HasMember("trigger_recall") && r["trigger_recall"].IsNumber()) {
      EXPECT_DOUBLE_EQ(r["trigger_recall"].GetDouble(), 0.0);
    }
  }
  if (never["candidate_val"].IsNumber()) {
    EXPECT_DOUBLE_EQ(never["candidate_val"].GetDouble(), 0.25);
  }

  // No replay wrote into the user's home, and no workspace was left behind.
  EXPECT_TRUE(fs::is_empty(tmp_.file("home")));
  EXPECT_TRUE(!fs::exists(tmp_.file("replays")) || fs::is_empty(tmp_.file("replays")));
}

INSTANTIATE_TEST_SUITE_P(Pinned, AgenticExperiment, ::testing::Values(Agent::kClaude, Agent::kCodex),
                         [](const auto& info) { return std::string(info.param == Agent::kClaude ? "Claude" : "Codex"); });

}  // namespace
}  // namespace skillpipe::backend_agent
