// The metered backend base (backend_common/metered_backend.hpp) with a fake "call once": the
// skeleton every paid backend inherits - cache hits, budget stops, retries with backoff,
// latched failures, and the spend committed (written ahead, then settled) with every answer.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "backend_env.hpp"
#include "metered_backend.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/spend_ledger.hpp"
#include "skillpipe/store.hpp"

namespace skillpipe::testing {
namespace {

using backend_common::AttemptLimits;
using backend_common::AttemptResult;
using Outcome = backend_common::AttemptResult::Outcome;

// Answers from a script of outcomes; every answer uses 10 input + 5 output tokens.
class FakeBackend final : public backend_common::MeteredBackend {
 public:
  explicit FakeBackend(backend_common::MeterSettings s) : settings_(std::move(s)) {}
  void configure(const Config&, Context& ctx) override { configure_metering(settings_, ctx); }
  bool available(std::string*) const override { return true; }
  std::string identity() const override { return "fake:model"; }

  std::vector<Outcome> script;  // consumed in order; kAnswer once it runs out
  std::function<void(Context&)> during_call;
  bool report_usage = true;
  std::atomic<int> calls{0};

 protected:
  double cost_usd(const TokenUsage& u) const override { return 0.001 * static_cast<double>(u.total()); }
  backend_common::PreparedCall prepare(const ChatRequest& r, Context&) override {
    backend_common::PreparedCall c;
    c.payload = r.messages.back().content;
    c.cache_kind = "fake";
    c.cache_material = c.payload + "\nsample=" + std::to_string(r.sample);
    c.est_tokens_in = 10;
    c.max_tokens_out = r.max_tokens;
    c.worst_cost_usd = 0.001 * static_cast<double>(10 + r.max_tokens);
    return c;
  }
  AttemptResult call_once(const ChatRequest&, const backend_common::PreparedCall& call, const AttemptLimits& limits,
                          Context& ctx) override {
    ++calls;
    last_attempt = limits.attempt;
    if (during_call) during_call(ctx);
    AttemptResult a;
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (next_ < script.size()) a.outcome = script[next_++];
    }
    if (a.outcome != Outcome::kAnswer) {
      a.message = "scripted failure";
      return a;
    }
    a.response.text = "echo: " + call.payload;
    a.response.usage.input = 10;
    a.response.usage.output = 5;
    a.usage_reported = report_usage;
    return a;
  }

 public:
  int last_attempt = -1;

 private:
  backend_common::MeterSettings settings_;
  std::mutex mu_;
  std::size_t next_ = 0;
};

class MeteredBackendTest : public ::testing::Test {
 protected:
  MeteredBackendTest() { env_.store().next_night("0001-test", ""); }

  std::unique_ptr<FakeBackend> make(backend_common::MeterSettings s = {}, BackendEnv* env = nullptr) {
    s.name = "fake";
    s.calls_counter = "fake_calls";
    s.virtual_clock = true;  // backoff waits advance a virtual clock
    s.jitter_seed = 1;
    auto b = std::make_unique<FakeBackend>(s);
    b->configure(Config::parse("{}"), (env ? *env : env_).ctx());
    return b;
  }
  // The night's spend as the ledger says: this backend's totals, summed from the lines.
  SpendTotals spend() { return sum_spend(read_spend(&env_.store()), "llm/test"); }
  std::vector<SpendEntry> ledger() { return read_spend(&env_.store()); }
  BackendEnv env_;
};

TEST_F(MeteredBackendTest, ARepeatedRequestIsAnsweredFromTheCacheAndCostsNothing) {
  auto b = make();
  const ChatResponse first = b->complete(user_request("hello"), env_.ctx());
  EXPECT_FALSE(first.cached);
  EXPECT_DOUBLE_EQ(first.cost_usd, 0.015);  // priced by the subclass: 15 tokens
  const ChatResponse again = b->complete(user_request("hello"), env_.ctx());
  EXPECT_TRUE(again.cached);
  EXPECT_EQ(again.text, first.text);
  EXPECT_EQ(again.cost_usd, 0);
  EXPECT_EQ(b->calls.load(), 1);
  EXPECT_EQ(env_.ctx().counts()["cache_hits"], 1);
  EXPECT_EQ(env_.ctx().counts()["fake_calls"], 1);
  EXPECT_EQ(b->budget().tokens_used, 15) << "a cache hit spends nothing";
}

TEST_F(MeteredBackendTest, TheBudgetStopsACallBeforeItIsMade) {
  backend_common::MeterSettings s;
  s.caps.max_tokens = 60;  // a call reserves 10 + max_tokens (20) = 30
  auto b = make(s);
  b->complete(user_request("one", 20), env_.ctx());   // reserves 30, spends 15
  b->complete(user_request("two", 20), env_.ctx());   // 15 + 30 <= 60; spends 15
  b->complete(user_request("three", 20), env_.ctx()); // 30 + 30 <= 60
  EXPECT_THROW(b->complete(user_request("four", 20), env_.ctx()), BudgetExceeded);  // 45 + 30 > 60
  EXPECT_EQ(b->calls.load(), 3) << "the refused call never reached call_once()";
  const BudgetState st = b->budget();
  EXPECT_TRUE(st.exhausted);
  EXPECT_NE(st.reason.find("token cap of 60"), std::string::npos) << st.reason;
  // Once exhausted, paid calls stay refused but the cache still answers.
  EXPECT_THROW(b->complete(user_request("five", 1), env_.ctx()), BudgetExceeded);
  EXPECT_FALSE(b->complete(user_request("one", 20), env_.ctx()).text.empty());
}

TEST_F(MeteredBackendTest, TransientFailuresAreRetriedWithBackoffThenGivenUp) {
  backend_common::MeterSettings s;
  s.backoff.max_retries = 2;
  s.backoff.base_s = 1;
  auto b = make(s);
  b->script = {Outcome::kRetry, Outcome::kRetry};
  const ChatResponse r = b->complete(user_request("flaky"), env_.ctx());
  EXPECT_EQ(r.text, "echo: flaky");
  EXPECT_EQ(b->calls.load(), 3);
  EXPECT_EQ(b->last_attempt, 2);
  EXPECT_EQ(env_.ctx().counts()["retries"], 2);
  EXPECT_NE(env_.log().find("fake: scripted failure; retry 1/2"), std::string::npos) << env_.log();

  auto down = make(s);
  down->script = {Outcome::kRetry, Outcome::kRetry, Outcome::kRetry};
  try {
    down->complete(user_request("down"), env_.ctx());
    FAIL() << "expected RetryableError";
  } catch (const RetryableError& e) {
    EXPECT_NE(std::string(e.what()).find("gave up after 3 attempts"), std::string::npos) << e.what();
  }
  EXPECT_EQ(down->calls.load(), 3);
  // The night's spend is the first call's: the failed one spent nothing and left no reservation.
  EXPECT_EQ(down->budget().tokens_used, 15);
  EXPECT_EQ(spend().tokens(), 15);
  EXPECT_EQ(spend().open, 0);
  EXPECT_EQ(spend().attempts, 3) << "the first call's 3 attempts; the failed call's are not billed";
}

TEST_F(MeteredBackendTest, APermanentFailureIsLatchedAndAProviderQuotaExhaustsTheBudget) {
  auto b = make();
  b->script = {Outcome::kFailForGood};
  EXPECT_THROW(b->complete(user_request("a"), env_.ctx()), Error);
  EXPECT_THROW(b->complete(user_request("b"), env_.ctx()), Error);
  EXPECT_EQ(b->calls.load(), 1) << "after a latched failure no call is attempted";

  auto q = make();
  q->script = {Outcome::kBudgetSpent};
  EXPECT_THROW(q->complete(user_request("a"), env_.ctx()), BudgetExceeded);
  EXPECT_TRUE(q->budget().exhausted);
  EXPECT_THROW(q->complete(user_request("b"), env_.ctx()), BudgetExceeded);
  EXPECT_EQ(q->calls.load(), 1);
}

TEST_F(MeteredBackendTest, SpendIsWrittenAheadAndCommittedWithEveryAnswer) {
  auto b = make();
  SpendTotals during;
  b->during_call = [&](Context&) { during = spend(); };
  b->complete(user_request("x", 40), env_.ctx());
  // While the call ran, the ledger already counted its worst case (10 + 40 tokens).
  EXPECT_EQ(during.tokens(), 50);
  EXPECT_EQ(during.open, 1);
  // Once answered, the real spend replaced it, in the same line as the answer itself.
  EXPECT_EQ(spend().tokens(), 15);
  EXPECT_EQ(spend().open, 0);
  const auto lines = ledger();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].event, SpendEvent::kReserve);
  EXPECT_EQ(lines[1].event, SpendEvent::kAnswer);
  EXPECT_EQ(lines[1].id, lines[0].id);
  EXPECT_EQ(lines[1].stage, "llm/test");
  EXPECT_NE(lines[1].response.find("echo: x"), std::string::npos) << lines[1].response;
  EXPECT_EQ(env_.store().cache_size(), 1u);
}

TEST_F(MeteredBackendTest, ACallInFlightWhenTheRunWasKilledCountsAtItsWorstCase) {
  backend_common::MeterSettings s;
  s.caps.max_tokens = 100;
  // A killed run's ledger: one answered call, one reservation that never got its answer.
  {
    SpendEntry r;
    r.event = SpendEvent::kReserve, r.id = "dead-1", r.backend = "llm/test", r.run = "dead", r.tokens = 30;
    record_spend(&env_.store(), r);
    SpendEntry a = r;
    a.event = SpendEvent::kAnswer, a.usage = {10, 5, 0, 0};
    record_spend(&env_.store(), a);
    SpendEntry open = r;
    open.id = "dead-2", open.tokens = 50;
    record_spend(&env_.store(), open);
  }
  auto resumed = make(s);
  EXPECT_EQ(resumed->budget().tokens_used, 65) << "15 answered + 50 that the provider may have billed";
  resumed->complete(user_request("fits", 20), env_.ctx());  // 65 + 30 <= 100
  EXPECT_THROW(resumed->complete(user_request("over", 20), env_.ctx()), BudgetExceeded);  // 80 + 30 > 100
  EXPECT_EQ(resumed->calls.load(), 1);
}

TEST_F(MeteredBackendTest, AnAnswerInTheLedgerButNotInTheCacheIsNotPaidAgain) {
  {
    auto first = make();
    first->complete(user_request("asked before the kill"), env_.ctx());
  }
  // The kill came between the ledger line and the cache write: a store with the ledger and
  // an empty cache.
  BackendEnv killed;
  killed.store().next_night("0001-test", "");
  for (const auto& line : env_.store().read(kSpendStream)) killed.store().append(kSpendStream, {line});
  ASSERT_EQ(killed.store().cache_size(), 0u);
  auto resumed = make({}, &killed);
  const ChatResponse r = resumed->complete(user_request("asked before the kill"), killed.ctx());
  EXPECT_TRUE(r.cached);
  EXPECT_EQ(r.text, "echo: asked before the kill");
  EXPECT_EQ(resumed->calls.load(), 0);
  EXPECT_EQ(killed.store().cache_size(), 1u) << "the cache is healed from the ledger";
  const SpendTotals t = sum_spend(read_spend(&killed.store()), "llm/test");
  EXPECT_EQ(t.calls, 1);
  EXPECT_EQ(t.cached_calls, 1);
}

TEST_F(MeteredBackendTest, ACallCapStopsTheCallAfterTheLastAllowedOne) {
  backend_common::MeterSettings s;
  s.caps.max_calls = 2;
  auto b = make(s);
  b->complete(user_request("one"), env_.ctx());
  b->complete(user_request("one"), env_.ctx());  // cached: free, not a call
  b->complete(user_request("two"), env_.ctx());
  EXPECT_THROW(b->complete(user_request("three"), env_.ctx()), BudgetExceeded);
  EXPECT_EQ(b->calls.load(), 2);
  EXPECT_NE(b->budget().reason.find("call cap of 2"), std::string::npos) << b->budget().reason;
  // The cap holds across a resume too: the ledger says two calls were made.
  auto resumed = make(s);
  EXPECT_THROW(resumed->complete(user_request("four"), env_.ctx()), BudgetExceeded);
  EXPECT_EQ(resumed->calls.load(), 0);
}

TEST_F(MeteredBackendTest, IdenticalRequestsInFlightTogetherArePaidOnce) {
  backend_common::MeterSettings s;
  s.concurrency = 4;
  auto b = make(s);
  std::atomic<int> entered{0};
  b->during_call = [&](Context&) {
    ++entered;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the others arrive meanwhile
  };
  std::vector<ChatResponse> got(4);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < got.size(); ++i)
    threads.emplace_back([&, i] { got[i] = b->complete(user_request("same question"), env_.ctx()); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(b->calls.load(), 1);
  int paid = 0;
  for (const auto& r : got) {
    EXPECT_EQ(r.text, "echo: same question");
    if (!r.cached) ++paid;
  }
  EXPECT_EQ(paid, 1);
  EXPECT_EQ(spend().calls, 1);
  EXPECT_EQ(spend().cached_calls, 3);
  EXPECT_EQ(b->budget().tokens_used, 15);
}

TEST_F(MeteredBackendTest, ABudgetHoldsAcrossAResumedNight) {
  backend_common::MeterSettings s;
  s.caps.max_tokens = 40;
  {
    auto first = make(s);
    first->complete(user_request("one", 5), env_.ctx());  // spends 15
  }
  // A new backend of the same night (a killed run, resumed) starts from what was spent.
  auto resumed = make(s);
  EXPECT_EQ(resumed->budget().tokens_used, 15);
  resumed->complete(user_request("two", 5), env_.ctx());      // 15 + 15 <= 40
  EXPECT_THROW(resumed->complete(user_request("three", 15), env_.ctx()), BudgetExceeded);  // 30 + 25 > 40
}

TEST_F(MeteredBackendTest, UnreportedUsageIsEstimatedAndPriced) {
  auto b = make();
  b->report_usage = false;
  const ChatResponse r = b->complete(user_request("a question"), env_.ctx());
  EXPECT_EQ(r.usage.input, 10);
  EXPECT_GT(r.usage.output, 0);
  EXPECT_DOUBLE_EQ(r.cost_usd, 0.001 * static_cast<double>(r.usage.total()));
  EXPECT_EQ(env_.ctx().counts()["usage_estimated"], 1);
}

TEST_F(MeteredBackendTest, SecretsAreRedactedBeforeTheSubclassSeesThem) {
  auto b = make();
  const ChatResponse r = b->complete(user_request("key sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789"), env_.ctx());
  EXPECT_EQ(r.text.find("sk-ant-api03"), std::string::npos) << r.text;
  EXPECT_GE(env_.ctx().counts()["redactions"], 1);
}

}  // namespace
}  // namespace skillpipe::testing
