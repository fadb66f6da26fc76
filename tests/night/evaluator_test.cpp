// Evaluator (plugins/consolidate_reflect/evaluator.hpp) against a recording evaluation service:
// scored from `first_sample` on, a request asks for the samples before it too (the response
// cache answers those of documents replayed tonight) and only the later ones are scored - what
// the final replay does to be judged on fresh samples, not on the trial's own.
#include "evaluator.hpp"

#include <gtest/gtest.h>

#include "service_context.hpp"

namespace skillpipe::consolidate_reflect {
namespace {

// Sample s of every task scores 1 when s >= `good_from`, else 0; remembers the request.
class SampleService final : public EvaluationService {
 public:
  explicit SampleService(int good_from) : good_from_(good_from) {}
  EvalResult evaluate(const EvalRequest& req, Context&) override {
    last = req;
    EvalResult r;
    for (const auto& t : req.tasks) {
      TaskScore ts;
      ts.task_id = t.id;
      for (int s = 0; s < req.rollouts; ++s) {
        ReplayResult rr;
        rr.task_id = t.id;
        rr.sample = s;
        rr.variant = req.variant;
        rr.tokens_in = s < good_from_ ? 1000 : 10;  // the early samples' cost is not the scored ones'
        if (t.id == "b" && s == req.rollouts - 1) rr.error = "endpoint returned 500";  // b's last failed
        r.replays.push_back(rr);
        Verdict v;
        v.task_id = t.id;
        v.sample = s;
        v.hard = v.soft = s >= good_from_ ? 1.0 : 0.0;
        if (rr.error.empty()) r.verdicts.push_back(v);
        ts.hard += v.hard / req.rollouts;
        ts.soft += v.soft / req.rollouts;
        ++ts.samples;
      }
      r.per_task.push_back(ts);
    }
    return r;
  }
  EvalRequest last;

 private:
  int good_from_;
};

std::vector<TaskRecord> two_tasks() {
  TaskRecord a, b;
  a.id = "a";
  b.id = "b";
  return {a, b};
}

TEST(Evaluator, ScoresOnlyTheSamplesFromFirstSampleOn) {
  SampleService svc(3);
  ServiceContext ctx(svc);
  Usage usage;
  Evaluator ev(ctx, "mock", usage);
  const Scored fresh = ev.run(two_tasks(), "skill", "memory", "final", "final", 3, 3);
  EXPECT_EQ(svc.last.rollouts, 6) << "samples 0-2 (the trial's, from the cache) and 3-5 (fresh)";
  ASSERT_EQ(fresh.results.size(), 2u);
  for (const auto& t : fresh.results) {
    EXPECT_TRUE(t.scored);
    EXPECT_DOUBLE_EQ(t.hard, 1.0) << "samples 3-5 only; all six would give 0.5";
    EXPECT_EQ(t.samples.size(), t.task_id == "b" ? 2u : 3u);
    EXPECT_EQ(t.failed, t.task_id == "b" ? 1 : 0) << "a failed replay is counted, never scored";
    EXPECT_DOUBLE_EQ(t.tokens, 10) << "the cost of the scored samples";
  }

  const Scored all = ev.run(two_tasks(), "skill", "memory", "trial:x", "trial", 3);
  EXPECT_EQ(svc.last.rollouts, 3);
  for (const auto& t : all.results) {
    EXPECT_EQ(t.samples.size(), t.task_id == "b" ? 2u : 3u);
    EXPECT_EQ(t.failed, t.task_id == "b" ? 1 : 0);
  }
}

}  // namespace
}  // namespace skillpipe::consolidate_reflect
