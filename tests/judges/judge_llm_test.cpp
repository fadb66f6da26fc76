// judge_llm through a scripted in-test backend: prompt contents, score parsing (strict and
// loose), threshold, one retry on garbage, errors that name the task, redaction, threads.
#include <gtest/gtest.h>

#include <thread>

#include "skillpipe/config.hpp"
#include "test_doubles.hpp"
#include "test_support.hpp"

using namespace skillpipe;
using skillpipe::testing::ScriptedBackend;

namespace {

class LlmJudge : public ::testing::Test {
 protected:
  void SetUp() override {
    svc_.backends["grader"] = &backend_;
    configure(R"({"backend": "grader"})");
  }
  void configure(const std::string& cfg) {
    judge_ = reg_->create_as<Judge>("judge_llm");
    judge_->configure(Config::parse(cfg), ctx_);
  }
  TaskRecord task() {
    TaskRecord t;
    t.id = "rubric-1";
    t.intent = "Summarize the incident for the on-call channel";
    t.reference_kind = ReferenceKind::kRubric;
    t.reference = "Names the root cause and the fix in under 5 lines";
    return t;
  }
  Verdict run(const TaskRecord& t, const std::string& response = "Root cause: disk full. Fix: rotate logs.") {
    ReplayResult r;
    r.task_id = t.id;
    r.response = response;
    r.variant = "baseline";
    r.sample = 2;
    return judge_->judge(t, r, ctx_);
  }

  ScriptedBackend backend_;
  std::unique_ptr<host::PluginRegistry> reg_ = skillpipe::testing::make_registry();
  host::Services svc_;
  host::BasicContext ctx_{"consolidate", RunInfo{}, &svc_};
  std::shared_ptr<Judge> judge_;
};

TEST_F(LlmJudge, StrictJsonReplyIsGradedAndTheRationaleKept) {
  backend_.replies = {R"({"score": 0.9, "reason": "Names cause and fix.", "failed": []})"};
  const Verdict v = run(task());
  EXPECT_EQ(v.hard, 1.0);
  EXPECT_DOUBLE_EQ(v.soft, 0.9);
  EXPECT_EQ(v.rationale, "Names cause and fix.");
  EXPECT_TRUE(v.failed_criteria.empty());
  EXPECT_EQ(v.variant, "baseline");
  EXPECT_EQ(v.sample, 2);
  const auto reqs = backend_.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].purpose, "judge");
  EXPECT_EQ(reqs[0].temperature, 0.0);
  EXPECT_EQ(reqs[0].meta.at("task_id"), "rubric-1");
  ASSERT_EQ(reqs[0].messages.size(), 2u);
  EXPECT_EQ(reqs[0].messages[0].role, "system");
  EXPECT_NE(reqs[0].messages[0].content.find("strict grader"), std::string::npos);
  const std::string& user = reqs[0].messages[1].content;
  EXPECT_NE(user.find("Summarize the incident"), std::string::npos);
  EXPECT_NE(user.find("# Rubric\nNames the root cause"), std::string::npos);
  EXPECT_NE(user.find("<<<BEGIN RESPONSE>>>\nRoot cause: disk full."), std::string::npos);
}

TEST_F(LlmJudge, BelowThresholdFailsWithTheGradersCriteria) {
  backend_.replies = {R"({"score": 0.79, "reason": "No fix given.", "failed": ["must name the fix"]})"};
  const Verdict v = run(task());
  EXPECT_EQ(v.hard, 0.0);
  EXPECT_DOUBLE_EQ(v.soft, 0.79);
  EXPECT_EQ(v.failed_criteria, std::vector<std::string>{"must name the fix"});

  configure(R"({"backend": "grader", "threshold": 0.7})");
  backend_.replies.push_back(R"({"score": 0.79, "reason": "ok"})");
  EXPECT_EQ(run(task()).hard, 1.0);
}

TEST_F(LlmJudge, FailureWithoutListedCriteriaQuotesTheRubric) {
  backend_.replies = {R"({"score": 0.2, "reason": "Off topic."})"};
  const Verdict v = run(task());
  EXPECT_EQ(v.failed_criteria,
            std::vector<std::string>{"the response must satisfy the rubric: Names the root cause and the fix in under 5 lines"});
}

TEST_F(LlmJudge, LooseRepliesAreReadDefensively) {
  struct Case {
    const char* reply;
    double score;
  } cases[] = {
      {"Sure! Here is my grade:\n```json\n{\"score\": \"4/5\", \"reason\": \"mostly\"}\n```", 0.8},
      {"Score: 85%", 0.85},
      {"**Score**: 0.6\nThe answer misses the fix.", 0.6},
      {"0.7", 0.7},
      {"{\"reason\": \"x\", \"score\": 1}", 1.0},
      {"{\"pass\": false, \"reason\": \"wrong\"}", 0.0},
      {"score = 3 / 10 because it rambles", 0.3},
  };
  for (const auto& c : cases) {
    backend_.replies.push_back(c.reply);
    const Verdict v = run(task());
    EXPECT_NEAR(v.soft, c.score, 1e-9) << c.reply;
  }
  EXPECT_EQ(backend_.requests().size(), std::size(cases));  // no retry was needed
}

TEST_F(LlmJudge, OneRetryOnAnUnreadableReply) {
  backend_.replies = {"I think it is pretty good overall!", R"({"score": 0.95, "reason": "fine"})"};
  const Verdict v = run(task());
  EXPECT_DOUBLE_EQ(v.soft, 0.95);
  const auto reqs = backend_.requests();
  ASSERT_EQ(reqs.size(), 2u);
  ASSERT_EQ(reqs[1].messages.size(), 4u);
  EXPECT_EQ(reqs[1].messages[2].role, "assistant");
  EXPECT_EQ(reqs[1].messages[2].content, "I think it is pretty good overall!");
  EXPECT_NE(reqs[1].messages[3].content.find("could not be read"), std::string::npos);
  EXPECT_EQ(ctx_.counts()["judge_llm_retries"], 1);
}

TEST_F(LlmJudge, OutOfRangeScoreIsUnreadable) {
  backend_.replies = {R"({"score": 7, "reason": "7 of 10"})", R"({"score": 0.7, "reason": "rescaled"})"};
  EXPECT_DOUBLE_EQ(run(task()).soft, 0.7);
  EXPECT_EQ(backend_.requests().size(), 2u);
}

TEST_F(LlmJudge, GarbageTwiceIsAnErrorNamingTheTask) {
  backend_.replies = {"lol", "\x01\x02 not json {{{"};
  try {
    run(task());
    FAIL() << "expected RecordError";
  } catch (const RecordError& e) {
    EXPECT_EQ(e.record_id(), "rubric-1");
    EXPECT_NE(std::string(e.what()).find("could not be read twice"), std::string::npos) << e.what();
  }
  EXPECT_EQ(backend_.requests().size(), 2u);
}

TEST_F(LlmJudge, GarbageTwiceScoresZeroWhenConfiguredLikeSkillOpt) {
  configure(R"({"backend": "grader", "on_unparseable": "zero"})");
  backend_.replies = {"lol", "still no"};
  const Verdict v = run(task());
  EXPECT_EQ(v.hard, 0.0);
  EXPECT_EQ(v.soft, 0.0);
  EXPECT_EQ(v.rationale.rfind("judge-parse-failed", 0), 0u) << v.rationale;
}

TEST_F(LlmJudge, BackendFailuresAreErrorsAndBudgetStopsPropagate) {
  backend_.replies = {"!retryable"};
  EXPECT_THROW(run(task()), RecordError);
  backend_.replies.push_back("!budget");
  EXPECT_THROW(run(task()), BudgetExceeded);
}

TEST_F(LlmJudge, MissingBackendIsAConfigError) {
  auto j = reg_->create_as<Judge>("judge_llm");
  try {
    j->configure(Config::parse(R"({"backend": "nope"})"), ctx_);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.pointer(), "/backend");
  }
}

TEST_F(LlmJudge, RubricSourcesAndTheAcceptedAnswer) {
  backend_.reply_fn = [](const ChatRequest&) { return R"({"score": 1, "reason": "ok"})"; };
  TaskRecord t = task();
  t.reference_kind = ReferenceKind::kNone;
  t.reference.clear();
  const Verdict v = run(t);
  EXPECT_NE(v.rationale.find("no rubric"), std::string::npos);

  t.judge.kind = ReferenceKind::kRule;
  t.judge.checks = {RuleCheck{RuleOp::kMaxChars, "", "280", "", false, {}}};
  run(t);
  EXPECT_NE(backend_.requests().back().messages[1].content.find("the ENTIRE response must be at most 280 characters"),
            std::string::npos);

  t.outcome = Outcome::kSuccess;
  t.attempted_solution = "Root cause: full disk; fix: logrotate.";
  t.context_excerpt = "Follow-up constraints: keep it short";
  t.system = "Plain text only.";
  run(t);
  const std::string user = backend_.requests().back().messages[1].content;
  EXPECT_NE(user.find("An answer the user accepted"), std::string::npos);
  EXPECT_NE(user.find("logrotate"), std::string::npos);
  EXPECT_NE(user.find("# Context\nFollow-up constraints"), std::string::npos);
  EXPECT_NE(user.find("# Output contract\nPlain text only."), std::string::npos);
}

TEST_F(LlmJudge, SecretsNeverReachTheGrader) {
  backend_.replies = {R"({"score": 1, "reason": "ok"})"};
  const std::string key = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH";
  TaskRecord t = task();
  t.intent += " using key " + key;
  run(t, "Set ANTHROPIC_API_KEY=" + key + " and retry");
  const auto reqs = backend_.requests();
  for (const auto& m : reqs[0].messages) EXPECT_EQ(m.content.find(key), std::string::npos) << m.content;
}

TEST_F(LlmJudge, ConcurrentCallsAreSafe) {
  backend_.reply_fn = [](const ChatRequest& r) {
    // Grade by the response: "good" responses pass.
    return r.messages[1].content.find("good answer") != std::string::npos ? R"({"score": 0.9, "reason": "good"})"
                                                                          : R"({"score": 0.1, "reason": "bad"})";
  };
  std::vector<std::thread> threads;
  std::vector<double> soft(16);
  for (int i = 0; i < 16; ++i)
    threads.emplace_back([&, i] { soft[static_cast<std::size_t>(i)] = run(task(), i % 2 ? "good answer" : "nope").soft; });
  for (auto& th : threads) th.join();
  for (int i = 0; i < 16; ++i) EXPECT_DOUBLE_EQ(soft[static_cast<std::size_t>(i)], i % 2 ? 0.9 : 0.1);
  EXPECT_EQ(ctx_.counts()["judge_llm_calls"], 16);
}

}  // namespace
