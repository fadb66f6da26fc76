// The A/B pages in a real browser (headless Chromium, Debian's `chromium`): a reviewer sees
// what each arm is, every test with its p-value, the run's settings and a labelled axis,
// without hovering. Skipped, saying why, where Chromium is not installed.
#include <gtest/gtest.h>

#include "chromium.hpp"
#include "host/ab/html.hpp"
#include "host/ab/night.hpp"
#include "host/ab/report.hpp"
#include "host/ab/spec.hpp"
#include "test_support.hpp"

using namespace skillpipe::host::ab;
using skillpipe::host::Diagnostic;
using namespace skillpipe::testing;

namespace {

void expect_seen(const VisibilityResult& v) {
  ASSERT_EQ(v.error, "");
  for (const auto& m : v.missing) ADD_FAILURE() << "a reviewer does not see " << m;
  for (const auto& e : v.empty_charts) ADD_FAILURE() << "an empty chart box: " << e;
}

}  // namespace

TEST(AbChromium, AReviewerSeesEachArmsDefinitionEveryTestAndALabelledAxis) {
  if (!Chromium::installed()) GTEST_SKIP() << Chromium::missing();
  std::vector<Diagnostic> errors;
  auto spec = parse_ab_spec(test_data_dir() + "/ab/three_arms.yaml", errors);
  ASSERT_TRUE(spec) << errors.front().format();
  TempDir dir;
  RunOptions o;
  o.plugin_dirs = {plugin_dir()};
  o.store_root = dir.file("store");
  const AbRun run = run_ab(*spec, o);
  ASSERT_TRUE(run.errors.empty()) << run.errors.front();
  const std::string html = report_html(run, compare(run));
  for (int width : {1100, 412})
    expect_seen(chromium_visibility(html,
                                    {{"h2", "What each arm is"},
                                     {"td code", "stages.judge.plugin=judge_exact"},
                                     {"td", "skill_terse.md (sha256 "},
                                     {"td", "judge (judge_exact)"},
                                     {"svg text.axlabel", "mean score per arm (0–1)"},
                                     {"svg text.arm", "terse"},
                                     {"th", "soft: Wilcoxon p"},
                                     {"td", "seed 11"},
                                     {"td", "hard score ≥ 0.60"},
                                     {"td", "Holm-adjusted across the pairs"}},
                                    width, dir.path()));
}

TEST(AbChromium, TheNightModePageShowsTheArmsOnALabelledTestAxis) {
  if (!Chromium::installed()) GTEST_SKIP() << Chromium::missing();
  NightRun run;
  run.spec.name = "budgets";
  NightArm a;
  a.name = "narrow";
  a.sets = {"stages.consolidate.max_edits=1"};
  a.report.baseline_test = 0.4;
  a.report.candidate_test = 0.6;
  NightArm b = a;
  b.name = "wide";
  run.arms = {a, b};
  run.pairs = {NightPair{}};
  run.pairs[0].b = 1;
  TempDir dir;
  expect_seen(chromium_visibility(night_report_html(run),
                                  {{"svg text.axlabel", "held-out test score (0–1)"},
                                   {"svg text.arm", "narrow"},
                                   {"td code", "stages.consolidate.max_edits=1"},
                                   {"td", "mean only, no per-task scores"}},
                                  1100, dir.path()));
}
