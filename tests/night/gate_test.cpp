// The gate on hand-built score tables: strictness and ties, regressions, missing scores,
// metrics, multi-objective scoring, statistical mode, and leak detection.
#include "gate.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "carry_ledger.hpp"
#include "skillpipe/errors.hpp"
#include "task_splits.hpp"

namespace skillpipe::consolidate_reflect {
namespace {

// SkillOpt's gate: mean strictly better, nothing else. The defaults are tested on their own.
GateConfig mean_only() {
  GateConfig g;
  g.mode = "strict";
  g.no_regression = false;
  return g;
}

// The statistical gate with the size floor lowered, to test a test on few tasks.
GateConfig statistical(const char* test, int min_val = 1) {
  GateConfig g;
  g.test = test;
  g.min_val = min_val;
  return g;
}

// (id, hard, soft) rows, all scored.
std::vector<TaskResult> table(std::initializer_list<std::tuple<const char*, double, double>> rows) {
  std::vector<TaskResult> out;
  for (const auto& [id, h, s] : rows) out.push_back({id, true, h, s, 0, 0, {}, 0});
  return out;
}

TEST(NightGate, MixedMetricMatchesSkillOptFormula) {
  GateConfig g;
  EXPECT_DOUBLE_EQ(accuracy_score(0, 2.0 / 3, g), 1.0 / 3);
  g.mixed_weight = 0.25;
  EXPECT_DOUBLE_EQ(accuracy_score(1, 0.2, g), 0.75 + 0.05);
  g.mixed_weight = 7;  // clamped to 1
  EXPECT_DOUBLE_EQ(accuracy_score(1, 0.2, g), 0.2);
  g.metric = "hard";
  EXPECT_DOUBLE_EQ(accuracy_score(1, 0.2, g), 1);
  g.metric = "soft";
  EXPECT_DOUBLE_EQ(accuracy_score(1, 0.2, g), 0.2);
  EXPECT_EQ(score_formula(GateConfig{}), "score = (1-0.5)*hard + 0.5*soft");
}

TEST(NightGate, AcceptsOnlyStrictImprovement) {
  GateConfig g = mean_only();
  const auto base = table({{"a", 0, 0.5}, {"b", 1, 1}});
  auto d = decide(base, table({{"a", 1, 1}, {"b", 1, 1}}), g);
  EXPECT_TRUE(d.accept) << d.reason;
  EXPECT_DOUBLE_EQ(d.baseline, 0.625);
  EXPECT_DOUBLE_EQ(d.candidate, 1.0);
  EXPECT_EQ(d.improved, 1);
  EXPECT_EQ(d.unchanged, 1);
  // A tie is a rejection, whatever the edit did to individual tasks.
  auto tie = decide(base, table({{"a", 0, 0.5}, {"b", 1, 1}}), g);
  EXPECT_FALSE(tie.accept);
  EXPECT_NE(tie.reason.find("not strictly better"), std::string::npos);
  EXPECT_EQ(tie.why, RejectionReason::kNotBetter);
  auto swap = decide(table({{"a", 1, 1}, {"b", 0, 0}}), table({{"a", 0, 0}, {"b", 1, 1}}), g);
  EXPECT_FALSE(swap.accept);
  // Float dust is not an improvement.
  auto dust = decide(table({{"a", 0, 0.1}}), table({{"a", 0, 0.1 + 1e-12}}), g);
  EXPECT_FALSE(dust.accept);
}

TEST(NightGate, NoRegressionBlocksAMeanImprovementThatHurtsOneTask) {
  GateConfig g = mean_only();
  const auto base = table({{"a", 0, 0.4}, {"b", 0, 0.4}, {"c", 1, 1}});
  const auto cand = table({{"a", 1, 1}, {"b", 1, 1}, {"c", 0, 0.5}});
  EXPECT_TRUE(decide(base, cand, g).accept);
  g.no_regression = true;
  auto d = decide(base, cand, g);
  EXPECT_FALSE(d.accept);
  EXPECT_EQ(d.why, RejectionReason::kRegression);
  EXPECT_EQ(d.regressed, 1);
  EXPECT_NE(d.reason.find("c"), std::string::npos);
  ASSERT_EQ(d.changes.size(), 3u);
  EXPECT_EQ(d.changes[2].status, "regressed");
}

TEST(NightGate, MissingCandidateScoresAreNeverAccepted) {
  GateConfig g = mean_only();
  auto cand = table({{"a", 1, 1}, {"b", 1, 1}});
  cand[1].scored = false;  // its replay failed
  auto d = decide(table({{"a", 0, 0}, {"b", 0, 0}}), cand, g);
  EXPECT_FALSE(d.accept);
  EXPECT_EQ(d.why, RejectionReason::kUnscoredTasks);
  EXPECT_EQ(d.missing, 1);
  auto absent = decide(table({{"a", 0, 0}, {"b", 0, 0}}), table({{"a", 1, 1}}), g);
  EXPECT_FALSE(absent.accept);
  // A baseline that could not be scored is left out of the comparison, not counted as 0.
  auto base = table({{"a", 0, 0}, {"b", 0, 0}});
  base[1].scored = false;
  auto d2 = decide(base, table({{"a", 1, 1}, {"b", 0, 0}}), g);
  EXPECT_TRUE(d2.accept);
  EXPECT_EQ(d2.why, RejectionReason::kNone);  // accepted: no reason to refuse
  EXPECT_EQ(d2.changes[1].status, "unscored");
  // A candidate scored on the one sample of three that did not fail (the baseline lost none)
  // looks better only because the failures are gone: unverifiable, like an unscored task.
  auto fewer = table({{"a", 1, 1}, {"b", 1, 1}});
  fewer[1].failed = 2;
  auto d3 = decide(table({{"a", 0, 0}, {"b", 0, 0}}), fewer, g);
  EXPECT_FALSE(d3.accept);
  EXPECT_EQ(d3.why, RejectionReason::kUnscoredTasks);
  EXPECT_EQ(d3.changes[1].status, "missing");
  auto as_many = table({{"a", 0, 0}, {"b", 0, 0}});
  as_many[1].failed = 2;  // the baseline lost as many: compared as usual
  EXPECT_TRUE(decide(as_many, fewer, g).accept);
  EXPECT_FALSE(decide({}, {}, g).accept);
  EXPECT_EQ(decide({}, {}, g).why, RejectionReason::kNothingScored);
  EXPECT_EQ(mean_score({}, g), std::nullopt);
}

TEST(NightGate, MultiObjectiveTradesAccuracyAgainstTokens) {
  GateConfig g = mean_only();
  g.multi.enabled = true;
  g.multi.w_accuracy = 1;
  g.multi.w_tokens = 1;
  g.multi.token_ref = 1000;
  TaskResult cheap{"a", true, 1, 1, 100, 0, {}}, costly{"a", true, 1, 1, 900, 0, {}};
  EXPECT_DOUBLE_EQ(task_score(cheap, g), (1 + 0.9) / 2);
  EXPECT_DOUBLE_EQ(task_score(costly, g), (1 + 0.1) / 2);
  // Same accuracy, more tokens: the plain gate sees a tie, the multi-objective gate a loss.
  EXPECT_FALSE(decide({cheap}, {costly}, g).accept);
  EXPECT_TRUE(decide({costly}, {cheap}, g).accept);
  GateConfig plain = mean_only();
  EXPECT_FALSE(decide({costly}, {cheap}, plain).accept);
  TaskResult over{"a", true, 1, 1, 5000, 0, {}};
  EXPECT_DOUBLE_EQ(task_score(over, g), 0.5);  // the token objective floors at 0
  EXPECT_EQ(metric_label(g), "multi");
}

TEST(NightGate, StatisticalModeNeedsAnIntervalAboveZero) {
  GateConfig g = statistical("bootstrap");
  g.resamples = 2000;
  // Six tasks all improving by the same amount: the interval is that amount.
  std::vector<TaskResult> base, cand;
  for (int i = 0; i < 6; ++i) {
    base.push_back({"t" + std::to_string(i), true, 0, 2.0 / 3, 0, 0, {}});
    cand.push_back({"t" + std::to_string(i), true, 1, 1, 0, 0, {}});
  }
  auto d = decide(base, cand, g);
  EXPECT_TRUE(d.accept) << d.reason;
  ASSERT_TRUE(d.ci);
  EXPECT_NEAR(d.ci->low, 2.0 / 3, 1e-12);
  EXPECT_NEAR(d.ci->high, 2.0 / 3, 1e-12);
  // One big win among unchanged tasks: the mean improves, the interval touches zero.
  auto base2 = table({{"a", 0, 0}, {"b", 0, 0}, {"c", 0, 0}, {"d", 0, 0}, {"e", 0, 0}});
  auto cand2 = table({{"a", 1, 1}, {"b", 0, 0}, {"c", 0, 0}, {"d", 0, 0}, {"e", 0, 0}});
  auto d2 = decide(base2, cand2, g);
  EXPECT_FALSE(d2.accept);
  ASSERT_TRUE(d2.ci);
  EXPECT_DOUBLE_EQ(d2.ci->low, 0.0);
  EXPECT_NE(d2.reason.find("bootstrap interval"), std::string::npos);
  EXPECT_EQ(d2.why, RejectionReason::kNotSignificant);
  EXPECT_TRUE(d2.promising);  // better, hurts nothing: worth re-testing
  EXPECT_TRUE(decide(base2, cand2, mean_only()).accept);
}

TEST(NightGate, SignTestAndMinimumEffect) {
  GateConfig g = statistical("sign");
  auto base3 = table({{"a", 0, 0}, {"b", 0, 0}, {"c", 0, 0}});
  auto cand3 = table({{"a", 1, 1}, {"b", 1, 1}, {"c", 1, 1}});
  auto d = decide(base3, cand3, g);  // 3 of 3 better: p = 1/8, not significant at 95%
  EXPECT_FALSE(d.accept);
  ASSERT_TRUE(d.p_value);
  EXPECT_DOUBLE_EQ(*d.p_value, 0.125);
  EXPECT_EQ(d.why, RejectionReason::kNotSignificant);
  g.confidence = 0.85;
  EXPECT_TRUE(decide(base3, cand3, g).accept);
  GateConfig m = mean_only();
  m.min_effect = 0.6;
  const auto small = decide(table({{"a", 0, 0}, {"b", 0, 0}}), table({{"a", 1, 1}, {"b", 0, 0}}), m);
  EXPECT_FALSE(small.accept);
  EXPECT_EQ(small.why, RejectionReason::kBelowMinEffect);
  EXPECT_TRUE(decide(table({{"a", 0, 0}, {"b", 0, 0}}), table({{"a", 1, 1}, {"b", 0, 0.0}}), mean_only()).accept);
}

// The defaults are what a user gets: each assertion fails if a default regresses.
TEST(NightGate, DefaultsRefuseRegressionsAndClaimNothingOnTinyValSets) {
  const GateConfig g;
  EXPECT_TRUE(g.no_regression);
  EXPECT_EQ(g.mode, "statistical");
  EXPECT_EQ(g.test, "permutation");
  EXPECT_GE(g.min_val, 8);
  // Issue 14's rule: helps 3 val tasks, breaks 1; the mean rises 0.5 -> 0.875 and is refused.
  const auto base = table({{"a", 0, 0}, {"b", 0, 0}, {"c", 0, 0}, {"d", 1, 1}, {"e", 1, 1}, {"f", 1, 1},
                           {"g", 1, 1}, {"h", 0, 0}});
  const auto cand = table({{"a", 1, 1}, {"b", 1, 1}, {"c", 1, 1}, {"d", 0, 0}, {"e", 1, 1}, {"f", 1, 1},
                           {"g", 1, 1}, {"h", 1, 1}});
  auto d = decide(base, cand, g);
  EXPECT_FALSE(d.accept);
  EXPECT_FALSE(d.promising);
  EXPECT_NE(d.reason.find("per-task no-regression"), std::string::npos) << d.reason;
  // Two val tasks that both improve: no significance is claimed, the edit is only promising.
  auto tiny = decide(table({{"a", 0, 0}, {"b", 0, 0}}), table({{"a", 1, 1}, {"b", 1, 1}}), g);
  EXPECT_FALSE(tiny.accept);
  EXPECT_TRUE(tiny.promising);
  EXPECT_FALSE(tiny.p_value);
  EXPECT_FALSE(tiny.ci);
  EXPECT_NE(tiny.reason.find("gate_min_val"), std::string::npos) << tiny.reason;
  EXPECT_EQ(tiny.why, RejectionReason::kTooFewTasks);
}

TEST(NightGate, EveryDecisionReportsItsEffectWithAnInterval) {
  for (const GateConfig& g : {GateConfig{}, mean_only(), statistical("sign"), statistical("bootstrap")}) {
    auto d = decide(table({{"a", 0, 0}, {"b", 1, 1}}), table({{"a", 1, 1}, {"b", 1, 1}}), g);
    EXPECT_NEAR(d.effect.mean, 0.5, 1e-12);
    EXPECT_LE(d.effect.low, d.effect.high);
    EXPECT_NE(d.reason.find("effect +0.5000, 95% interval ["), std::string::npos) << d.reason;
    EXPECT_NE(d.reason.find("n=2"), std::string::npos) << d.reason;
  }
}

// A task whose k samples are `xs` under one arm.
TaskResult sampled(const std::string& id, const std::vector<double>& xs) {
  TaskResult r{id, true, 0, 0, 0, 0, {}};
  for (double x : xs) {
    r.samples.emplace_back(x, x);
    r.hard += x / static_cast<double>(xs.size());
  }
  r.soft = r.hard;
  return r;
}

// gate_regression: consistent counts only a drop every sample agrees on (a deterministic
// regression still counts; a single flipped sample of a stochastic target does not).
TEST(NightGate, ConsistentRegressionIgnoresASingleFlippedSample) {
  GateConfig g = mean_only();
  g.no_regression = true;
  const std::vector<TaskResult> base = {sampled("a", {0, 0, 0}), sampled("b", {1, 1, 1})};
  const std::vector<TaskResult> flip = {sampled("a", {1, 1, 1}), sampled("b", {1, 1, 0})};
  const std::vector<TaskResult> broke = {sampled("a", {1, 1, 1}), sampled("b", {0, 0, 0})};
  EXPECT_FALSE(decide(base, flip, g).accept);  // any: the flip blocks it
  g.regression = "consistent";
  EXPECT_TRUE(decide(base, flip, g).accept);
  auto d = decide(base, broke, g);  // every sample worse: still a regression (and no gain)
  EXPECT_FALSE(d.accept);
  const std::vector<TaskResult> base3 = {sampled("a", {0, 0, 0}), sampled("c", {0, 0, 0}), sampled("b", {1, 1, 1})};
  const std::vector<TaskResult> broke3 = {sampled("a", {1, 1, 1}), sampled("c", {1, 1, 1}), sampled("b", {0, 0, 0})};
  auto d3 = decide(base3, broke3, g);
  EXPECT_FALSE(d3.accept);
  EXPECT_NE(d3.reason.find("per-task no-regression"), std::string::npos) << d3.reason;
}

// k samples per task: agreeing samples (a deterministic target) are strong evidence, flips weak.
TEST(NightGate, PermutationTestUsesTheSamplesOfBothArms) {
  auto with_samples = [](std::vector<double> b, std::vector<double> c, int tasks) {
    std::pair<std::vector<TaskResult>, std::vector<TaskResult>> out;
    for (int i = 0; i < tasks; ++i) {
      TaskResult rb{"t" + std::to_string(i), true, 0, 0, 0, 0, {}};
      TaskResult rc = rb;
      for (double x : b) rb.samples.emplace_back(x, x);
      for (double x : c) rc.samples.emplace_back(x, x);
      double mb = 0, mc = 0;
      for (double x : b) mb += x / static_cast<double>(b.size());
      for (double x : c) mc += x / static_cast<double>(c.size());
      rb.hard = rb.soft = mb;
      rc.hard = rc.soft = mc;
      out.first.push_back(rb);
      out.second.push_back(rc);
    }
    return out;
  };
  const GateConfig g = statistical("permutation");
  auto [b1, c1] = with_samples({0}, {1}, 2);  // k=1: the sign test, p = 1/4
  EXPECT_DOUBLE_EQ(*decide(b1, c1, g).p_value, 0.25);
  auto [b3, c3] = with_samples({0, 0, 0}, {1, 1, 1}, 2);  // k=3, all agree: p = (1/20)^2
  auto d3 = decide(b3, c3, g, 0.0125);
  EXPECT_NEAR(*d3.p_value, 1.0 / 400, 1e-12);
  EXPECT_TRUE(d3.accept) << d3.reason;
  EXPECT_NE(d3.reason.find("alpha 0.0125"), std::string::npos) << d3.reason;
  auto [bn, cn] = with_samples({0, 1, 1}, {1, 1, 1}, 2);  // noisy samples: weak evidence
  EXPECT_GT(*decide(bn, cn, g).p_value, 0.1);
}


// Evidence accumulates: a carried edit's earlier strata pool with tonight's into one test, one
// effect interval and one gate_min_val count; a regression tonight still blocks it.
TEST(NightGate, CarriedEvidencePoolsAcrossNights) {
  const GateConfig g;  // the defaults: permutation test, gate_min_val 8
  std::vector<TaskResult> base, cand;
  for (int i = 0; i < 4; ++i) {
    base.push_back(sampled("t" + std::to_string(i), {0, 0, 0}));
    cand.push_back(sampled("t" + std::to_string(i), {1, 1, 1}));
  }
  const GateDecision alone = decide(base, cand, g, 0.0125);
  EXPECT_FALSE(alone.accept);  // 4 val tasks < 8: promising, carried
  EXPECT_TRUE(alone.promising);
  ASSERT_EQ(alone.strata.size(), 4u);  // what the carried edit takes along
  PriorEvidence prior{alone.strata, 1};
  const GateDecision pooled = decide(base, cand, g, 0.00625, &prior);
  EXPECT_TRUE(pooled.accept) << pooled.reason;
  EXPECT_EQ(pooled.n, 8);
  EXPECT_EQ(pooled.nights, 2);
  EXPECT_NEAR(*pooled.p_value, std::pow(1.0 / 20, 8), std::pow(1.0 / 20, 8) * 1e-6);
  EXPECT_NE(pooled.reason.find("n=8, pooled over 2 nights"), std::string::npos) << pooled.reason;
  EXPECT_EQ(pooled.strata.size(), 4u);  // tonight's only: the ledger appends them once
  // Pooled evidence never excuses a task that got worse tonight.
  std::vector<TaskResult> hurt = cand;
  hurt[0] = sampled("t0", {0, 0, 0});
  hurt.push_back(sampled("t9", {0, 0, 0}));
  base.push_back(sampled("t9", {1, 1, 1}));
  const GateDecision blocked = decide(base, hurt, g, 0.00625, &prior);
  EXPECT_FALSE(blocked.accept);
  EXPECT_FALSE(blocked.promising);
  EXPECT_NE(blocked.reason.find("per-task no-regression"), std::string::npos) << blocked.reason;
  // A tie tonight does not undo earlier evidence, and pooled noise is not significant.
  std::vector<TaskResult> b2, c2;
  for (int i = 0; i < 4; ++i) {
    b2.push_back(sampled("u" + std::to_string(i), {1, 0, 1}));
    c2.push_back(sampled("u" + std::to_string(i), {1, 1, 0}));
  }
  PriorEvidence noise{decide(b2, c2, g).strata, 1};
  const GateDecision flat = decide(b2, c2, g, 0.00625, &noise);
  EXPECT_FALSE(flat.accept);
  EXPECT_NE(flat.reason.find("pooled effect is not above zero"), std::string::npos) << flat.reason;
}

// The ledger carries the strata to the next night, and only to the night right after it.
TEST(NightGate, CarryLedgerRoundTripsAndServesOnlyTheNextNight) {
  CarryLedger ledger{"night-1", {{EditTarget::kSkill, "Cite paths as file:line.", 1, {{{0, 0, 1}, {1, 1, 1}}}}}};
  const CarryLedger back = ledger_from_json(ledger_to_json(ledger));
  ASSERT_EQ(back.edits.size(), 1u);
  EXPECT_EQ(back.night_id, "night-1");
  EXPECT_EQ(back.edits[0].strata[0].base, (std::vector<double>{0, 0, 1}));
  Edit e;
  e.target = EditTarget::kSkill;
  e.content = "cite paths as  file:line.";  // matched like every carried edit: normalized
  const auto prior = prior_for(back, "night-1", e);
  ASSERT_TRUE(prior);
  EXPECT_EQ(prior->nights, 1);
  EXPECT_EQ(prior->strata.size(), 1u);
  EXPECT_FALSE(prior_for(back, "night-2", e));  // written by a night that is not the latest
  e.target = EditTarget::kMemory;
  EXPECT_FALSE(prior_for(back, "night-1", e));
  EXPECT_THROW(ledger_from_json("{\"schema\": 1, \"edits\": [{\"strata\": 3}]}"), RecordError);
}

TaskRecord task(const char* id, Split s, Origin o = Origin::kReal, const char* from = "") {
  TaskRecord t;
  t.id = id;
  t.split = s;
  t.origin = o;
  t.derived_from = from;
  return t;
}

TEST(NightGate, LeaksMakeANightUnverifiable) {
  auto ok = split_tasks({task("a", Split::kTrain), task("b", Split::kVal), task("c", Split::kTest)});
  EXPECT_TRUE(ok.leak.empty());
  EXPECT_EQ(ok.test.size(), 1u);
  EXPECT_NE(split_tasks({task("a", Split::kTrain)}).leak.find("no val"), std::string::npos);
  EXPECT_NE(split_tasks({task("a", Split::kTrain), task("a", Split::kVal)}).leak.find("overlaps"), std::string::npos);
  auto dream = split_tasks({task("b", Split::kVal), task("b_dream1", Split::kTrain, Origin::kDream, "b")});
  EXPECT_NE(dream.leak.find("derived from val task b"), std::string::npos);
  auto moved = split_tasks({task("a", Split::kTrain), task("v", Split::kVal), task("d", Split::kVal, Origin::kDream)});
  EXPECT_EQ(moved.val.size(), 1u);
  EXPECT_EQ(moved.train.size(), 2u);
  EXPECT_EQ(moved.notes.size(), 1u);
}

// A test task seen in train or val (same id, or a train task derived from it) is not held out:
// it leaves test with a note, and the night stays verifiable (test decides nothing).
TEST(NightGate, TestTasksSeenInAnotherSplitAreNotHeldOut) {
  auto s = split_tasks({task("a", Split::kTrain), task("b", Split::kVal), task("a", Split::kTest),
                        task("b", Split::kTest), task("c", Split::kTest), task("d", Split::kTest),
                        task("d_dream1", Split::kTrain, Origin::kDream, "d")});
  EXPECT_TRUE(s.leak.empty()) << s.leak;
  ASSERT_EQ(s.test.size(), 1u);
  EXPECT_EQ(s.test[0].id, "c");
  ASSERT_EQ(s.notes.size(), 1u);
  EXPECT_NE(s.notes[0].find("3 test task(s) also occur in train or val (a, b, d)"), std::string::npos) << s.notes[0];
}

}  // namespace
}  // namespace skillpipe::consolidate_reflect
