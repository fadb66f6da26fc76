// Epoch (plugins/consolidate_reflect/epoch.hpp) against a scripted evaluation service and a
// scripted optimizer: what pruning an accepted batch keeps (leave-one-out drops an edit the
// batch scores no better with; what is left must pass the gate on its own replay, no
// regression included, or the tested batch is kept whole), and a budget that runs out while
// the held-out test split is scored.
#include "epoch.hpp"

#include <gtest/gtest.h>

#include <functional>

#include "service_context.hpp"

namespace skillpipe::consolidate_reflect {
namespace {

const std::string kRuleA = "Run the formatter RULE-A before every commit.";
const std::string kRuleB = "Quote the ticket number RULE-B in every reply.";

// A task is solved iff `solved(task id, skill + memory)`; every sample alike.
class DocService final : public EvaluationService {
 public:
  using Solved = std::function<bool(const std::string&, const std::string&)>;
  DocService(Solved solved, std::string stop_at) : solved_(std::move(solved)), stop_at_(std::move(stop_at)) {}
  EvalResult evaluate(const EvalRequest& req, Context&) override {
    EvalResult r;
    const std::string docs = req.skill_text + "\n" + req.memory_text;
    for (const auto& t : req.tasks) {
      if (req.variant == stop_at_ && !r.per_task.empty()) {  // a cap ends it after the first task
        r.budget_stopped = true;
        break;
      }
      TaskScore ts;
      ts.task_id = t.id;
      const double v = solved_(t.id, docs) ? 1.0 : 0.0;
      for (int s = 0; s < req.rollouts; ++s) {
        ReplayResult rr;
        rr.task_id = t.id;
        rr.sample = s;
        rr.variant = req.variant;
        rr.response = v > 0 ? "right" : "wrong";
        r.replays.push_back(rr);
        Verdict vd;
        vd.task_id = t.id;
        vd.sample = s;
        vd.variant = req.variant;
        vd.hard = vd.soft = v;
        if (v == 0) vd.failed_criteria = {"wrong answer"};
        r.verdicts.push_back(vd);
        ts.hard += v / req.rollouts;
        ts.soft += v / req.rollouts;
        ++ts.samples;
      }
      r.per_task.push_back(ts);
    }
    return r;
  }

 private:
  Solved solved_;
  std::string stop_at_;  // the variant whose replay the budget stops
};

// The optimizer proposes both rules, as one batch.
class TwoRuleOptimizer final : public Backend {
 public:
  bool available(std::string*) const override { return true; }
  std::string identity() const override { return "scripted:optimizer"; }
  ChatResponse complete(const ChatRequest&, Context&) override {
    ChatResponse r;
    r.text = "{\"edits\":[{\"target\":\"skill\",\"op\":\"add\",\"content\":\"" + kRuleA +
             "\",\"rationale\":\"the formatter\",\"kind\":\"skill_defect\"},{\"target\":\"skill\",\"op\":\"add\","
             "\"content\":\"" + kRuleB + "\",\"rationale\":\"the ticket\",\"kind\":\"skill_defect\"}]}";
    return r;
  }
};

// One train task (fixed by rule A) and twelve val tasks: w0..w9 fixed by rule A, `t` solved
// unless rule A is there without rule B, `u` solved only then; `tests` test tasks x0.. .
EpochSpec spec(int tests) {
  EpochSpec s;
  s.group = "formatter";
  auto task = [&](const std::string& id, Split split) {
    TaskRecord t;
    t.id = id;
    t.intent = "task " + id;
    t.split = split;
    s.tasks.push_back(t);
  };
  task("train0", Split::kTrain);
  for (int i = 0; i < 10; ++i) task("w" + std::to_string(i), Split::kVal);
  task("t", Split::kVal);
  task("u", Split::kVal);
  for (int i = 0; i < tests; ++i) task("x" + std::to_string(i), Split::kTest);
  s.skill = {"formatter", Target{Agent::kClaude, DocKind::kSkill}, "", false, "", "", skill_scaffold("formatter")};
  s.evolve_memory = false;
  return s;
}

bool has(const std::string& docs, const std::string& rule) { return docs.find(rule) != std::string::npos; }

EpochResult night(DocService::Solved solved, int tests = 0, const std::string& stop_at = "") {
  DocService svc(std::move(solved), stop_at);
  ServiceContext ctx(svc);
  TwoRuleOptimizer optimizer;
  Settings s;
  s.backend = "scripted";
  s.gate.samples = 1;
  Usage usage;
  Evaluator ev(ctx, s.backend, usage);
  Reflector reflector(ctx, optimizer, s, usage);
  Epoch epoch(ctx, s, ev, reflector, {});
  const EpochSpec sp = spec(tests);
  return epoch.run(sp);
}

bool fixed_by_a(const std::string& id, const std::string& docs) {
  return (id == "train0" || id[0] == 'w' || id[0] == 'x') && has(docs, kRuleA);
}

bool rule_a_helps(const std::string& id, const std::string& docs) {
  if (id == "t") return true;
  if (id == "u") return false;
  return fixed_by_a(id, docs);
}

// Rule B scores no better than without it (the batch and rule A alone both gain 10 of 12),
// but rule A alone breaks `t`: that subset does not pass the gate, so the batch stays whole.
TEST(EpochPruning, ASubsetThatRegressesKeepsTheTestedBatchWhole) {
  const EpochResult r = night([](const std::string& id, const std::string& docs) {
    const bool a_alone = has(docs, kRuleA) && !has(docs, kRuleB);
    if (id == "t") return !a_alone;
    if (id == "u") return a_alone;
    return fixed_by_a(id, docs);
  });
  EXPECT_EQ(r.action, GateAction::kAccept) << r.reason;
  EXPECT_EQ(r.accepted_skill.size(), 2u) << r.reason;
  EXPECT_NE(r.skill_text.find(kRuleB), std::string::npos);
  ASSERT_EQ(r.trials.size(), 2u);
  EXPECT_TRUE(r.trials[0].accepted);
  EXPECT_EQ(r.trials[1].target, "skill (after pruning)");
  EXPECT_FALSE(r.trials[1].accepted);
  EXPECT_NE(r.trials[1].reason.find("1 task(s) got worse (t)"), std::string::npos) << r.trials[1].reason;
  bool noted = false;
  for (const auto& n : r.notes) noted |= n.find("the tested batch is kept whole") != std::string::npos;
  EXPECT_TRUE(noted);
  for (const auto& e : r.rejected) EXPECT_NE(e.rejection, RejectionReason::kNotNeeded) << e.content;
}

// Rule B changes nothing: pruned, and rule A alone passes the gate on its own replay.
TEST(EpochPruning, ARiderTheValScoreDoesNotNeedIsDropped) {
  const EpochResult r = night(rule_a_helps);
  EXPECT_EQ(r.action, GateAction::kAccept) << r.reason;
  ASSERT_EQ(r.accepted_skill.size(), 1u);
  EXPECT_EQ(r.accepted_skill[0].content, kRuleA);
  EXPECT_EQ(r.skill_text.find(kRuleB), std::string::npos);
  ASSERT_EQ(r.rejected.size(), 1u);
  EXPECT_EQ(r.rejected[0].content, kRuleB);
  EXPECT_EQ(r.rejected[0].rejection, RejectionReason::kNotNeeded);
  ASSERT_EQ(r.trials.size(), 2u);
  EXPECT_TRUE(r.trials[1].accepted) << r.trials[1].reason;
  EXPECT_EQ(r.trials[1].edits, 1);
}

// Test decides nothing: a budget that runs out there keeps the accepted night, but a partial
// test score (other tasks than the baseline's) is not reported.
TEST(EpochBudget, RunningOutWhileScoringTheNewDocumentsOnTestKeepsTheNight) {
  const EpochResult full = night(rule_a_helps, 3);
  ASSERT_EQ(full.action, GateAction::kAccept) << full.reason;
  ASSERT_TRUE(full.baseline_test && full.candidate_test);
  EXPECT_DOUBLE_EQ(*full.baseline_test, 0.0);
  EXPECT_DOUBLE_EQ(*full.candidate_test, 1.0);

  const EpochResult r = night(rule_a_helps, 3, "final_test");
  EXPECT_EQ(r.action, GateAction::kAccept) << r.reason;
  EXPECT_EQ(r.accepted_skill.size(), 1u);
  EXPECT_TRUE(r.baseline_test);
  EXPECT_FALSE(r.candidate_test) << "a score of the first test task only";
  bool noted = false;
  for (const auto& n : r.notes) noted |= n.find("budget ran out while scoring the held-out test") != std::string::npos;
  EXPECT_TRUE(noted);
  for (const auto& d : r.deltas) EXPECT_NE(d.split, Split::kTest) << d.task_id;
}

// The baseline's test replay is part of the baseline: a budget that runs out there ends the night.
TEST(EpochBudget, RunningOutWhileScoringTheBaselineOnTestStopsTheNight) {
  const EpochResult r = night(rule_a_helps, 3, "baseline_test");
  EXPECT_EQ(r.action, GateAction::kBudgetStopped);
  EXPECT_NE(r.reason.find("held-out test split"), std::string::npos) << r.reason;
  EXPECT_TRUE(r.accepted.empty());
}

}  // namespace
}  // namespace skillpipe::consolidate_reflect
