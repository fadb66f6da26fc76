// What the A/B pages tell a reviewer: each arm's full definition (overrides, skill and memory
// with hashes, judges) in Markdown, JSON and HTML; p-values printed one way (scientific below
// 0.001, "n/a" when undefined) and Holm-corrected across pairs; every computed test and the
// run's settings in the HTML; agreement wording that says which agreement; errors in an arm's
// override located at the arm's line; night mode's HTML and its test-task counts.
#include <gtest/gtest.h>

#include <filesystem>

#include "host/ab/html.hpp"
#include "host/ab/night.hpp"
#include "host/ab/report.hpp"
#include "host/ab/runner.hpp"
#include "host/ab/spec.hpp"
#include "skillpipe/kit/util.hpp"
#include "test_support.hpp"

using namespace skillpipe::host::ab;
using skillpipe::host::Diagnostic;
using skillpipe::testing::TempDir;

namespace {

std::string data(const std::string& f) { return skillpipe::testing::test_data_dir() + "/ab/" + f; }

AbRun run_file(const std::string& file, const std::string& store) {
  std::vector<Diagnostic> errors;
  auto spec = parse_ab_spec(file, errors);
  EXPECT_TRUE(spec) << (errors.empty() ? "" : errors[0].format());
  if (!spec) return {};
  RunOptions o;
  o.plugin_dirs = {skillpipe::testing::plugin_dir()};
  o.store_root = store;
  return run_ab(*spec, o);
}

std::string hash12(const std::string& file) { return skillpipe::sha256_hex(*skillpipe::read_file(file)).substr(0, 12); }

}  // namespace

TEST(AbPages, PValuesArePrintedOneWay) {
  EXPECT_EQ(format_p(0.00049), "4.9e-04");
  EXPECT_EQ(format_p(1.9e-6), "1.9e-06");
  // 0.0078125 is an exact sign-test p: once rounded, the same digits everywhere.
  EXPECT_EQ(format_p(0.0078125), "0.00781");
  EXPECT_EQ(format_p(0.03125), "0.0312");
  EXPECT_EQ(format_p(1.0), "1");
  PairedTest none;  // no non-zero difference: the test is undefined, not p = 1
  EXPECT_EQ(format_p(none), "n/a");
  none.n = 3;
  none.p_value = 0.25;
  EXPECT_EQ(format_p(none), "0.25");
}

TEST(AbPages, HolmAdjustsAcrossTheFamilyAndSkipsUndefinedTests) {
  const auto h = holm({0.01, 0.04, 0.03, std::nullopt});
  ASSERT_EQ(h.size(), 4u);
  EXPECT_NEAR(*h[0], 0.03, 1e-12);  // smallest of 3: x3
  EXPECT_NEAR(*h[2], 0.06, 1e-12);  // second: x2
  EXPECT_NEAR(*h[1], 0.06, 1e-12);  // third: x1 = 0.04, but never below the one before
  EXPECT_FALSE(h[3]);
  EXPECT_NEAR(*holm({0.6, 0.7})[1], 1.0, 1e-12);  // capped at 1
}

TEST(AbPages, EveryPageSaysWhatEachArmIsAndCorrectsAcrossPairs) {
  TempDir store;
  const AbRun run = run_file(data("three_arms.yaml"), store.path());
  ASSERT_TRUE(run.errors.empty()) << run.errors.front();
  const AbReport rep = compare(run);
  ASSERT_EQ(rep.pairs.size(), 3u);
  const std::string skill = hash12(data("skill.md")), terse = hash12(data("skill_terse.md"));
  ASSERT_EQ(run.arms[2].skill_file, data("skill_terse.md"));

  const std::string md = report_markdown(run, rep);
  EXPECT_NE(md.find("| exact | `stages.judge.plugin=judge_exact` | " + data("skill.md") + " (sha256 " + skill +
                    ") | none |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| terse | none | " + data("skill_terse.md") + " (sha256 " + terse + ") | none |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("Holm-adjusted across the pairs"), std::string::npos);

  const std::string js = report_json(run, rep);
  EXPECT_NE(js.find("\"skill_sha256\": \"" + skillpipe::sha256_hex(*skillpipe::read_file(data("skill_terse.md")))),
            std::string::npos);
  EXPECT_NE(js.find("\"multiple_comparisons\": \"holm\""), std::string::npos);
  EXPECT_NE(js.find("\"p_holm\""), std::string::npos);

  const std::string html = report_html(run, rep);
  for (const std::string& want : std::vector<std::string>{
           "three arms", data("three_arms.yaml"), "stages.judge.plugin=judge_exact",
        data("skill_terse.md") + " (sha256 " + terse + ")", "judge (judge_exact)", "seed 11", "500 resamples",
        "hard score ≥ 0.60", "soft: Wilcoxon p", "hard: sign p", "Holm-adjusted across the pairs",
        "mean score per arm (0–1)", "What each arm is"})
    EXPECT_NE(html.find(want), std::string::npos) << want;
  EXPECT_EQ(html.find("(base)"), std::string::npos);
}

TEST(AbPages, NoDifferenceIsNotAPValueOfOneAndAgreementSaysWhichAgreement) {
  TempDir store;
  const AbRun run = run_file(data("identical.yaml"), store.path());
  ASSERT_TRUE(run.errors.empty()) << run.errors.front();
  const AbReport rep = compare(run);
  const std::string html = report_html(run, rep);
  EXPECT_EQ(html.find("1.000 / 1.000"), std::string::npos);
  EXPECT_NE(html.find("<td><span class='na'>n/a</span></td><td><span class='na'>n/a</span></td>"), std::string::npos)
      << html;
  EXPECT_NE(html.find("Pass/fail verdicts agree on every task."), std::string::npos);
  EXPECT_NE(html.find("one pair of arms, so no correction is needed"), std::string::npos);
  const std::string md = report_markdown(run, rep);
  EXPECT_NE(md.find("sign test p = n/a (no differences)"), std::string::npos) << md;
  EXPECT_EQ(md.find("The arms agree"), std::string::npos);
}

TEST(AbPages, SoftScoresThatDifferAreNamedBesideAFullPassFailAgreement) {
  PairSummary p;
  p.soft_wilcoxon.n = 5;
  p.soft_wilcoxon.p_value = 0.03125;
  EXPECT_EQ(agreement_sentence(p),
            "Pass/fail verdicts agree on every task; soft scores still differ on 5 tasks (Wilcoxon p = 0.0312).");
}

TEST(AbPages, AnUnknownPluginInAnArmOverrideIsReportedAtTheArmsLine) {
  TempDir store;
  const AbRun run = run_file(data("unknown_plugin.yaml"), store.path());
  ASSERT_FALSE(run.errors.empty());
  // Line 10 of the experiment file holds the override (the list item), column 9.
  const std::string want = data("unknown_plugin.yaml") + ":10:9: arm 'typo' set 'stages.judge.plugin=judge_nope'";
  bool found = false;
  for (const auto& e : run.errors) found = found || (e.starts_with(want) && e.find("unknown plugin 'judge_nope'") != std::string::npos);
  EXPECT_TRUE(found) << run.errors.front();
}

TEST(AbPages, NightModeCountsOnlyTestTasksWithTheirOwnScoresAndDrawsALabelledAxis) {
  NightRun run;
  run.spec.name = "budgets";
  run.spec.path = "/x/exp.yaml";
  run.work_dir = "/tmp/w";
  NightArm a;
  a.name = "narrow";
  a.sets = {"stages.consolidate.max_edits=1"};
  a.report.baseline_test = 1.0 / 3;
  a.report.candidate_test = 1.0 / 3;
  NightArm b = a;
  b.name = "wide";
  b.test_after = {{"t1", 1.0}, {"t2", 0.0}};
  run.arms = {a, b};
  NightPair p;
  p.a = 0;
  p.b = 1;
  run.pairs = {p};
  EXPECT_EQ(test_tasks_text(run.arms[0]), "0.333 -> 0.333 (mean only, no per-task scores)");
  EXPECT_EQ(test_tasks_text(run.arms[1]), "0.333 -> 0.333 (2 tasks)");
  const std::string md = night_report_markdown(run);
  EXPECT_EQ(md.find("test tasks |"), std::string::npos) << md;  // no bare "test tasks 0" column
  EXPECT_NE(md.find("| narrow | `stages.consolidate.max_edits=1` |"), std::string::npos) << md;
  const std::string html = night_report_html(run);
  for (const std::string want : {"held-out test score (0–1)", "stages.consolidate.max_edits=1",
                                  "mean only, no per-task scores", "no test task is scored by both nights",
                                  "one pair of arms, so no correction is needed"})
    EXPECT_NE(html.find(want), std::string::npos) << want;
  EXPECT_NE(night_report_json(run).find("\"sign_p\": null"), std::string::npos);
}

TEST(AbPages, HtmlIsWrittenInNightModeToo) {
  TempDir tmp;
  skillpipe::testing::write_text(tmp.file("exp.yaml"), "skillpipe_ab: 1\nmode: night\npipeline: " +
                                                           skillpipe::testing::source_dir() +
                                                           "/pipelines/experiment.yaml\narms:\n  - name: a\n  - name: b\n"
                                                           "    set: [\"stages.consolidate.edit_budget=1\"]\n");
  std::filesystem::create_directories(tmp.file("project"));
  const auto r = skillpipe::testing::run_skillpipe({"ab", tmp.file("exp.yaml"), "--html", tmp.file("page.html"), "--out",
                                                    tmp.file("work"), "--project", tmp.file("project")},
                                                   {"HOME=" + tmp.path()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html = skillpipe::testing::read_text(tmp.file("page.html"));
  EXPECT_NE(html.find("<h1>A/B of nights: "), std::string::npos);
  EXPECT_NE(html.find("stages.consolidate.edit_budget=1"), std::string::npos);
  EXPECT_EQ(skillpipe::testing::read_text(tmp.file("work/report.html")), html);
}
