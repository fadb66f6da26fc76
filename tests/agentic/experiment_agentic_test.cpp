// `skillpipe experiment --agentic --assert-improves` with the real Claude Code and Codex
// against the scripted loopback model (pipelines/agentic_experiment/model.yaml): on the
// fixture repository the seed with skillpipe's default description never triggers and the
// baseline fails the project's check; the night learns a description (a set_description edit)
// and a rule that names the generator, the gate accepts them, trigger recall goes from 0 to 1
// on val and on the held-out test split, and val and test improve; the staged SKILL.md
// carries the learned description, adopt writes it and rollback restores the seed. The seed
// whose description never matches, given a body-only edit, is never invoked, gains nothing
// and is rejected. The numbers asserted are the README's.
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

// experiment_agentic.cpp installs each seed as a user-level skill of its own home:
// <experiment>/home-<seed>/.claude/skills/<skill>/SKILL.md (Codex: .agents/skills).
std::string arm_home(const rapidjson::Value& arm) {
  return fs::path(arm["store"].GetString()).parent_path().string() + "/home-" + arm["seed"].GetString();
}

// The staged SKILL.md carries the learned description; adopt writes it where the agent loads
// the skill, rollback restores the seed byte for byte.
void adopt_and_roll_back(const rapidjson::Value& arm, const std::string& learned, const std::string& project,
                         bool claude) {
  const std::string home = arm_home(arm), store = arm["store"].GetString();
  const std::string live = home + (claude ? "/.claude/skills" : "/.agents/skills") + "/schema-regen/SKILL.md";
  const std::string seed = testing::read_text(live);
  ASSERT_EQ(seed.find(learned), std::string::npos);
  const std::string staged = testing::read_text(std::string(arm["night_dir"].GetString()) + "/proposed/" +
                                                (claude ? "claude" : "codex") + "_skill.schema-regen.SKILL.md");
  EXPECT_NE(staged.find("\ndescription: " + learned + "\n"), std::string::npos) << staged;
  const std::vector<std::string> env = {"HOME=" + home};
  const auto adopt = testing::run_skillpipe({"adopt", "--store", store, "--project", project}, env);
  ASSERT_EQ(adopt.exit_code, 0) << adopt.err << adopt.out;
  const std::string adopted = testing::read_text(live);
  EXPECT_NE(adopted.find("\ndescription: " + learned + "\n"), std::string::npos) << adopted << adopt.err << adopt.out;
  EXPECT_NE(adopted.find("name: schema-regen\n"), std::string::npos);
  EXPECT_NE(adopted.find("sh tools/regen.sh"), std::string::npos);
  const auto back = testing::run_skillpipe({"rollback", "--store", store, "--project", project}, env);
  ASSERT_EQ(back.exit_code, 0) << back.err << back.out;
  EXPECT_EQ(testing::read_text(live), seed);
}

// The seed's description never triggers; the learned one triggers on every regen task and
// on no browse task, on val and on the held-out test split (the gate's own metrics).
void check_learned_triggers(const rapidjson::Value& good, const std::string& learned) {
  for (const char* r : {"baseline", "baseline_test"}) {
    const rapidjson::Value* base = role(good, r);
    ASSERT_TRUE(base) << r;
    EXPECT_DOUBLE_EQ((*base)["trigger_recall"].GetDouble(), 0.0) << r;
    EXPECT_TRUE((*base)["trigger_precision"].IsNull()) << r;
    ASSERT_TRUE((*base)["invoked"].IsInt()) << r << ": the gate counts invocations on the roles it measures";
    EXPECT_EQ((*base)["invoked"].GetInt(), 0) << r;
    EXPECT_DOUBLE_EQ((*base)["pass_rate"].GetDouble(), 0.25) << r;
  }
  for (const char* r : {"candidate", "candidate_test"}) {
    const rapidjson::Value* cand = role(good, r);
    ASSERT_TRUE(cand) << r;
    EXPECT_DOUBLE_EQ((*cand)["trigger_recall"].GetDouble(), 1.0) << r;
    EXPECT_DOUBLE_EQ((*cand)["trigger_precision"].GetDouble(), 1.0) << r;
  }
  EXPECT_TRUE((*role(good, "train"))["trigger_recall"].IsNull()) << "the gate does not measure train";
  bool rule = false, description = false;
  for (const auto& e : good["accepted_edits"].GetArray()) {
    rule |= std::string(e.GetString()).find("sh tools/regen.sh") != std::string::npos;
    description |= e.GetString() == learned;
  }
  EXPECT_TRUE(rule && description) << "both edits are needed: the rule is only read once the skill triggers";
}

// The gate measured the triggering itself, from the val clusters (6 regen tasks should
// trigger, 2 browse tasks should not); its decision, report.json and report.html say so.
void check_learned_report(const rapidjson::Value& good) {
  const std::string reason = good["gate_reason"].GetString();
  EXPECT_NE(reason.find("; trigger recall 0.00 (0 of 6), precision n/a (0 of 0 invocations) -> recall 1.00 "
                        "(6 of 6), precision 1.00 (6 of 6 invocations)"),
            std::string::npos)
      << reason;
  const std::string night = good["night_dir"].GetString();
  rapidjson::Document report;
  report.Parse(testing::read_text(night + "/report.json").c_str());
  ASSERT_TRUE(report.IsObject() && report.HasMember("metrics"));
  EXPECT_DOUBLE_EQ(report["metrics"]["trigger.schema-regen.recall.baseline"].GetDouble(), 0.0);
  EXPECT_DOUBLE_EQ(report["metrics"]["trigger.schema-regen.recall.candidate"].GetDouble(), 1.0);
  EXPECT_DOUBLE_EQ(report["metrics"]["trigger.schema-regen.precision.candidate"].GetDouble(), 1.0);
  EXPECT_DOUBLE_EQ(report["metrics"]["trigger.schema-regen.recall.candidate_test"].GetDouble(), 1.0);
  // The night's report.html shows the trajectories: the generator's command, the skill, the diff.
  const std::string html = testing::read_text(night + "/artifacts/report.html");
  EXPECT_NE(html.find("<h2>Agent replays</h2>"), std::string::npos);
  EXPECT_NE(html.find("sh tools/regen.sh"), std::string::npos);
  EXPECT_NE(html.find("<td><code>schema-regen</code></td>"), std::string::npos);
  EXPECT_NE(html.find("+email"), std::string::npos) << "the candidate's diff of generated/fields.txt";
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

// The learned seed: accepted, scores and trigger recall rise on val and test, both edits
// are kept, the gate's reason and the report's metrics say so, adopt/rollback round-trips,
// and report.html shows the trajectories.
void check_learned_arm(const rapidjson::Value& good, const std::string& project, bool claude) {
  EXPECT_EQ(std::string(good["seed"].GetString()), "learned");
  EXPECT_EQ(std::string(good["gate_action"].GetString()), "accept") << good["gate_reason"].GetString();
  // val: 6 regen tasks (fail without the generator) + 2 browse tasks (pass either way)
  EXPECT_DOUBLE_EQ(good["baseline_val"].GetDouble(), 0.25);
  EXPECT_DOUBLE_EQ(good["candidate_val"].GetDouble(), 1.0);
  EXPECT_DOUBLE_EQ(good["baseline_test"].GetDouble(), 0.25);
  EXPECT_DOUBLE_EQ(good["candidate_test"].GetDouble(), 1.0);
  const std::string learned = good["learned_description"].GetString();
  EXPECT_EQ(learned, "Refresh the generated files after a schema change; the tests fail until generated files match "
                     "the schema.");
  EXPECT_NE(std::string(good["description"].GetString()).find("Use it for every task in this project"),
            std::string::npos);
  check_learned_triggers(good, learned);
  check_learned_report(good);
  adopt_and_roll_back(good, learned, project, claude);
}

// The seed whose description never matches: never invoked, gains nothing, not accepted.
void check_never_arm(const rapidjson::Value& never) {
  EXPECT_NE(std::string(never["gate_action"].GetString()), "accept");
  EXPECT_DOUBLE_EQ(never["baseline_val"].GetDouble(), 0.25);
  EXPECT_NE(std::string(never["gate_reason"].GetString()).find("trigger recall 0.00 (0 of 6), precision n/a"),
            std::string::npos)
      << never["gate_reason"].GetString();
  for (const auto& r : never["replays"].GetArray()) {
    const std::string name = r["role"].GetString();
    if (name == "train") {  // the gate measures val and test only; train's count is unknown, not 0
      EXPECT_TRUE(r["invoked"].IsNull()) << name;
      continue;
    }
    ASSERT_TRUE(r["invoked"].IsInt()) << name;
    EXPECT_EQ(r["invoked"].GetInt(), 0) << name;
    if (r.HasMember("trigger_recall") && r["trigger_recall"].IsNumber()) {
      EXPECT_DOUBLE_EQ(r["trigger_recall"].GetDouble(), 0.0);
    }
  }
  if (never["candidate_val"].IsNumber()) {
    EXPECT_DOUBLE_EQ(never["candidate_val"].GetDouble(), 0.25);
  }
}

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
  check_learned_arm(d["arms"][0], d["project"].GetString(), claude);
  check_never_arm(d["arms"][1]);
  // No replay wrote into the user's home, and no workspace was left behind.
  EXPECT_TRUE(fs::is_empty(tmp_.file("home")));
  EXPECT_TRUE(!fs::exists(tmp_.file("replays")) || fs::is_empty(tmp_.file("replays")));
}

// An optimizer that over-reaches (tests/agentic/data/too_broad_description.yaml): its
// description also names the browse tasks, so the agent invokes the skill there too. The gate
// rejects it and says trigger precision fell. Claude Code only: the gate's side of this does not
// depend on the CLI, and the experiment above already runs both.
TEST(AgenticExperimentGate, TooBroadDescriptionIsRejected) {
  if (lab::agent_binary(Agent::kClaude).empty()) {
    if (lab::agents_required()) FAIL() << lab::missing_agent_message(Agent::kClaude);
    GTEST_SKIP() << lab::missing_agent_message(Agent::kClaude);
  }
  TempDir tmp;
  fs::create_directories(tmp.file("home"));
  ms::ModelServer server(
      ms::ScriptPolicy::load(testing::source_dir() + "/tests/agentic/data/too_broad_description.yaml"));
  std::vector<std::string> args = {"experiment", "--agentic", "--agent", "claude", "--model-server", server.base_url(),
                                   "--binary", lab::agent_binary(Agent::kClaude), "--store", tmp.file("store"),
                                   "--json", "--set", "backends.agent.workspace_root=" + tmp.file("replays"),
                                   "--set", "backends.agent.model_retries=0"};
  if (const std::string bw = lab::test_bwrap(); !bw.empty()) args.insert(args.end(), {"--set", "backends.agent.bwrap=" + bw});
  const auto cmd = testing::run_skillpipe(args, {"HOME=" + tmp.file("home"), "ANTHROPIC_API_KEY=sk-test-not-a-secret"});
  ASSERT_EQ(cmd.exit_code, 0) << cmd.err << cmd.out;
  rapidjson::Document d;
  d.Parse(cmd.out.c_str());
  ASSERT_FALSE(d.HasParseError()) << cmd.out;
  EXPECT_FALSE(d["proven"].GetBool());
  const rapidjson::Value& arm = d["arms"][0];
  EXPECT_EQ(std::string(arm["gate_action"].GetString()), "reject");
  const std::string reason = arm["gate_reason"].GetString();
  EXPECT_NE(reason.find("trigger precision of skill schema-regen fell: invoked on 2 of 2 tasks it is not for, was 0 "
                        "of 2 (precision n/a -> 0.75)"),
            std::string::npos)
      << reason;
  EXPECT_TRUE(arm["learned_description"].GetString() == std::string()) << "nothing was accepted";
  const rapidjson::Value* cand = role(arm, "candidate");
  ASSERT_TRUE(cand);
  EXPECT_DOUBLE_EQ((*cand)["trigger_recall"].GetDouble(), 1.0) << "recall went up";
  EXPECT_DOUBLE_EQ((*cand)["trigger_precision"].GetDouble(), 0.75) << "but 2 of 8 invocations were strays";
}

INSTANTIATE_TEST_SUITE_P(Pinned, AgenticExperiment, ::testing::Values(Agent::kClaude, Agent::kCodex),
                         [](const auto& info) { return std::string(info.param == Agent::kClaude ? "Claude" : "Codex"); });

}  // namespace
}  // namespace skillpipe::backend_agent
