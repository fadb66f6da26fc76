// A/B of whole nights (`mode: night`) on the proof experiment (pipelines/experiment.yaml:
// persona tasks, backend_mock, judge_exact, consolidate_reflect): each arm runs its own
// night in its own store, and the arms are compared on the held-out test split.
#include "host/ab/night.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "host/ab/spec.hpp"
#include "test_support.hpp"

using namespace skillpipe::host::ab;
using skillpipe::host::Diagnostic;
using skillpipe::testing::TempDir;

namespace {

NightRun run_nights(const TempDir& tmp, const std::string& arms) {
  skillpipe::testing::write_text(tmp.file("exp.yaml"),
                                 "skillpipe_ab: 1\nmode: night\npipeline: " + skillpipe::testing::source_dir() +
                                     "/pipelines/experiment.yaml\n"
                                     "set: [\"stages.mine.test_fraction=0.3\"]\narms:\n" +
                                     arms);
  std::vector<Diagnostic> errors;
  auto spec = parse_ab_spec(tmp.file("exp.yaml"), errors);
  EXPECT_TRUE(spec) << (errors.empty() ? "" : errors[0].format());
  if (!spec) return {};
  RunOptions o;
  o.plugin_dirs = {skillpipe::testing::plugin_dir()};
  o.project = tmp.file("project");
  std::filesystem::create_directories(o.project);
  return run_night_ab(*spec, o, tmp.file("work"));
}

}  // namespace

TEST(AbNight, EachArmRunsItsOwnNightAndTheyAreComparedOnTheTestSplit) {
  TempDir tmp;
  // With one edit per night the mock reflection cannot add both rules a researcher task
  // needs, so that arm's gate keeps the baseline; with four it learns both.
  const NightRun run = run_nights(tmp,
                                  "  - name: budget4\n  - name: budget1\n"
                                  "    set: [stages.consolidate.edit_budget=1]\n");
  ASSERT_TRUE(run.errors.empty());
  ASSERT_EQ(run.arms.size(), 2u);
  const NightArm& wide = run.arms[0];
  const NightArm& narrow = run.arms[1];
  ASSERT_EQ(wide.exit_code, 0) << (wide.errors.empty() ? "" : wide.errors[0]);
  ASSERT_EQ(narrow.exit_code, 0) << (narrow.errors.empty() ? "" : narrow.errors[0]);
  EXPECT_NE(wide.store_root, narrow.store_root);
  EXPECT_TRUE(std::filesystem::is_symlink(wide.store_root + "/cache"));  // one response cache
  EXPECT_EQ(wide.report.gate_action, skillpipe::GateAction::kAccept);
  EXPECT_TRUE(narrow.report.gate_action == skillpipe::GateAction::kReject ||
              narrow.report.gate_action == skillpipe::GateAction::kRejectUnverified)
      << skillpipe::to_string(narrow.report.gate_action);
  ASSERT_TRUE(wide.report.candidate_test && wide.report.baseline_test);
  EXPECT_GT(*wide.report.candidate_test, *wide.report.baseline_test);
  EXPECT_EQ(narrow.report.candidate_test, narrow.report.baseline_test);
  ASSERT_FALSE(wide.test_after.empty());
  ASSERT_EQ(run.pairs.size(), 1u);
  const NightPair& p = run.pairs[0];
  EXPECT_EQ(p.baseline_from_other, "budget1");
  EXPECT_EQ(p.n, static_cast<int>(wide.test_after.size()));
  // budget1 - budget4 on the test split: the kept baseline against the learned documents.
  EXPECT_NEAR(p.diff, *narrow.report.candidate_test - *wide.report.candidate_test, 1e-9);
  EXPECT_LT(p.diff, 0);
  const std::string md = night_report_markdown(run);
  EXPECT_NE(md.find("| budget4 | none | accept |"), std::string::npos) << md;
  EXPECT_NE(night_report_json(run).find("\"baseline_from_other\": \"budget1\""), std::string::npos);
}

TEST(AbNight, IdenticalArmsGiveIdenticalNights) {
  TempDir tmp;
  const NightRun run = run_nights(tmp, "  - name: a\n  - name: b\n");
  ASSERT_EQ(run.arms.size(), 2u);
  ASSERT_EQ(run.arms[0].exit_code, 0);
  ASSERT_EQ(run.arms[1].exit_code, 0);
  EXPECT_EQ(run.arms[0].report.gate_action, run.arms[1].report.gate_action);
  EXPECT_EQ(run.arms[0].test_after, run.arms[1].test_after);
  ASSERT_EQ(run.pairs.size(), 1u);
  EXPECT_GT(run.pairs[0].n, 0);
  EXPECT_DOUBLE_EQ(run.pairs[0].diff, 0.0);
  EXPECT_EQ(run.pairs[0].diff_ci, (Interval{0, 0}));
  EXPECT_EQ(run.pairs[0].sign.n, 0);
}

TEST(AbNight, NightModeRefusesScoringKeys) {
  TempDir tmp;
  skillpipe::testing::write_text(
      tmp.file("exp.yaml"),
      "skillpipe_ab: 1\nmode: night\npipeline: p.yaml\ntasks: t.jsonl\narms: [{name: a}, {name: b}]\n");
  std::vector<Diagnostic> errors;
  EXPECT_FALSE(parse_ab_spec(tmp.file("exp.yaml"), errors));
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors[0].message.find("'tasks' has no meaning with mode: night"), std::string::npos) << errors[0].format();
  EXPECT_GT(errors[0].mark.line, 0) << "located at the key";
}
