// backend_llm: the persistent response cache, per-night budget caps (tokens, cost, wall
// time), budget kept across a resumed night, and plan-before-spending estimates.
#include <string>

#include "llm_test_util.hpp"
#include "test_support.hpp"
#include "skillpipe/errors.hpp"

namespace skillpipe::testing {
namespace {

TEST_F(BackendsLlm, SecondRunIsAnsweredFromTheCache) {
  std::vector<std::string> first;
  {
    auto b = env_.make("backend_llm", llm_config(server_));
    for (int i = 0; i < 5; ++i) first.push_back(b->complete(user_request("task " + std::to_string(i)), env_.ctx()).text);
  }
  ASSERT_EQ(server_.requests(), 5);
  EXPECT_EQ(env_.store().cache_size(), 5u);

  // A new backend (a resumed or repeated night) with the same store: no request is sent.
  auto again = env_.make("backend_llm", llm_config(server_));
  for (int i = 0; i < 5; ++i) {
    ChatResponse r = again->complete(user_request("task " + std::to_string(i)), env_.ctx());
    EXPECT_TRUE(r.cached);
    EXPECT_EQ(r.text, first[static_cast<std::size_t>(i)]);
    EXPECT_EQ(r.cost_usd, 0);
    EXPECT_EQ(r.usage.input, 11) << "usage describes the answer, so token-weighted scores do not change";
  }
  EXPECT_EQ(server_.requests(), 5);
  EXPECT_EQ(env_.ctx().counts()["cache_hits"], 5);

  // Another sample of the same prompt is a different request.
  ChatRequest k1 = user_request("task 0");
  k1.sample = 1;
  EXPECT_FALSE(again->complete(k1, env_.ctx()).cached);
  EXPECT_EQ(server_.requests(), 6);
}

TEST_F(BackendsLlm, CacheKeyCoversModelAndParameters) {
  auto b = env_.make("backend_llm", llm_config(server_));
  b->complete(user_request("same prompt", 64), env_.ctx());
  b->complete(user_request("same prompt", 65), env_.ctx());
  ChatRequest hot = user_request("same prompt", 64);
  hot.temperature = 0.7;
  b->complete(hot, env_.ctx());
  auto other = env_.make("backend_llm", llm_config(server_, R"("model":"other")"));
  other->complete(user_request("same prompt", 64), env_.ctx());
  EXPECT_EQ(server_.requests(), 4);
}

// Issue 14: the cache serves resuming a night, never a comparison across nights. A replay
// drawn by another night (meta "draw", the night id) is asked afresh.
TEST_F(BackendsLlm, AnotherNightsDrawIsNotServedFromTheCache) {
  auto b = env_.make("backend_llm", llm_config(server_));
  ChatRequest monday = user_request("replay task 1");
  monday.meta["draw"] = "20261206-031700";
  b->complete(monday, env_.ctx());
  EXPECT_TRUE(b->complete(monday, env_.ctx()).cached);  // the same night, resumed
  ChatRequest tuesday = monday;
  tuesday.meta["draw"] = "20261207-031700";
  EXPECT_FALSE(b->complete(tuesday, env_.ctx()).cached);
  EXPECT_EQ(server_.requests(), 2);
}

TEST_F(BackendsLlm, CacheCanBeTurnedOff) {
  auto b = env_.make("backend_llm", llm_config(server_, R"("cache":false)"));
  b->complete(user_request("x"), env_.ctx());
  b->complete(user_request("x"), env_.ctx());
  EXPECT_EQ(server_.requests(), 2);
  EXPECT_EQ(env_.store().cache_size(), 0u);
}

TEST_F(BackendsLlm, TokenCapStopsCalls) {
  // Each answer uses 11 + 7 = 18 tokens; a call reserves its prompt estimate + max_tokens.
  auto b = env_.make("backend_llm", llm_config(server_, R"("budget":{"max_tokens":40})"));
  b->complete(user_request("a", 8), env_.ctx());
  b->complete(user_request("b", 8), env_.ctx());
  try {
    b->complete(user_request("c", 8), env_.ctx());
    FAIL() << "expected BudgetExceeded";
  } catch (const BudgetExceeded& e) {
    EXPECT_NE(std::string(e.what()).find("token cap of 40"), std::string::npos) << e.what();
  }
  EXPECT_EQ(server_.requests(), 2);
  BudgetState s = b->budget();
  EXPECT_TRUE(s.exhausted);
  EXPECT_EQ(s.tokens_used, 36);
  EXPECT_EQ(s.max_tokens, 40);
  EXPECT_NE(s.reason.find("token cap"), std::string::npos);
  // Once stopped, it stays stopped, but cached answers are still served.
  EXPECT_THROW(b->complete(user_request("d", 1), env_.ctx()), BudgetExceeded);
  EXPECT_TRUE(b->complete(user_request("a", 8), env_.ctx()).cached);
  EXPECT_EQ(server_.requests(), 2);
}

TEST_F(BackendsLlm, CallCapStopsCallsAndRetriesCountOnce) {
  auto b = env_.make("backend_llm", llm_config(server_, R"("budget":{"max_calls":2})"));
  server_.push(Action::error(503));  // the first call needs a retry: still one call
  b->complete(user_request("a"), env_.ctx());
  b->complete(user_request("b"), env_.ctx());
  try {
    b->complete(user_request("c"), env_.ctx());
    FAIL() << "expected BudgetExceeded";
  } catch (const BudgetExceeded& e) {
    EXPECT_NE(std::string(e.what()).find("call cap of 2"), std::string::npos) << e.what();
  }
  EXPECT_EQ(server_.requests(), 3);
  EXPECT_TRUE(b->complete(user_request("a"), env_.ctx()).cached);
}

TEST_F(BackendsLlm, ANegativeCallCapIsRefusedByValidate) {
  TempDir tmp;
  write_text(tmp.file("p.yaml"), "skillpipe: 1\nbackends:\n  llm: {plugin: backend_llm, config: {budget: {max_calls: -1}}}\n"
                                 "stages:\n  - {id: mine, plugin: mine_personas, config: {fixture: x.json}}\n");
  const auto r = run_skillpipe({"validate", tmp.file("p.yaml")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE((r.out + r.err).find("/budget/max_calls: config for plugin 'backend_llm': must be >= 0"), std::string::npos)
      << r.out << r.err;
}

TEST_F(BackendsLlm, CostCapStopsCalls) {
  // $0.01 per token: each answer costs 18 * 0.01 = $0.18.
  auto b = env_.make("backend_llm", llm_config(server_, R"("prices":{"scripted":{"input_per_mtok":10000,"output_per_mtok":10000}},)"
                                                         R"("budget":{"max_cost_usd":0.5})"));
  EXPECT_NEAR(b->complete(user_request("a", 8), env_.ctx()).cost_usd, 0.18, 1e-9);
  b->complete(user_request("b", 8), env_.ctx());
  EXPECT_THROW(b->complete(user_request("c", 8), env_.ctx()), BudgetExceeded);
  EXPECT_EQ(server_.requests(), 2);
  EXPECT_NEAR(b->budget().cost_used, 0.36, 1e-9);
  EXPECT_NE(b->budget().reason.find("cost cap"), std::string::npos);
}

TEST_F(BackendsLlm, WallCapRefusesARetryWaitThatWouldPassIt) {
  auto b = env_.make("backend_llm", llm_config(server_, R"("test_virtual_clock":true,"budget":{"max_wall_s":5})"));
  server_.push(Action::error(429, "10"));
  EXPECT_THROW(b->complete(user_request("hi"), env_.ctx()), BudgetExceeded);
  EXPECT_EQ(server_.requests(), 1);
  EXPECT_TRUE(b->budget().exhausted);
  EXPECT_NE(b->budget().reason.find("wall time"), std::string::npos);
}

TEST_F(BackendsLlm, BudgetSurvivesAResumedNight) {
  env_.store().next_night("0007-test", "");
  {
    auto b = env_.make("backend_llm", llm_config(server_, R"("budget":{"max_tokens":1000})"));
    b->complete(user_request("a", 8), env_.ctx());
    b->complete(user_request("b", 8), env_.ctx());
  }  // no finish(): the spend is in the store already, committed with each answer
  // The resumed night's backend counts the 36 tokens already spent against its cap, and
  // reports them before its first call (for the plan).
  auto resumed = env_.make("backend_llm", llm_config(server_, R"("budget":{"max_tokens":50})"));
  EXPECT_EQ(resumed->budget().tokens_used, 36);
  EXPECT_THROW(resumed->complete(user_request("c", 8), env_.ctx()), BudgetExceeded);
  EXPECT_EQ(server_.requests(), 2);
  EXPECT_EQ(resumed->budget().tokens_used, 36);
}

TEST_F(BackendsLlm, EstimateForPlanning) {
  auto b = env_.make("backend_llm", llm_config(server_, R"("prices":{"scripted":{"input_per_mtok":1,"output_per_mtok":2}})"));
  ChatRequest req = user_request(std::string(400, 'x'), 2000);
  CostEstimate e = b->estimate(req);
  EXPECT_EQ(e.calls, 1);
  EXPECT_EQ(e.tokens_in, 3 + 4 + 100);
  EXPECT_EQ(e.tokens_out, 512);
  EXPECT_NEAR(e.cost_usd, (107 * 1 + 512 * 2) / 1e6, 1e-12);
  // Once answered, the same request costs nothing tonight.
  b->complete(req, env_.ctx());
  EXPECT_EQ(b->estimate(req).calls, 0);
  EXPECT_EQ(server_.requests(), 1);
}

}  // namespace
}  // namespace skillpipe::testing
