// Full nights through the CLI with the mock backend: accept, adopt, the memory and Codex
// targets, fan-out to a user's own skill, unverified nights, no backend, a bad template, the
// statistical gate, carried edits, the test split. backend_llm against a scripted HTTP server
// is in night_scripted_test.cpp.
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

#include "night_cli_support.hpp"
#include "skillpipe/kit/util.hpp"
#include "test_support.hpp"

namespace skillpipe {
namespace {

using namespace night_test;

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

// A proposal keeps the live file's text in the store, and a secret never goes there: a memory
// document holding one is left as it is (with a note saying where and what to do), and so is a
// fan-out target holding one; no file in the store holds the secret afterwards.
TEST(NightCli, ADocumentHoldingASecretIsLeftAsItIs) {
  const std::string token = "ghp_Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8";
  auto store_holds = [&](const std::string& store) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(store))
      if (e.is_regular_file() && read_text(e.path().string()).find(token) != std::string::npos) return true;
    return false;
  };
  TempDir tmp;
  const std::string project = tmp.file("proj"), store = tmp.file("store");
  write_text(project + "/CLAUDE.md", "# My project\n\nDEPLOY_TOKEN=" + token + "\n");
  const Night n = run_night(pipeline(), project, store,
                            {"stages.mine.persona=programmer", "stages.consolidate.evolve_skill=false"});
  ASSERT_EQ(n.cmd.exit_code, 0) << n.cmd.err;
  EXPECT_EQ(n.report()["proposals"].Size(), 0u) << n.cmd.out;
  EXPECT_NE(notes_of(n.report()).find("CLAUDE.md holds what looks like a secret at line 3 (github_token)"),
            std::string::npos)
      << notes_of(n.report());
  EXPECT_FALSE(store_holds(store));

  TempDir tmp2;
  const std::string project2 = tmp2.file("proj"), store2 = tmp2.file("store");
  write_text(project2 + "/CLAUDE.md", "# My project\n");
  write_text(project2 + "/AGENTS.md", "# Codex\n\nexport DEPLOY_TOKEN=" + token + "\n");
  const Night fan = run_night(pipeline(), project2, store2,
                              {"stages.mine.persona=programmer", "stages.consolidate.evolve_skill=false",
                               "stages.consolidate.targets=[claude_skill, claude_memory, codex_memory]"});
  ASSERT_EQ(fan.cmd.exit_code, 0) << fan.cmd.err;
  EXPECT_EQ(fan.action(), "accept") << fan.cmd.out;
  ASSERT_EQ(fan.report()["proposals"].Size(), 1u) << fan.cmd.out;
  EXPECT_STREQ(fan.report()["proposals"][0]["target"].GetString(), "claude_memory");
  EXPECT_NE(notes_of(fan.report()).find("not emitted to codex_memory"), std::string::npos) << notes_of(fan.report());
  EXPECT_FALSE(store_holds(store2));
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
  for (const auto& e : p.report()["rejected_edits"].GetArray()) {
    if (std::string(e["status"].GetString()) != "carried") continue;
    ++carried;
    // Why it is not kept yet, typed (Edit schema 3), with the gate's measured sentence.
    EXPECT_STREQ(e["rejection"].GetString(), "too_few_tasks") << p.cmd.out;
    EXPECT_NE(std::string(e["rejection_detail"].GetString()).find("gate_min_val"), std::string::npos) << p.cmd.out;
  }
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


}  // namespace
}  // namespace skillpipe
