// `skillpipe run pipelines/agentic.yaml` end to end with the real Claude Code and Codex against
// the scripted loopback model: a reviewed task (check_command + skill_invoked + file_changed)
// is replayed by consolidate_reflect through backend_agent in an isolated checkout, with the
// live skill installed where the agent loads it, and judge_rule scores the trajectory. With
// the skill the agent invokes it, runs the command its body names and the check passes; with
// only the night's seed skill (a description that does not match) it never invokes it, does
// the naive thing and fails. The user's checkout and home stay untouched and
// no workspace is left behind.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <filesystem>
#include <sstream>

#include "lab.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/task_file.hpp"
#include "skillpipe/kit/util.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace skillpipe::backend_agent {
namespace {

RuleCheck check(RuleOp op, const std::string& arg) {
  RuleCheck c;
  c.op = op;
  c.arg = arg;
  return c;
}

// The lab task, judged on what the agent did: the project's check passes, the skill was
// invoked, and the generated file changed.
TaskRecord agentic_task(const std::string& project) {
  TaskRecord t = lab::regen_task("regen-fields-1", project);
  t.judge.checks.push_back(check(RuleOp::kSkillInvoked, lab::kSkillName));
  t.judge.checks.push_back(check(RuleOp::kFileChanged, "generated/*"));
  return t;
}

std::vector<std::string> strings(const rapidjson::Value& a) {
  std::vector<std::string> out;
  if (a.IsArray())
    for (const auto& x : a.GetArray()) out.emplace_back(x.GetString());
  return out;
}

class AgenticNight : public lab::AgentTest {
 protected:
  void SetUp() override {
    lab::AgentTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    project_ = tmp_.file("src/project");
    lab::make_regen_project(project_);
    write_text(tmp_.file("skills/" + std::string(lab::kSkillName) + "/SKILL.md"), lab::kSkill);
    fs::create_directories(tmp_.file("no-skills"));
    fs::create_directories(tmp_.file("home"));
    write_text(tmp_.file("tasks.jsonl"), task_file_text({agentic_task(project_)}, {}, true));
  }

  struct Night {
    testing::CommandResult cmd;
    rapidjson::Document summary;
    std::string dir;
  };

  Night run_night(const std::string& skill_root, const std::string& store) {
    const std::string agent = claude() ? "claude" : "codex";
    const std::string target = claude() ? "claude_skill" : "codex_skill";
    std::vector<std::string> args = {
        "run", testing::source_dir() + "/pipelines/agentic.yaml", "--project", project_, "--store", store, "--json",
        "--set", "backends.agent.agent=" + agent,
        "--set", "backends.agent.binary=" + binary(),
        "--set", "backends.agent.base_url=" + model_url(),
        "--set", "backends.agent.auth=api_key",
        "--set", "backends.agent.api_key_env=SKILLPIPE_TEST_MODEL_KEY",
        "--set", "backends.agent.model_retries=0",
        "--set", "backends.agent.max_retries=0",
        "--set", "backends.agent.timeout_s=180",
        "--set", "backends.agent.workspace_root=" + tmp_.file("replays"),
        "--set", "stages.tasks.tasks_file=" + tmp_.file("tasks.jsonl"),
        "--set", "stages.night.evaluate_only=true",
        // Evaluation only reflects on nothing, so no optimizer model is needed: name the replay backend.
        "--set", "stages.night.optimizer_backend=agent",
        "--set", "stages.night.skill_name=" + std::string(lab::kSkillName),
        "--set", "stages.night.targets=[" + target + "]",
        "--set", "stages.night." + std::string(claude() ? "claude" : "codex") + "_skill_root=" + skill_root};
    if (!claude()) {
      args.insert(args.end(), {"--set", "backends.agent.model=gpt-5.5", "--set",
                               "backends.agent.price={input: 2.0, output: 10.0}"});
    }
    if (const std::string bw = lab::test_bwrap(); !bw.empty()) args.insert(args.end(), {"--set", "backends.agent.bwrap=" + bw});
    Night n;
    n.cmd = testing::run_skillpipe(args, {"HOME=" + tmp_.file("home"), "SKILLPIPE_TEST_MODEL_KEY=sk-test-not-a-secret",
                                          "ANTHROPIC_API_KEY=", "OPENAI_API_KEY="});
    n.summary.Parse(n.cmd.out.c_str());
    if (!n.summary.HasParseError() && n.summary.IsObject() && n.summary.HasMember("night_dir"))
      n.dir = n.summary["night_dir"].GetString();
    return n;
  }

  TempDir tmp_;
  std::string project_;
};

TEST_P(AgenticNight, TheAgentReplaysTheTaskWithTheSkillAndTheJudgeSeesTheTrajectory) {
  const auto before = lab::fingerprint(project_);
  const Night n = run_night(tmp_.file("skills"), tmp_.file("store"));
  ASSERT_EQ(n.cmd.exit_code, 0) << n.cmd.err << n.cmd.out;
  ASSERT_FALSE(n.dir.empty()) << n.cmd.out;
  const rapidjson::Value& report = n.summary["report"];
  ASSERT_TRUE(report["baseline_val"].IsNumber()) << n.cmd.out << n.cmd.err;
  EXPECT_DOUBLE_EQ(report["baseline_val"].GetDouble(), 1.0) << n.cmd.out << n.cmd.err;

  const auto replays = lab::read_jsonl(n.dir + "/streams/replays.jsonl");
  // the gate's k = 3 paired samples of the one val task
  ASSERT_EQ(replays.size(), 3u) << read_text(n.dir + "/streams/replays.jsonl");
  const rapidjson::Value& r = replays[0];
  EXPECT_TRUE(!r.HasMember("error") || std::string(r["error"].GetString()).empty()) << r["error"].GetString();
  ASSERT_TRUE(r.HasMember("trajectory") && r["trajectory"].IsObject());
  const rapidjson::Value& t = r["trajectory"];
  EXPECT_EQ(std::string(t["agent"].GetString()), claude() ? "claude" : "codex");
  EXPECT_EQ(std::string(t["ended"].GetString()), "completed");
  EXPECT_EQ(strings(t["skills_invoked"]), std::vector<std::string>{lab::kSkillName});
  EXPECT_EQ(strings(t["files_changed"]), std::vector<std::string>{"generated/fields.txt"});
  bool ran_regen = false;
  for (const auto& call : t["tool_calls"].GetArray())
    ran_regen |= std::string(call["input"].GetString()).find("tools/regen.sh") != std::string::npos;
  EXPECT_TRUE(ran_regen) << "the agent ran the command the skill's body names";
  ASSERT_EQ(t["checks"].GetArray().Size(), 1u);
  EXPECT_EQ(t["checks"][0]["exit_code"].GetInt(), 0);
  if (!lab::test_bwrap().empty()) {
    EXPECT_EQ(std::string(t["confinement"].GetString()), "bubblewrap");
  }
  EXPECT_GT(r["cost_usd"].GetDouble(), 0.0);
  // The diff and the raw event stream are artifacts of the night.
  ASSERT_TRUE(t["diff_artifact"].IsString());
  EXPECT_NE(read_text(n.dir + "/" + t["diff_artifact"].GetString()).find("+email"), std::string::npos);
  EXPECT_TRUE(fs::exists(n.dir + "/" + t["events_artifact"].GetString()));

  const auto verdicts = lab::read_jsonl(n.dir + "/streams/verdicts.jsonl");
  ASSERT_FALSE(verdicts.empty());
  for (const auto& v : verdicts) EXPECT_DOUBLE_EQ(v["hard"].GetDouble(), 1.0) << v["rationale"].GetString();

  // The user's checkout is untouched, no workspace is left, no transcript landed in the home.
  EXPECT_EQ(lab::fingerprint(project_), before);
  EXPECT_EQ(lab::git(project_, {"status", "--porcelain"}), "");
  EXPECT_TRUE(fs::is_empty(tmp_.file("replays")));
  EXPECT_TRUE(fs::is_empty(tmp_.file("home"))) << "the agent wrote into the user's home";
}

TEST_P(AgenticNight, WithoutTheSkillTheAgentFailsTheCheckAndTheVerdictSaysWhy) {
  const Night n = run_night(tmp_.file("no-skills"), tmp_.file("store"));
  ASSERT_EQ(n.cmd.exit_code, 0) << n.cmd.err << n.cmd.out;
  ASSERT_FALSE(n.dir.empty()) << n.cmd.out;
  EXPECT_DOUBLE_EQ(n.summary["report"]["baseline_val"].GetDouble(), 0.0) << n.cmd.out;
  const auto replays = lab::read_jsonl(n.dir + "/streams/replays.jsonl");
  ASSERT_EQ(replays.size(), 3u);  // the gate's k = 3 paired samples of the one val task
  const rapidjson::Value& t = replays[0]["trajectory"];
  // With no live skill the night still installs its managed skill, as a seed whose default
  // description does not match the task: the agent lists it and never invokes it.
  const auto listed = strings(t["skills_listed"]);
  EXPECT_NE(std::find(listed.begin(), listed.end(), lab::kSkillName), listed.end());
  EXPECT_TRUE(strings(t["skills_invoked"]).empty());
  EXPECT_TRUE(strings(t["files_changed"]).empty());
  EXPECT_EQ(t["checks"][0]["exit_code"].GetInt(), 1);
  const auto verdicts = lab::read_jsonl(n.dir + "/streams/verdicts.jsonl");
  ASSERT_FALSE(verdicts.empty());
  const std::string why = verdicts[0]["rationale"].GetString();
  EXPECT_DOUBLE_EQ(verdicts[0]["hard"].GetDouble(), 0.0);
  EXPECT_NE(why.find("listed but never invoked"), std::string::npos) << why;
  EXPECT_NE(why.find("exit 1"), std::string::npos) << why;
}

SKILLPIPE_FOR_EACH_AGENT(AgenticNight);

}  // namespace
}  // namespace skillpipe::backend_agent
