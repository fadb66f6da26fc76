// Full nights through the CLI: the mock backend (accept, adopt, the memory and Codex
// targets, fan-out to a user's own skill, unverified nights, no backend, a bad template)
// and backend_llm against a scripted HTTP server (a garbage reflection reply and its retry).
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <map>
#include <mutex>
#include <regex>

#include "skillpipe/kit/util.hpp"
#include "test_support.hpp"
#if __has_include("scripted_server.hpp")
#include "scripted_server.hpp"
#define NIGHT_HAVE_SCRIPTED_SERVER 1
#endif

namespace skillpipe {
namespace {

using testing::read_text;
using testing::run_skillpipe;
using testing::TempDir;
using testing::write_text;

std::string pipeline() { return testing::source_dir() + "/pipelines/experiment.yaml"; }
std::string data(const std::string& f) { return testing::test_data_dir() + "/night/" + f; }

struct Night {
  testing::CommandResult cmd;
  rapidjson::Document summary;
  const rapidjson::Value& report() const { return summary["report"]; }
  std::string action() const { return report()["gate_action"].GetString(); }
  std::string dir() const { return summary["night_dir"].GetString(); }
};

Night run_night(const std::string& pipeline_file, const std::string& project, const std::string& store,
                const std::vector<std::string>& sets, const std::vector<std::string>& env = {}) {
  std::vector<std::string> args = {"run", pipeline_file, "--project", project, "--store", store, "--json"};
  for (const auto& s : sets) {
    args.push_back("--set");
    args.push_back(s);
  }
  Night n;
  n.cmd = run_skillpipe(args, env);
  n.summary.Parse(n.cmd.out.c_str());
  return n;
}

std::string notes_of(const rapidjson::Value& report) {
  std::string all;
  for (const auto& n : report["notes"].GetArray()) all += std::string(n.GetString()) + "\n";
  return all;
}

TEST(NightCli, MemoryLessonIsGatedStagedEmittedToAgentsMdAndAdopted) {
  TempDir tmp;
  const std::string project = tmp.file("proj"), store = tmp.file("store");
  const std::string user_memory = "# My project\n\nUse pnpm, never npm.\nno trailing newline here";
  write_text(project + "/CLAUDE.md", user_memory);
  const Night n = run_night(pipeline(), project, store,
                            {"stages.mine.persona=programmer", "stages.consolidate.evolve_skill=false",
                             "stages.consolidate.targets=[claude_skill, claude_memory, codex_memory]"});
  ASSERT_EQ(n.cmd.exit_code, 0) << n.cmd.err;
  ASSERT_TRUE(n.summary.IsObject()) << n.cmd.out;
  EXPECT_EQ(n.action(), "accept") << n.cmd.out;
  EXPECT_NEAR(n.report()["baseline_val"].GetDouble(), 0.3194, 5e-5);
  EXPECT_DOUBLE_EQ(n.report()["candidate_val"].GetDouble(), 1.0);
  const auto& props = n.report()["proposals"];
  ASSERT_EQ(props.Size(), 2u) << n.cmd.out;
  EXPECT_STREQ(props[0]["target"].GetString(), "claude_memory");
  EXPECT_STREQ(props[0]["status"].GetString(), "accepted");
  EXPECT_EQ(props[0]["base_sha256"].GetString(), sha256_hex(user_memory));
  EXPECT_STREQ(props[1]["target"].GetString(), "codex_memory");
  EXPECT_STREQ(props[1]["base_sha256"].GetString(), "");  // AGENTS.md did not exist
  // Staged for review: report, diffs, the proposed documents.
  EXPECT_NE(read_text(n.dir() + "/report.md").find("accept"), std::string::npos);
  const std::string proposed = read_text(n.dir() + "/proposed/claude_memory.CLAUDE.md");
  EXPECT_EQ(proposed.rfind(user_memory, 0), 0u) << proposed;  // the user's bytes come first, unchanged
  EXPECT_NE(proposed.find("- Write git commit subjects in imperative mood, max 50 chars."), std::string::npos);
  // Nothing is live until adopted.
  EXPECT_EQ(read_text(project + "/CLAUDE.md"), user_memory);
  auto adopt = run_skillpipe({"adopt", "--project", project, "--store", store});
  ASSERT_EQ(adopt.exit_code, 0) << adopt.err << adopt.out;
  EXPECT_EQ(read_text(project + "/CLAUDE.md"), proposed);
  EXPECT_NE(read_text(project + "/AGENTS.md").find("imperative mood"), std::string::npos);
  // The next night starts from the adopted memory: nothing left to learn.
  const Night again = run_night(pipeline(), project, store,
                                {"stages.mine.persona=programmer", "stages.consolidate.evolve_skill=false"});
  ASSERT_EQ(again.cmd.exit_code, 0) << again.cmd.err;
  EXPECT_EQ(again.action(), "no_edits");
  EXPECT_DOUBLE_EQ(again.report()["baseline_val"].GetDouble(), 1.0);
}

TEST(NightCli, UsersOwnSkillGetsItsOwnGatedProposal) {
  TempDir tmp;
  const std::string project = tmp.file("proj"), store = tmp.file("store");
  const std::string own =
      "---\nname: release-notes\ndescription: Write release notes.\n---\n\n# Release notes\n\nOne line per change.\n";
  write_text(project + "/.claude/skills/release-notes/SKILL.md", own);
  const Night n = run_night(pipeline(), project, store,
                            {"stages.mine.fixture=" + data("fanout.json"), "stages.mine.persona=mixed",
                             "backends.mock.rules_file=" + data("fanout.json"), "stages.consolidate.fanout=true"},
                            {"HOME=" + tmp.path()});  // ~/.claude/skills must not hold another release-notes
  ASSERT_EQ(n.cmd.exit_code, 0) << n.cmd.err;
  EXPECT_EQ(n.action(), "accept") << n.cmd.out;
  std::map<std::string, std::string> by_name;
  for (const auto& p : n.report()["proposals"].GetArray())
    by_name[p["name"].GetString()] = p["proposed_text"].GetString();
  ASSERT_EQ(by_name.count("release-notes"), 1u) << n.cmd.out;
  ASSERT_EQ(by_name.count("skillpipe-learned"), 1u) << n.cmd.out;
  // Each skill got only its own family's lesson, and the user's skill only inside the markers.
  EXPECT_EQ(by_name["release-notes"].rfind(own, 0), 0u);
  EXPECT_NE(by_name["release-notes"].find("<answer>"), std::string::npos);
  EXPECT_EQ(by_name["release-notes"].find("imperative"), std::string::npos);
  EXPECT_NE(by_name["skillpipe-learned"].find("imperative"), std::string::npos);
  EXPECT_EQ(by_name["skillpipe-learned"].find("<answer>"), std::string::npos);
  EXPECT_NE(notes_of(n.report()).find("skill release-notes (4 tasks): accept"), std::string::npos)
      << notes_of(n.report());
  // Adoptable one by one.
  auto adopt = run_skillpipe({"adopt", "--project", project, "--store", store, "--skill", "release-notes"});
  ASSERT_EQ(adopt.exit_code, 0) << adopt.err << adopt.out;
  EXPECT_EQ(read_text(project + "/.claude/skills/release-notes/SKILL.md"), by_name["release-notes"]);
  EXPECT_FALSE(std::filesystem::exists(project + "/.claude/skills/skillpipe-learned/SKILL.md"));
}

TEST(NightCli, NoValSplitMakesTheNightUnverified) {
  TempDir tmp;
  const Night n = run_night(pipeline(), tmp.file("proj"), tmp.file("store"),
                            {"stages.mine.fixture=" + data("single.json"), "stages.mine.persona=solo",
                             "backends.mock.rules_file=" + data("single.json")});
  ASSERT_EQ(n.cmd.exit_code, 0) << n.cmd.err;
  EXPECT_EQ(n.action(), "reject_unverified") << n.cmd.out;
  EXPECT_NE(notes_of(n.report()).find("Not validated: there is no val split"), std::string::npos);
  const auto& props = n.report()["proposals"];
  ASSERT_GE(props.Size(), 1u);
  for (const auto& p : props.GetArray()) EXPECT_STREQ(p["status"].GetString(), "unverified");
  // A plain adopt takes only accepted proposals.
  run_skillpipe({"adopt", "--project", tmp.file("proj"), "--store", tmp.file("store")});
  EXPECT_FALSE(std::filesystem::exists(tmp.file("proj/.claude/skills/skillpipe-learned/SKILL.md")));
}

TEST(NightCli, WithoutABackendItExplainsHowToEnableTheFullCycle) {
  TempDir tmp;
  const Night n = run_night(pipeline(), tmp.file("proj"), tmp.file("store"), {"stages.consolidate.backend=\"\""});
  ASSERT_EQ(n.cmd.exit_code, 0) << n.cmd.err;
  EXPECT_EQ(n.action(), "no_edits");  // nothing was staged; the host's default action stands
  const std::string notes = notes_of(n.report());
  EXPECT_NE(notes.find("consolidate_reflect did not run: no `backend` is configured"), std::string::npos) << notes;
  EXPECT_NE(notes.find("OPENAI_API_KEY"), std::string::npos);
  EXPECT_EQ(n.report()["llm_calls"].GetInt64(), 0);
}

TEST(NightCli, ReflectTemplateWithUnknownPlaceholderFailsBeforeAnyWork) {
  TempDir tmp;
  write_text(tmp.file("reflect.md"), "Improve {{document}} using {{failures}} and {{fialures}}.");
  const Night n = run_night(pipeline(), tmp.file("proj"), tmp.file("store"),
                            {"stages.consolidate.reflect_template=" + tmp.file("reflect.md")});
  EXPECT_EQ(n.cmd.exit_code, 2) << n.cmd.err;
  EXPECT_NE(n.cmd.err.find("{{fialures}}"), std::string::npos) << n.cmd.err;
  EXPECT_NE(n.cmd.err.find("/stages/2/config/reflect_template"), std::string::npos) << n.cmd.err;
}

TEST(NightCli, StatisticalGateReportsItsInterval) {
  TempDir tmp;
  const Night n = run_night(pipeline(), tmp.file("proj"), tmp.file("store"),
                            {"stages.consolidate.gate_mode=statistical", "stages.consolidate.gate_test=bootstrap",
                             "stages.consolidate.gate_min_val=6"});
  ASSERT_EQ(n.cmd.exit_code, 0) << n.cmd.err;
  EXPECT_EQ(n.action(), "accept") << n.cmd.out;  // 6 of 6 val tasks improve by 2/3
  const auto& m = n.report()["metrics"];
  ASSERT_TRUE(m.HasMember("gate.ci_low")) << n.cmd.out;
  EXPECT_NEAR(m["gate.ci_low"].GetDouble(), 2.0 / 3, 1e-9);
  EXPECT_NEAR(m["gate.ci_high"].GetDouble(), 2.0 / 3, 1e-9);
  EXPECT_NEAR(m["gate.alpha"].GetDouble(), 0.025, 1e-12);  // the night's first candidate: alpha / 2
  EXPECT_NEAR(m["gate.effect"].GetDouble(), 2.0 / 3, 1e-9);
  // Programmer: 3 val tasks, below gate_min_val: no significance is claimed, the promising
  // edit is carried to the next night instead of being accepted or thrown away.
  TempDir tmp2;
  const Night p = run_night(pipeline(), tmp2.file("proj"), tmp2.file("store"),
                            {"stages.mine.persona=programmer", "stages.consolidate.gate_mode=statistical",
                             "stages.consolidate.gate_test=sign"});
  ASSERT_EQ(p.cmd.exit_code, 0) << p.cmd.err;
  EXPECT_EQ(p.action(), "reject") << p.cmd.out;
  EXPECT_NE(std::string(p.report()["gate_reason"].GetString()).find("gate_min_val"), std::string::npos)
      << p.cmd.out;
  EXPECT_NE(notes_of(p.report()).find("fewer than gate_min_val"), std::string::npos) << p.cmd.out;
  int carried = 0;
  for (const auto& e : p.report()["rejected_edits"].GetArray())
    carried += std::string(e["status"].GetString()) == "carried";
  EXPECT_GT(carried, 0) << p.cmd.out;
}

// A carried edit is re-tested the next night on fresh samples, not proposed from scratch, and
// its evidence accumulates: 3 val tasks a night never reach gate_min_val (8) alone, but pooled
// over three nights (9 tasks) the edit is significant and accepted. Without pooling the third
// night would refuse it again for too few val tasks.
TEST(NightCli, CarriedEditPoolsItsEvidenceAcrossNightsUntilSignificant) {
  TempDir tmp;
  const std::vector<std::string> sets = {"stages.mine.persona=programmer", "stages.consolidate.gate_mode=statistical"};
  const Night first = run_night(pipeline(), tmp.file("proj"), tmp.file("store"), sets);
  ASSERT_EQ(first.cmd.exit_code, 0) << first.cmd.err;
  EXPECT_EQ(first.action(), "reject") << first.cmd.out;
  const Night second = run_night(pipeline(), tmp.file("proj"), tmp.file("store"), sets);
  ASSERT_EQ(second.cmd.exit_code, 0) << second.cmd.err;
  EXPECT_NE(notes_of(second.report()).find("carried from an earlier night are re-tested"), std::string::npos)
      << second.cmd.out;
  EXPECT_EQ(second.action(), "reject") << second.cmd.out;
  const std::string trials2 = notes_of(second.report());  // each trial's decision is a note
  EXPECT_NE(trials2.find("6 val task(s) could be compared over 2 nights"), std::string::npos) << trials2;
  const Night third = run_night(pipeline(), tmp.file("proj"), tmp.file("store"), sets);
  ASSERT_EQ(third.cmd.exit_code, 0) << third.cmd.err;
  EXPECT_EQ(third.action(), "accept") << third.cmd.out;
  const std::string why3 = third.report()["gate_reason"].GetString();
  EXPECT_NE(why3.find("pooled over 3 nights"), std::string::npos) << why3;
  const auto& m = third.report()["metrics"];
  EXPECT_GT(m["gate.effect_low"].GetDouble(), 0.0) << third.cmd.out;  // the effect, with its interval
  EXPECT_LE(m["gate.p_value"].GetDouble(), m["gate.alpha"].GetDouble());
  EXPECT_NEAR(m["gate.alpha"].GetDouble(), 0.05 / 8, 1e-12);  // its third look, the night's first test: alpha / 2^(1 + 2)
}

// --tasks-file is honoured or refused (exit 2, naming why); never silently ignored.
TEST(NightCli, TasksFileIsRefusedWhenNoStageReadsIt) {
  TempDir tmp;
  auto run = [&](const std::string& file) {
    return run_skillpipe({"run", pipeline(), "--project", tmp.file("proj"), "--store", tmp.file("store"),
                          "--tasks-file", file});
  };
  const auto missing = run(tmp.file("nope.jsonl"));
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_NE(missing.err.find("no such file"), std::string::npos) << missing.err;
  write_text(tmp.file("tasks.jsonl"), "");
  const auto ignored = run(tmp.file("tasks.jsonl"));
  EXPECT_EQ(ignored.exit_code, 2) << ignored.err;
  EXPECT_NE(ignored.err.find("not honoured by this pipeline"), std::string::npos) << ignored.err;
  EXPECT_NE(ignored.err.find("mine_personas"), std::string::npos) << ignored.err;
}

TEST(NightCli, TestSplitIsScoredBeforeAndAfter) {
  TempDir tmp;
  const Night n = run_night(pipeline(), tmp.file("proj"), tmp.file("store"), {"stages.mine.test_fraction=0.3"});
  ASSERT_EQ(n.cmd.exit_code, 0) << n.cmd.err;
  EXPECT_EQ(n.action(), "accept") << n.cmd.out;
  ASSERT_TRUE(n.report()["baseline_test"].IsNumber()) << n.cmd.out;
  EXPECT_LT(n.report()["baseline_test"].GetDouble(), 0.5);
  EXPECT_DOUBLE_EQ(n.report()["candidate_test"].GetDouble(), 1.0);
  int test_deltas = 0;
  for (const auto& d : n.report()["deltas"].GetArray()) test_deltas += std::string(d["split"].GetString()) == "test";
  EXPECT_EQ(static_cast<double>(test_deltas), n.report()["metrics"]["tasks.test"].GetDouble());
  EXPECT_GT(test_deltas, 0);
}

#ifdef NIGHT_HAVE_SCRIPTED_SERVER
// backend_llm against a scripted OpenAI-compatible server. Replays answer the codeword right
// only when the documents hold the PINEAPPLE rule; at temperature > 0 (rollouts) an unknowing
// agent is right every other time. Reflection first answers prose, then (on the retry) JSON.
class NightScripted : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.set_responder([this](const testing::ScriptedRequest& req) {
      testing::Action a = respond(req);
      a.latency_s = latency_s_;
      return a;
    });
  }

  testing::Action respond(const testing::ScriptedRequest& req) {
    std::lock_guard<std::mutex> lock(mu_);
    if (req.body.find("optimizer of coding-agent instructions") != std::string::npos) {
      reflect_bodies_.push_back(req.body);
      if (garbage_always_ || req.body.find("previous reply was not valid JSON") == std::string::npos)
        return testing::Action::ok("I would add a rule about codewords, I think.");
      return testing::Action::ok(
          "```json\n{\"edits\":[{\"op\":\"add\",\"content\":\"The project codeword is PINEAPPLE, then a "
          "dash and the ticket number.\",\"rationale\":\"every failure used the wrong codeword\",\"kind\":"
          "\"skill_defect\"}]}\n```");
    }
    replay_bodies_.push_back(req.body);
    std::smatch m;
    const std::string n = std::regex_search(req.body, m, ticket_) ? m[1].str() : "0";
    bool right = req.body.find("codeword is PINEAPPLE") != std::string::npos;
    if (!right && req.body.find("\"temperature\":0.7") != std::string::npos) right = (sampled_[n]++ % 2) == 0;
    return testing::Action::ok((right ? "PINEAPPLE-" : "BANANA-") + n);
  }

  // Writes the pipeline of a night on data/night/scripted.json; `consolidate` is the stage's
  // extra config, `llm_extra` the backends'.
  std::string write_pipeline(const std::string& consolidate, const std::string& llm_extra, std::string base_url) {
    if (base_url.empty()) base_url = server_.openai_base_url();
    const std::string llm = "{provider: openai, base_url: \"" + base_url +
                            "\", api_key_env: NIGHT_TEST_KEY, max_retries: 0, timeout_s: 10" + llm_extra;
    write_text(tmp_.file("night.yaml"),
               "skillpipe: 1\n"
               "store: {plugin: store_files}\n"
               "backends:\n"
               "  target: {plugin: backend_llm, config: " +
                   llm +
                   ", model: target-model}}\n"
                   "  optimizer: {plugin: backend_llm, config: " +
                   llm +
                   ", model: optimizer-model}}\n"
                   "stages:\n"
                   "  - id: mine\n"
                   "    plugin: mine_personas\n"
                   "    config: {fixture: \"" +
                   data("scripted.json") +
                   "\", persona: pine}\n"
                   "  - id: judge\n"
                   "    plugin: judge_exact\n"
                   "    inputs: [mine]\n"
                   "  - id: consolidate\n"
                   "    plugin: consolidate_reflect\n"
                   "    inputs: [mine, judge]\n"
                   "    config: {backend: target, fanout: false" +
                   consolidate + "}\n");
    return tmp_.file("night.yaml");
  }

  Night night(const std::string& consolidate, const std::string& llm_extra = "", bool with_key = true,
              std::string base_url = "") {
    return run_night(write_pipeline(consolidate, llm_extra, std::move(base_url)), tmp_.file("proj"),
                     tmp_.file("store"), {},
                     with_key ? std::vector<std::string>{"NIGHT_TEST_KEY=test-key-123"}
                              : std::vector<std::string>{"NIGHT_TEST_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL"});
  }

  // Starts the night written last without waiting (output to /dev/null).
  pid_t spawn_night() {
    const std::vector<std::string> args = {testing::skillpipe_bin(), "run", tmp_.file("night.yaml"), "--project",
                                           tmp_.file("proj"), "--store", tmp_.file("store")};
    const pid_t pid = ::fork();
    if (pid == 0) {
      const int null = ::open("/dev/null", O_RDWR);
      ::dup2(null, 0), ::dup2(null, 1), ::dup2(null, 2);
      ::setenv("NIGHT_TEST_KEY", "test-key-123", 1);
      ::setenv("SKILLPIPE_STORE_FSYNC", "0", 1);  // SIGKILL is a process crash: the page cache survives
      std::vector<char*> argv;
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    return pid;
  }

  // Every answer bills 11 + 7 tokens (the scripted server's usage).
  long billed_tokens() const { return 18L * server_.requests(); }

  testing::ScriptedServer server_;
  TempDir tmp_;
  std::mutex mu_;
  std::vector<std::string> reflect_bodies_, replay_bodies_;
  std::map<std::string, int> sampled_;
  bool garbage_always_ = false;  // the optimizer never gives usable JSON
  std::atomic<double> latency_s_{0};  // how long every answer takes
  const std::regex ticket_{"ticket ([0-9]+)"};
};

TEST_F(NightScripted, GarbageReflectionIsRetriedAndTheOptimizerModelReflects) {
  const Night n = night(", optimizer_backend: optimizer, gate_mode: strict");
  ASSERT_EQ(n.cmd.exit_code, 0) << n.cmd.err << n.cmd.out;
  EXPECT_EQ(n.action(), "accept") << n.cmd.out;
  ASSERT_EQ(reflect_bodies_.size(), 2u);
  EXPECT_NE(reflect_bodies_[1].find("previous reply was not valid JSON"), std::string::npos);
  EXPECT_NE(notes_of(n.report()).find("skill reflection: no JSON edit list found in the reply; asked once more"),
            std::string::npos);
  // Two models: reflection on the optimizer, replays on the target.
  for (const auto& b : reflect_bodies_) EXPECT_NE(b.find("optimizer-model"), std::string::npos);
  for (const auto& b : replay_bodies_) EXPECT_NE(b.find("target-model"), std::string::npos);
  EXPECT_NE(std::string(n.report()["attrs"]["models"].GetString()).find("reflection"), std::string::npos);
  EXPECT_DOUBLE_EQ(n.report()["candidate_val"].GetDouble(), 1.0);
  EXPECT_GT(n.report()["llm_calls"].GetInt64(), 10);
  EXPECT_GT(n.report()["tokens"]["input"].GetInt64(), 0);
}

// An optimizer that never answers usably fails the stage (exit 1, a clear message); the
// night is not published as an empty `no_edits` night.
TEST_F(NightScripted, UnusableOptimizerFailsTheStage) {
  garbage_always_ = true;
  const Night n = night(", optimizer_backend: optimizer");
  EXPECT_EQ(n.cmd.exit_code, 1) << n.cmd.err << n.cmd.out;
  EXPECT_NE(n.cmd.err.find("the optimizer"), std::string::npos) << n.cmd.err;
  EXPECT_NE(n.cmd.err.find("the retry was not usable either"), std::string::npos) << n.cmd.err;
  EXPECT_NE(n.cmd.err.find("nothing staged"), std::string::npos) << n.cmd.err;
}

TEST_F(NightScripted, RolloutsShowGoodAndBadAttemptsSideBySide) {
  const Night n = night(", rollouts_k: 2");
  ASSERT_EQ(n.cmd.exit_code, 0) << n.cmd.err << n.cmd.out;
  ASSERT_FALSE(reflect_bodies_.empty());
  EXPECT_NE(reflect_bodies_[0].find("answered well and badly"), std::string::npos) << reflect_bodies_[0];
  EXPECT_NE(reflect_bodies_[0].find("GOOD (score 1.0000): PINEAPPLE-"), std::string::npos);
  EXPECT_NE(reflect_bodies_[0].find("BAD (score"), std::string::npos);
}

TEST_F(NightScripted, PlanOverTheCapIsRefusedBeforeAnyPaidCall) {
  const Night n = night("", ", budget: {max_tokens: 400}");
  ASSERT_EQ(n.cmd.exit_code, 0) << n.cmd.err << n.cmd.out;
  EXPECT_EQ(n.action(), "budget_refused") << n.cmd.out;
  EXPECT_EQ(server_.requests(), 0);
  EXPECT_NE(notes_of(n.report()).find("on_over_budget=fit"), std::string::npos);
  EXPECT_GT(n.report()["metrics"]["plan_tokens"].GetDouble(), 400);
}

TEST_F(NightScripted, BudgetRunningOutStopsTheNightHonestly) {
  // Told to run past its plan, the night spends up to the cap and says the budget ended it.
  const Night n = night(", on_over_budget: run", ", budget: {max_tokens: 400}");
  ASSERT_EQ(n.cmd.exit_code, 0) << n.cmd.err << n.cmd.out;
  EXPECT_EQ(n.action(), "budget_stopped") << n.cmd.out;
  EXPECT_EQ(n.report()["proposals"].Size(), 0u);
}

// The report counts every call the server saw, once (the night's spend ledger).
TEST_F(NightScripted, TheReportCountsExactlyTheCallsTheServerWasPaidFor) {
  const Night n = night(", optimizer_backend: optimizer, gate_mode: strict");
  ASSERT_EQ(n.cmd.exit_code, 0) << n.cmd.err << n.cmd.out;
  const auto& r = n.report();
  EXPECT_EQ(r["llm_calls"].GetInt64() - r["cached_calls"].GetInt64(), server_.requests());
  EXPECT_EQ(r["tokens"]["input"].GetInt64() + r["tokens"]["output"].GetInt64(), billed_tokens());
  EXPECT_EQ(r["counts"]["spend.consolidate.paid_calls"].GetInt64(), server_.requests());
  const std::string md = read_text(n.dir() + "/report.md");
  EXPECT_NE(md.find("(" + std::to_string(server_.requests()) + " paid,"), std::string::npos) << md;
  // `status` shows the same spend.
  const auto st = run_skillpipe({"status", "--project", tmp_.file("proj"), "--store", tmp_.file("store")});
  EXPECT_NE(st.out.find("Spend: " + std::to_string(server_.requests()) + " paid call(s)"), std::string::npos)
      << st.out;
}

// A night with a token cap killed with SIGKILL after N answers and resumed never makes the
// server bill more than the cap, to the token: the ledger counts a call in flight at its
// worst case, and nothing is read from a saved total.
TEST_F(NightScripted, AKilledAndResumedNightNeverPassesItsTokenCap) {
  constexpr long kCap = 900;
  // Small answers keep each call's worst case small, so the cap allows several calls.
  const std::string llm_extra = ", max_tokens: 40, budget: {max_tokens: " + std::to_string(kCap) + "}";
  latency_s_ = 0.05;
  write_pipeline(", on_over_budget: run", llm_extra, "");
  const Night whole = run_night(tmp_.file("night.yaml"), tmp_.file("proj"), tmp_.file("store"), {},
                                {"NIGHT_TEST_KEY=test-key-123"});
  ASSERT_EQ(whole.cmd.exit_code, 0) << whole.cmd.err;
  ASSERT_EQ(whole.action(), "budget_stopped") << "the cap must end the night for the test to mean anything ("
                                              << server_.requests() << " calls, " << billed_tokens() << " tokens)";
  const long uninterrupted = billed_tokens();
  ASSERT_LE(uninterrupted, kCap);
  ASSERT_GE(server_.requests(), 6) << "the cap must allow a few calls for the kills to land between them\n"
                                    << notes_of(whole.report());
  for (const int kill_after : {1, 3, 6, 12}) {
    SCOPED_TRACE("killed after " + std::to_string(kill_after) + " answers");
    server_.reset_counters();
    std::filesystem::remove_all(tmp_.file("store"));
    write_pipeline(", on_over_budget: run", llm_extra, "");
    const pid_t pid = spawn_night();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (server_.requests() < kill_after && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the night ended before the kill";
    const Night resumed = run_night(tmp_.file("night.yaml"), tmp_.file("proj"), tmp_.file("store"), {},
                                    {"NIGHT_TEST_KEY=test-key-123"});
    ASSERT_EQ(resumed.cmd.exit_code, 0) << resumed.cmd.err;
    EXPECT_TRUE(resumed.summary["resumed"].GetBool());
    EXPECT_LE(billed_tokens(), kCap) << "uninterrupted: " << uninterrupted;
    std::printf("killed after %d answers: the server billed %ld tokens in %d calls (cap %ld; uninterrupted %ld)\n",
                kill_after, billed_tokens(), server_.requests(), kCap, uninterrupted);
    // The report never counts less than the server billed.
    const auto& t = resumed.report()["tokens"];
    EXPECT_GE(t["input"].GetInt64() + t["output"].GetInt64(), billed_tokens());
  }
}

// An endpoint that refuses every connection fails the night with the backend's own error.
TEST_F(NightScripted, AnUnreachableEndpointFailsTheNightWithTheBackendsError) {
  std::string url;
  {
    testing::ScriptedServer gone;
    url = gone.openai_base_url();
  }  // nothing listens there any more
  const Night n = night("", "", true, url);
  EXPECT_NE(n.cmd.exit_code, 0) << n.cmd.out;
  EXPECT_NE(n.cmd.err.find("the replay backend said: POST " + url), std::string::npos) << n.cmd.err;
}

TEST_F(NightScripted, UnavailableBackendCostsNothing) {
  // A remote OpenAI endpoint without its key: backend_llm reports itself unavailable.
  const Night n = night("", "", /*with_key=*/false, "https://api.openai.com/v1");
  ASSERT_EQ(n.cmd.exit_code, 0) << n.cmd.err << n.cmd.out;
  EXPECT_NE(notes_of(n.report()).find("backend 'target' is not available"), std::string::npos) << n.cmd.out;
  EXPECT_EQ(server_.requests(), 0);
}
#endif

}  // namespace
}  // namespace skillpipe
