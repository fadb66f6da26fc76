#include <gtest/gtest.h>

#include "spend_plan.hpp"

using namespace skillpipe;
using namespace skillpipe::consolidate_reflect;

namespace {

// A backend whose estimate is exactly 100 tokens in + 10 out at $0.001 per call, with caps.
class PricedBackend : public Backend {
 public:
  std::optional<std::int64_t> max_tokens;
  std::optional<double> max_cost;
  std::int64_t tokens_used = 0;
  bool available(std::string*) const override { return true; }
  std::string identity() const override { return "priced"; }
  ChatResponse complete(const ChatRequest&, Context&) override { return {}; }
  CostEstimate estimate(const ChatRequest&) const override { return {1, 100, 10, 0.001}; }
  BudgetState budget() const override {
    BudgetState s;
    s.max_tokens = max_tokens;
    s.max_cost = max_cost;
    s.tokens_used = tokens_used;
    return s;
  }
};

std::vector<TaskRecord> tasks(int train, int val, int test) {
  std::vector<TaskRecord> out;
  auto add = [&](Split sp, int n, const char* prefix) {
    for (int i = 0; i < n; ++i) {
      TaskRecord t;
      t.id = std::string(prefix) + std::to_string(i);
      t.intent = std::string(static_cast<std::size_t>(10 + i), 'w');
      t.split = sp;
      out.push_back(t);
    }
  };
  add(Split::kTrain, train, "tr");
  add(Split::kVal, val, "va");
  add(Split::kTest, test, "te");
  return out;
}

Settings settings() {
  Settings s;
  s.evolve_skill = true;
  s.evolve_memory = false;
  s.final_replay = true;
  s.prune_edits = false;
  s.salvage_edits = false;
  s.rollouts_k = 2;
  s.gate.samples = 1;  // one replay per val/test task; the k-sample default is tested below
  return s;
}

}  // namespace

TEST(SpendPlan, CountsEveryReplayAndReflection) {
  PricedBackend b;
  // train 4 x 2 rollouts = 8; val 3 x (baseline + 1 trial + final) = 9; test 2 x 2 = 4;
  // reflection 2 (one target, one retry) = 23 calls of 110 tokens.
  const SpendPlan p = plan_spend(tasks(4, 3, 2), 1000, settings(), b, b);
  EXPECT_EQ(p.calls, 23);
  EXPECT_EQ(p.tokens, 23 * 110);
  EXPECT_NEAR(p.cost_usd, 0.023, 1e-9);
  EXPECT_EQ(p.train, 4);
  EXPECT_EQ(p.val, 3);
  EXPECT_EQ(p.test, 2);
}

TEST(SpendPlan, GateSamplesMultiplyValAndTestReplays) {
  PricedBackend b;
  Settings s = settings();
  s.gate.samples = 3;
  // train 8 as above; val 3 x 3 passes x 3 samples = 27; test 2 x 2 x 3 = 12; reflection 2.
  EXPECT_EQ(plan_spend(tasks(4, 3, 2), 1000, s, b, b).calls, 8 + 27 + 12 + 2);
}

// Evaluation only replays val and test once each under the current documents: no train
// rollouts, no trials, no reflection (an agentic night was refused at ~64 planned calls for one
// val task).
TEST(SpendPlan, EvaluationOnlyPlansOneBaselinePass) {
  PricedBackend b;
  Settings s = settings();
  s.gate.samples = 3;
  s.evaluate_only = true;
  EXPECT_EQ(plan_spend(tasks(4, 3, 2), 1000, s, b, b).calls, 3 * 3 + 2 * 3);
}

TEST(SpendPlan, RefusesOverTheCapUnlessToldToFit) {
  PricedBackend b;
  b.max_tokens = 20 * 110;  // 3 calls short
  auto all = tasks(4, 3, 2);
  SpendPlan p = plan_spend(all, 1000, settings(), b, b);
  auto dropped = fit_to_budget(p, all, 1000, settings(), b, b, /*fit=*/false);
  EXPECT_TRUE(p.over);
  EXPECT_TRUE(dropped.empty());
  EXPECT_NE(p.cap.find("max_tokens"), std::string::npos);

  p = plan_spend(all, 1000, settings(), b, b);
  dropped = fit_to_budget(p, all, 1000, settings(), b, b, /*fit=*/true);
  EXPECT_FALSE(p.over);
  // Two train tasks (4 calls) must go; the longest intents first; val and test untouched.
  EXPECT_EQ(dropped, (std::vector<std::string>{"tr3", "tr2"}));
  EXPECT_EQ(p.val, 3);
  EXPECT_EQ(p.test, 2);
  EXPECT_LE(p.tokens, 20 * 110);
}

TEST(SpendPlan, ValAloneOverTheCapIsRefusedEvenWhenFitting) {
  PricedBackend b;
  b.max_cost = 0.005;
  auto all = tasks(3, 3, 0);
  SpendPlan p = plan_spend(all, 10, settings(), b, b);
  fit_to_budget(p, all, 10, settings(), b, b, true);
  EXPECT_TRUE(p.over);
  EXPECT_NE(p.cap.find("max_cost_usd"), std::string::npos);
}

// Issue 20: a server that reports more usage than the cap (500,000 tokens against 1,000) leaves
// nothing of the budget, never a negative amount ("(-499000 left)").
TEST(SpendPlan, AnOverReportedSpendLeavesZeroNotANegativeBudget) {
  PricedBackend b;
  b.max_tokens = 1000;
  b.tokens_used = 500000;
  auto all = tasks(2, 2, 0);
  SpendPlan p = plan_spend(all, 10, settings(), b, b);
  fit_to_budget(p, all, 10, settings(), b, b, /*fit=*/false);
  EXPECT_TRUE(p.over);
  EXPECT_NE(p.cap.find("max_tokens (0 left)"), std::string::npos) << p.cap;
  EXPECT_EQ(p.cap.find('-'), std::string::npos) << p.cap;
}
