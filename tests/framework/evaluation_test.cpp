#include <gtest/gtest.h>

#include <mutex>

#include "host/basic_context.hpp"
#include "host/evaluation_service.hpp"
#include "host/plugin_registry.hpp"
#include "skillpipe/backend.hpp"
#include "skillpipe/errors.hpp"
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

namespace {

// A backend with a Lookahead that records what it was told and when.
class ForesightBackend final : public Backend, public Lookahead {
 public:
  bool available(std::string*) const override { return true; }
  std::string identity() const override { return "foresight"; }
  ChatResponse complete(const ChatRequest& r, Context&) override {
    std::lock_guard<std::mutex> lk(mu);
    log.push_back("call " + r.replay->task.id + "#" + std::to_string(r.sample));
    for (const ChatRequest* t : told) told_ones_came += t == &r ? 1 : 0;
    if (r.replay->task.intent == "budget") throw BudgetExceeded("cap reached");
    ChatResponse out;
    out.text = "good";
    return out;
  }
  void expect(const std::vector<ChatRequest>& upcoming, Context&) override {
    std::lock_guard<std::mutex> lk(mu);
    std::string s = "expect";
    for (const auto& r : upcoming) {
      s += " " + r.replay->task.id + "#" + std::to_string(r.sample);
      told.push_back(&r);
    }
    log.push_back(s);
  }
  void forget(const std::vector<ChatRequest>& upcoming, Context&) override {
    std::lock_guard<std::mutex> lk(mu);
    log.push_back("forget " + std::to_string(upcoming.size()));
  }
  std::mutex mu;
  std::vector<std::string> log;
  std::vector<const ChatRequest*> told;
  int told_ones_came = 0;  // calls whose request is the very object expect() was shown
};

}  // namespace

TEST(Evaluation, ABackendWithALookaheadIsToldTheBatchBeforeAndReleasedAfter) {
  Fixture f(1);
  ForesightBackend b;
  f.svc.backends["ahead"] = &b;
  BasicContext ctx("night", RunInfo{}, &f.svc, {"j"});
  EvalRequest req;
  req.tasks = {task("a", "good"), task("b", "good")};
  req.backend_id = "ahead";
  req.rollouts = 2;
  req.skill_text = "the skill";
  f.eval.evaluate(req, ctx);
  // In the order the workers take the jobs (task-major), each request as complete() gets it.
  EXPECT_EQ(b.log, (std::vector<std::string>{"expect a#0 a#1 b#0 b#1", "call a#0", "call a#1", "call b#0", "call b#1",
                                             "forget 4"}));
  // The workers send the requests the backend was told about, not a second rendering of them.
  EXPECT_EQ(b.told_ones_came, 4);

  // A batch cut short still releases everything it announced.
  ForesightBackend cut;
  f.svc.backends["ahead"] = &cut;
  req.tasks = {task("x", "budget"), task("y", "good")};
  req.rollouts = 1;
  EXPECT_TRUE(f.eval.evaluate(req, ctx).budget_stopped);
  EXPECT_EQ(cut.log, (std::vector<std::string>{"expect x#0 y#0", "call x#0", "forget 2"}));
}
