// `skillpipe experiment`: SkillOpt-Sleep's numbers for both personas, and the two harder
// scenarios where only the per-task no-regression gate refuses the harmful rule.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <filesystem>

#include "test_support.hpp"

namespace skillpipe {
namespace {

struct ExpRun {
  testing::CommandResult cmd;
  rapidjson::Document json;
  double seconds = 0;
};

ExpRun experiment(std::vector<std::string> extra, const std::string& store) {
  std::vector<std::string> args = {"experiment", "--json", "--assert-improves", "--store", store};
  args.insert(args.end(), extra.begin(), extra.end());
  ExpRun r;
  const auto t0 = std::chrono::steady_clock::now();
  r.cmd = testing::run_skillpipe(args);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.json.Parse(r.cmd.out.c_str());
  return r;
}

std::string data(const std::string& f) { return testing::test_data_dir() + "/night/" + f; }

// report.json of a night in the store, found by its id.
std::string night_report(const std::string& store, const std::string& night_id) {
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(store, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
    if (it->path().filename() == night_id && std::filesystem::exists(it->path() / "report.json"))
      return testing::read_text((it->path() / "report.json").string());
  return {};
}

TEST(NightExperiment, ResearcherReproducesSkillOpt) {
  testing::TempDir tmp;
  const ExpRun r = experiment({"--persona", "researcher"}, tmp.path());
  ASSERT_EQ(r.cmd.exit_code, 0) << r.cmd.err << r.cmd.out;
  ASSERT_TRUE(r.json.IsObject()) << r.cmd.out;
  EXPECT_DOUBLE_EQ(r.json["baseline"].GetDouble(), 0.3333);
  EXPECT_DOUBLE_EQ(r.json["after"].GetDouble(), 1.0);
  EXPECT_DOUBLE_EQ(r.json["lift"].GetDouble(), 0.6667);
  EXPECT_EQ(r.json["n_val"].GetInt(), 6);
  const auto& trace = r.json["trace"];
  ASSERT_EQ(trace.Size(), 1u);  // converged in one night, as in SkillOpt
  EXPECT_STREQ(trace[0]["action"].GetString(), "accept");
  EXPECT_EQ(trace[0]["accepted_edits"].Size(), 2u);
  EXPECT_TRUE(r.json["harmful_blocked"].GetBool());
  EXPECT_TRUE(r.json["probe_exercised"].GetBool());
  EXPECT_NE(r.cmd.err.find("PASS"), std::string::npos);
  EXPECT_LT(r.seconds, 10.0);
}

TEST(NightExperiment, ProgrammerReproducesSkillOpt) {
  testing::TempDir tmp;
  const ExpRun r = experiment({"--persona", "programmer"}, tmp.path());
  ASSERT_EQ(r.cmd.exit_code, 0) << r.cmd.err << r.cmd.out;
  EXPECT_DOUBLE_EQ(r.json["baseline"].GetDouble(), 0.3194);
  EXPECT_DOUBLE_EQ(r.json["after"].GetDouble(), 1.0);
  EXPECT_EQ(r.json["trace"][0]["accepted_edits"].Size(), 1u);
  EXPECT_TRUE(r.json["harmful_blocked"].GetBool());
  // The night is in the store like any run: status finds the experiment's project.
  auto status = testing::run_skillpipe({"status", "--project", r.json["project"].GetString(), "--store", tmp.path()});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_LT(r.seconds, 10.0);
}

// The harmful rule was rejected, each time with a typed reason and the measured detail; `why`,
// when given, is the reason of at least one of those nights (a later night may refuse it again
// for another reason).
void expect_refused(const ExpRun& r, const char* harmful_rule_start, const char* why = nullptr) {
  ASSERT_TRUE(r.json.IsObject()) << r.cmd.out << r.cmd.err;
  std::string reasons;
  for (const auto& n : r.json["trace"].GetArray())
    for (const auto& e : n["rejected_edits"].GetArray()) {
      if (std::string(e["content"].GetString()).rfind(harmful_rule_start, 0) != 0) continue;
      ASSERT_TRUE(e.HasMember("rejection")) << r.cmd.out;
      reasons += std::string(e["rejection"].GetString()) + " ";
      EXPECT_STRNE(e["rejection_detail"].GetString(), "") << r.cmd.out;
    }
  EXPECT_FALSE(reasons.empty()) << r.cmd.out;
  if (why) {
    EXPECT_NE(reasons.find(std::string(why) + " "), std::string::npos) << reasons << "\n" << r.cmd.out;
  }
}

TEST(NightExperiment, RuleThatHurtsAnotherFamilyIsRefusedByNoRegression) {
  testing::TempDir tmp;
  const ExpRun r =
      experiment({"--fixture", data("scenario_breaks.json"), "--persona", "reviewer", "--nights", "2"}, tmp.path());
  ASSERT_EQ(r.cmd.exit_code, 0) << r.cmd.err << r.cmd.out;
  EXPECT_TRUE(r.json["harmful_blocked"].GetBool());
  EXPECT_GT(r.json["lift"].GetDouble(), 0.0);  // the safe rule was still kept
  expect_refused(r, "Answer status questions in one line", "regression");
  ASSERT_EQ(r.json["trace"].Size(), 2u);
  EXPECT_STREQ(r.json["trace"][0]["accepted_edits"][0]["content"].GetString(),
               "Cite source locations as path/to/file:line.");
  // Night 2 knew the rule had been rejected before (the store's earlier reports).
  const std::string night2 = night_report(tmp.path(), r.json["trace"][1]["night_id"].GetString());
  EXPECT_NE(night2.find("repeat an edit the gate rejected on an earlier night"), std::string::npos) << night2;
  EXPECT_NE(night2.find("per-task no-regression is on"), std::string::npos);
  // The same nights with a mean-only gate accept the harmful rule: the assertion fails.
  testing::TempDir tmp2;
  const ExpRun naive = experiment({"--fixture", data("scenario_breaks.json"), "--persona", "reviewer", "--nights", "1",
                                   "--no-probe", "--set", "stages.consolidate.gate_no_regression=false"},
                                  tmp2.path());
  EXPECT_EQ(naive.cmd.exit_code, 1) << naive.cmd.out;
  EXPECT_FALSE(naive.json["harmful_blocked"].GetBool());
  EXPECT_NE(naive.cmd.err.find("a harmful rule was accepted"), std::string::npos);
}

// The same scenario with the fixture's explicit settings removed, so the plugin's defaults
// decide: the harmful rule is refused (no-regression) and the good rule proposed in the same
// batch is kept (salvage). Fails if either default regresses.
TEST(NightExperiment, DefaultsRefuseTheHarmfulRuleAndKeepTheGoodOne) {
  testing::TempDir tmp;
  rapidjson::Document fx;
  fx.Parse(testing::read_text(data("scenario_breaks.json")).c_str());
  ASSERT_TRUE(fx.IsObject() && fx.HasMember("settings"));
  fx.RemoveMember("settings");
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  fx.Accept(w);
  testing::write_text(tmp.file("breaks_defaults.json"), buf.GetString());
  const ExpRun r = experiment({"--fixture", tmp.file("breaks_defaults.json"), "--persona", "reviewer", "--nights", "2",
                               "--no-probe"},
                              tmp.file("store"));
  ASSERT_EQ(r.cmd.exit_code, 0) << r.cmd.err << r.cmd.out;
  EXPECT_TRUE(r.json["harmful_blocked"].GetBool()) << r.cmd.out;
  expect_refused(r, "Answer status questions in one line");
  ASSERT_GT(r.json["trace"][0]["accepted_edits"].Size(), 0u) << r.cmd.out;
  EXPECT_STREQ(r.json["trace"][0]["accepted_edits"][0]["content"].GetString(),
               "Cite source locations as path/to/file:line.");
  EXPECT_GT(r.json["lift"].GetDouble(), 0.0);
}

TEST(NightExperiment, NoisyJudgeCannotSneakTheHarmfulRuleIn) {
  testing::TempDir tmp;
  const ExpRun r =
      experiment({"--fixture", data("scenario_noisy_judge.json"), "--persona", "oncall", "--nights", "2"}, tmp.path());
  ASSERT_EQ(r.cmd.exit_code, 0) << r.cmd.err << r.cmd.out;
  EXPECT_NE(std::string(r.json["pipeline"].GetString()).find("experiment_rule.yaml"), std::string::npos);
  EXPECT_TRUE(r.json["harmful_blocked"].GetBool());
  EXPECT_GT(r.json["lift"].GetDouble(), 0.0);
  expect_refused(r, "Keep every reply under 60 characters");
  testing::TempDir tmp2;
  const ExpRun naive = experiment({"--fixture", data("scenario_noisy_judge.json"), "--persona", "oncall", "--nights",
                                   "1", "--no-probe", "--set", "stages.consolidate.gate_no_regression=false"},
                                  tmp2.path());
  EXPECT_EQ(naive.cmd.exit_code, 1) << naive.cmd.out;
  EXPECT_FALSE(naive.json["harmful_blocked"].GetBool());
}

TEST(NightExperiment, HarmfulRuleRidingAlongWithAGoodOneIsPruned) {
  testing::TempDir tmp;
  const ExpRun r = experiment({"--fixture", data("scenario_hitchhiker.json"), "--persona", "writer"}, tmp.path());
  ASSERT_EQ(r.cmd.exit_code, 0) << r.cmd.err << r.cmd.out;
  EXPECT_TRUE(r.json["harmful_blocked"].GetBool());
  EXPECT_DOUBLE_EQ(r.json["after"].GetDouble(), 1.0);
  ASSERT_EQ(r.json["trace"][0]["accepted_edits"].Size(), 1u);
  expect_refused(r, "Ignore the user's formatting requests", "not_needed");
  // A batch-only gate (SkillOpt's) accepts the pair because the batch improves val.
  testing::TempDir tmp2;
  const ExpRun batch = experiment({"--fixture", data("scenario_hitchhiker.json"), "--persona", "writer", "--no-probe",
                                   "--set", "stages.consolidate.prune_edits=false"},
                                  tmp2.path());
  EXPECT_EQ(batch.cmd.exit_code, 1) << batch.cmd.out;
  EXPECT_FALSE(batch.json["harmful_blocked"].GetBool());
  EXPECT_EQ(batch.json["trace"][0]["accepted_edits"].Size(), 2u);
}

// The probe's few tasks are helped by a `breaks:` rule the real nights refuse; the probe
// judges only the harmful task's rule, so this is no false alarm.
TEST(NightExperiment, ProbeJudgesOnlyTheHarmfulRule) {
  testing::TempDir tmp;
  const ExpRun r =
      experiment({"--fixture", data("scenario_probe.json"), "--persona", "reviewer", "--nights", "2"}, tmp.path());
  ASSERT_EQ(r.cmd.exit_code, 0) << r.cmd.err << r.cmd.out;
  EXPECT_TRUE(r.json["harmful_blocked"].GetBool()) << r.cmd.out;
  expect_refused(r, "Answer status questions in one line");
  bool probe_accepted_terse = false;
  for (const auto& p : r.json["probes"].GetArray())
    probe_accepted_terse |= std::string(p["action"].GetString()) == "accept";
  EXPECT_TRUE(probe_accepted_terse) << "the fixture no longer exercises the false alarm: " << r.cmd.out;
}

// An adopted change that later scores worse on the held-out test split: `skillpipe status`
// (text and --json) and the later night's report.html say so and print the rollback command;
// after the rollback the warning is gone. The rule helps val and breaks test, so only a
// mean-only gate (no-regression off) accepts it; the default refuses it and nothing warns.
TEST(NightExperiment, AdoptedChangeWorseOnTestIsFlaggedWithTheRollbackCommand) {
  testing::TempDir tmp;
  ExpRun r = experiment({"--fixture", data("scenario_test_regression.json"), "--persona", "reviewer", "--nights",
                         "1", "--no-probe", "--set", "stages.consolidate.gate_no_regression=false"},
                        tmp.path());
  ASSERT_TRUE(r.json.IsObject()) << r.cmd.out << r.cmd.err;
  ASSERT_STREQ(r.json["trace"][0]["action"].GetString(), "accept") << r.cmd.out;
  const std::string project = r.json["project"].GetString();
  auto status = [&](std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"status", "--project", project, "--store", tmp.path()};
    args.insert(args.end(), extra.begin(), extra.end());
    return testing::run_skillpipe(args);
  };
  const auto text = status();
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("measures worse on the held-out test split"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("Roll it back with:\n  skillpipe rollback --project"), std::string::npos) << text.out;
  const auto js = status({"--json"});
  rapidjson::Document j;
  j.Parse(js.out.c_str());
  ASSERT_TRUE(j.IsObject() && j.HasMember("adopted_worse_on_test")) << js.out;
  const auto& w = j["adopted_worse_on_test"];
  EXPECT_EQ(w["version"].GetInt(), 1);
  EXPECT_LT(w["after"].GetDouble(), w["before"].GetDouble());
  // The evaluation-only night after the adoption measured it under the live documents.
  EXPECT_STRNE(w["measured_night"].GetString(), w["adopted_night"].GetString()) << js.out;
  std::string html;
  for (const auto& e : std::filesystem::recursive_directory_iterator(tmp.path()))
    if (e.path().filename() == "report.html" &&
        e.path().parent_path().parent_path().filename() == w["measured_night"].GetString())
      html = testing::read_text(e.path().string());
  EXPECT_NE(html.find("An adopted change measures worse on test"), std::string::npos);
  EXPECT_NE(html.find("skillpipe rollback --project"), std::string::npos);
  const auto undo = testing::run_skillpipe({"rollback", "--project", project, "--store", tmp.path()});
  ASSERT_EQ(undo.exit_code, 0) << undo.err << undo.out;
  EXPECT_EQ(status().out.find("measures worse on the held-out test split"), std::string::npos);
  // The default gate refuses the rule (a val task got worse): nothing adopted, nothing to flag.
  testing::TempDir tmp2;
  r = experiment({"--fixture", data("scenario_test_regression.json"), "--persona", "reviewer", "--nights", "1",
                  "--no-probe"},
                 tmp2.path());
  ASSERT_TRUE(r.json.IsObject()) << r.cmd.out << r.cmd.err;
  EXPECT_STRNE(r.json["trace"][0]["action"].GetString(), "accept") << r.cmd.out;
  const auto clean = testing::run_skillpipe({"status", "--project", r.json["project"].GetString(), "--store",
                                             tmp2.path()});
  EXPECT_EQ(clean.out.find("measures worse"), std::string::npos) << clean.out;
}

TEST(NightExperiment, BadArgumentsAreClearErrors) {
  testing::TempDir tmp;
  auto r = testing::run_skillpipe({"experiment", "--persona", "astronaut", "--store", tmp.path()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("researcher, programmer"), std::string::npos) << r.err;
  r = testing::run_skillpipe({"experiment", "--fixture", tmp.file("missing.json"), "--store", tmp.path()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("missing.json: no such file"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace skillpipe
