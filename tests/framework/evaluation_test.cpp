#include <gtest/gtest.h>

#include "host/basic_context.hpp"
#include "host/evaluation_service.hpp"
#include "host/plugin_registry.hpp"
#include "skillpipe/backend.hpp"
#include "test_support.hpp"

using namespace skillpipe;
using namespace skillpipe::host;

namespace {

TaskRecord task(const std::string& id, const std::string& intent) {
  TaskRecord t;
  t.id = id;
  t.intent = intent;
  return t;
}

struct Fixture {
  PluginRegistry reg{{FX_GOOD_DIR}};
  Services svc;
  std::shared_ptr<Backend> backend = reg.create_as<Backend>("fx_backend");
  std::shared_ptr<Judge> judge = reg.create_as<Judge>("fx_judge");
  HostEvaluationService eval;
  explicit Fixture(int parallelism = 3) : eval(&svc, "{{skill}}|{{memory}}|{{task_system}}", parallelism) {
    BasicContext c("setup", RunInfo{}, &svc);
    judge->configure(Config::parse(R"({"needle":"good"})"), c);
    svc.backends["echo"] = backend.get();
    svc.judges["j"] = judge.get();
    svc.evaluator = &eval;
  }
};

}  // namespace

TEST(Evaluation, ReplaysScoresAndAggregatesPerTask) {
  Fixture f;
  BasicContext ctx("night", RunInfo{}, &f.svc, {"j"});
  EvalRequest req;
  req.tasks = {task("a", "a good one"), task("b", "a bad one"), task("c", "please fail now")};
  req.backend_id = "echo";
  req.rollouts = 2;
  req.variant = "baseline";
  const EvalResult r = f.eval.evaluate(req, ctx);
  ASSERT_EQ(r.per_task.size(), 3u);
  EXPECT_EQ(r.per_task[0].hard, 1.0);
  EXPECT_EQ(r.per_task[0].samples, 2);
  EXPECT_EQ(r.per_task[1].hard, 0.0);
  EXPECT_EQ(r.per_task[1].failed_criteria, std::vector<std::string>{"the response must contain \"good\""});
  // A failed call is an error, never a zero score.
  EXPECT_EQ(r.per_task[2].errors, 2);
  EXPECT_EQ(r.per_task[2].samples, 0);
  EXPECT_DOUBLE_EQ(r.mean_hard, 0.5);
  EXPECT_EQ(r.errors, 2);
  EXPECT_EQ(r.replays.size(), 6u);
  EXPECT_EQ(r.verdicts.size(), 4u);
  EXPECT_EQ(r.calls, 6);
  EXPECT_EQ(r.replays[1].response, "a good one #1");
  EXPECT_EQ(r.replays[1].variant, "baseline");
  EXPECT_GT(r.tokens.input, 0);
}

TEST(Evaluation, BudgetStopsTheRunAndSaysSo) {
  // One worker: with several, the others may legitimately finish every job before the
  // budget-throwing call returns, so "fewer calls" would only hold by luck of scheduling.
  Fixture f(1);
  BasicContext ctx("night", RunInfo{}, &f.svc, {"j"});
  EvalRequest req;
  for (int i = 0; i < 20; ++i) req.tasks.push_back(task("t" + std::to_string(i), i == 0 ? "budget" : "good"));
  req.backend_id = "echo";
  const EvalResult r = f.eval.evaluate(req, ctx);
  EXPECT_TRUE(r.budget_stopped);
  EXPECT_LT(r.calls, 20);
}

TEST(Evaluation, SecretsInSkillAreRedactedBeforeTheBackend) {
  Fixture f;
  BasicContext ctx("night", RunInfo{}, &f.svc, {"j"});
  EvalRequest req;
  req.tasks = {task("a", "use key sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH good")};
  req.backend_id = "echo";
  const EvalResult r = f.eval.evaluate(req, ctx);
  ASSERT_EQ(r.replays.size(), 1u);
  EXPECT_EQ(r.replays[0].response.find("sk-ant-api03-abcdef"), std::string::npos) << r.replays[0].response;
}

TEST(Evaluation, MissingBackendOrJudgeIsAClearError) {
  Fixture f;
  BasicContext ctx("night", RunInfo{}, &f.svc, {});
  EvalRequest req;
  req.tasks = {task("a", "x")};
  req.backend_id = "nope";
  EXPECT_THROW(f.eval.evaluate(req, ctx), Error);
  req.backend_id = "echo";
  EXPECT_THROW(f.eval.evaluate(req, ctx), Error);  // no judge wired
}
