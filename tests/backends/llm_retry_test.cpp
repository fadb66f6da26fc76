// backend_llm: retries, backoff timing (virtual clock where the waits are long), timeouts,
// malformed and truncated replies, the concurrency limit and the requests-per-minute limit.
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include "llm_test_util.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::testing {
namespace {

TEST_F(BackendsLlm, HonoursRetryAfterThenBacksOffExponentially) {
  // Virtual clock: the 7 s Retry-After and the 2 s backoff take no real time, but show up
  // in the call's latency, which is measured on the same clock.
  auto b = env_.make("backend_llm", llm_config(server_, R"("test_virtual_clock":true,"backoff_base_s":1)"));
  server_.push(Action::error(429, "7"));
  server_.push(Action::error(503));
  server_.push(Action::ok("finally"));
  auto t0 = std::chrono::steady_clock::now();
  ChatResponse r = b->complete(user_request("hi"), env_.ctx());
  EXPECT_EQ(r.text, "finally");
  EXPECT_EQ(server_.requests(), 3);
  // retry 1 waits Retry-After = 7 s; retry 2 waits base * 2^1 = 2 s.
  EXPECT_GE(r.latency_ms, 9000.0);
  EXPECT_LT(r.latency_ms, 9000.0 + 1000.0 * seconds_since(t0) + 1.0);
  EXPECT_LT(seconds_since(t0), 1.0) << "virtual waits must not sleep";
  EXPECT_EQ(env_.ctx().counts()["retries"], 2);
}

TEST_F(BackendsLlm, RetryAfterAsHttpDate) {
  auto b = env_.make("backend_llm", llm_config(server_, R"("test_virtual_clock":true)"));
  std::time_t at = std::time(nullptr) + 30;
  char date[64];
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", std::gmtime(&at));
  server_.push(Action::error(503, date));
  ChatResponse r = b->complete(user_request("hi"), env_.ctx());
  EXPECT_GE(r.latency_ms, 28000.0);
  EXPECT_LE(r.latency_ms, 31000.0);
}

TEST_F(BackendsLlm, JitterKeepsDelaysWithinBounds) {
  auto b = env_.make("backend_llm",
                     llm_config(server_, R"("test_virtual_clock":true,"backoff_base_s":1,"jitter":0.5,"test_jitter_seed":42)"));
  for (int i = 0; i < 3; ++i) server_.push(Action::error(500));
  ChatResponse r = b->complete(user_request("hi"), env_.ctx());
  // Delays 1, 2, 4 s each reduced by up to half: between 3.5 and 7 s in total.
  EXPECT_GE(r.latency_ms, 3500.0);
  EXPECT_LT(r.latency_ms, 7000.0);
}

TEST_F(BackendsLlm, RealClockBackoffWaits) {
  auto b = env_.make("backend_llm", llm_config(server_, R"("backoff_base_s":0.05)"));
  server_.push(Action::error(502));
  server_.push(Action::error(500));
  auto t0 = std::chrono::steady_clock::now();
  b->complete(user_request("hi"), env_.ctx());
  double s = seconds_since(t0);
  EXPECT_GE(s, 0.15) << "0.05 + 0.10 s of backoff";
  EXPECT_LT(s, 1.5);
}

TEST_F(BackendsLlm, GivesUpAfterMaxRetries) {
  auto b = env_.make("backend_llm", llm_config(server_, R"("max_retries":2)"));
  server_.set_default(Action::error(500));
  EXPECT_THROW(b->complete(user_request("hi"), env_.ctx()), RetryableError);
  EXPECT_EQ(server_.requests(), 3);
}

TEST_F(BackendsLlm, RetryAfterBeyondTheLimitIsNotWaitedFor) {
  auto b = env_.make("backend_llm", llm_config(server_, R"("max_retry_after_s":60)"));
  server_.push(Action::error(429, "3600"));
  auto t0 = std::chrono::steady_clock::now();
  try {
    b->complete(user_request("hi"), env_.ctx());
    FAIL() << "expected RetryableError";
  } catch (const RetryableError& e) {
    EXPECT_NE(std::string(e.what()).find("3600"), std::string::npos) << e.what();
  }
  EXPECT_EQ(server_.requests(), 1);
  EXPECT_LT(seconds_since(t0), 1.0);
}

TEST_F(BackendsLlm, HangingServerTimesOutAndIsRetried) {
  auto b = env_.make("backend_llm", llm_config(server_, R"("timeout_s":0.3)"));
  server_.push(Action::of(Action::kHang));
  server_.push(Action::ok("after the hang"));
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(b->complete(user_request("hi"), env_.ctx()).text, "after the hang");
  EXPECT_EQ(server_.requests(), 2);
  EXPECT_GE(seconds_since(t0), 0.3);
  EXPECT_LT(seconds_since(t0), 1.5);
  EXPECT_NE(env_.log().find("timed out"), std::string::npos);
}

TEST_F(BackendsLlm, MalformedAndTruncatedRepliesAreRetried) {
  auto b = env_.make("backend_llm", llm_config(server_));
  server_.push(Action::of(Action::kMalformed));
  server_.push(Action::of(Action::kTruncated));
  server_.push(Action::ok("whole"));
  EXPECT_EQ(b->complete(user_request("hi"), env_.ctx()).text, "whole");
  EXPECT_EQ(server_.requests(), 3);
  EXPECT_NE(env_.log().find("malformed reply"), std::string::npos) << env_.log();
}

TEST_F(BackendsLlm, AlwaysMalformedEndsAsRetryableError) {
  auto b = env_.make("backend_llm", llm_config(server_, R"("max_retries":1)"));
  server_.set_default(Action::of(Action::kMalformed));
  EXPECT_THROW(b->complete(user_request("hi"), env_.ctx()), RetryableError);
  EXPECT_EQ(server_.requests(), 2);
}

TEST_F(BackendsLlm, ConnectionRefusedIsRetriedThenReported) {
  std::string url;
  {
    ScriptedServer gone;
    url = gone.openai_base_url();
  }  // nothing listens on that port any more
  auto b = env_.make("backend_llm", R"({"provider":"openai","base_url":")" + url +
                                        R"(","model":"m","api_key_env":"SKILLPIPE_TEST_LLM_KEY","max_retries":1,"backoff_base_s":0.01})");
  try {
    b->complete(user_request("hi"), env_.ctx());
    FAIL() << "expected RetryableError";
  } catch (const RetryableError& e) {
    EXPECT_NE(std::string(e.what()).find("2 attempts"), std::string::npos) << e.what();
  }
}

TEST_F(BackendsLlm, ConcurrencyLimitIsObservedAtTheServer) {
  auto b = env_.make("backend_llm", llm_config(server_, R"("concurrency":3)"));
  Action slow = Action::ok();
  slow.latency_s = 0.1;
  server_.set_default(slow);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 12; ++i) {
    threads.emplace_back([&, i] {
      if (!b->complete(user_request("task " + std::to_string(i)), env_.ctx()).text.empty()) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 12);
  EXPECT_EQ(server_.requests(), 12);
  EXPECT_EQ(server_.max_in_flight(), 3);
}

TEST_F(BackendsLlm, RequestsPerMinuteLimitWaits) {
  auto b = env_.make("backend_llm", llm_config(server_, R"("test_virtual_clock":true,"requests_per_minute":2)"));
  b->complete(user_request("one"), env_.ctx());
  b->complete(user_request("two"), env_.ctx());
  EXPECT_LT(b->budget().wall_s, 1.0);
  // The third request must wait until the first leaves the one-minute window. The wait is
  // local, so it shows in the night's (virtual) wall time but not in the call's latency.
  ChatResponse third = b->complete(user_request("three"), env_.ctx());
  EXPECT_GE(b->budget().wall_s, 59.0);
  EXPECT_LT(b->budget().wall_s, 61.0);
  EXPECT_LT(third.latency_ms, 1000.0);
  EXPECT_EQ(server_.requests(), 3);
}


TEST_F(BackendsLlm, IdenticalRequestsInFlightAtOnceArePaidOnceAtTheServer) {
  auto b = env_.make("backend_llm", llm_config(server_, R"("concurrency":4)"));
  Action slow = Action::ok("one answer");
  slow.latency_s = 0.4;
  server_.set_default(slow);
  std::vector<std::thread> threads;
  std::vector<ChatResponse> got(4);
  for (std::size_t i = 0; i < got.size(); ++i)
    threads.emplace_back([&, i] { got[i] = b->complete(user_request("the same question"), env_.ctx()); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(server_.requests(), 1);
  int cached = 0;
  for (const auto& r : got) {
    EXPECT_EQ(r.text, "one answer");
    cached += r.cached ? 1 : 0;
  }
  EXPECT_EQ(cached, 3);
  EXPECT_EQ(b->budget().tokens_used, 18) << "11 + 7 tokens, billed once";
}

TEST_F(BackendsLlm, AnErrorObjectInA200ReplyIsReportedWithTheServersWordsMadePrintable) {
  auto b = env_.make("backend_llm", llm_config(server_, R"("max_retries":0)"));
  Action a = Action::error(200);
  a.body = std::string("{\"error\":{\"message\":\"upstream overloaded\\u0000 \\u001b[31mnow\",\"type\":\"server\"}}");
  server_.push(a);
  try {
    b->complete(user_request("hi"), env_.ctx());
    FAIL() << "expected RetryableError";
  } catch (const RetryableError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("answered 200 with an error: server: upstream overloaded"), std::string::npos) << m;
    EXPECT_EQ(m.find('\0'), std::string::npos);
    EXPECT_EQ(m.find('\x1b'), std::string::npos) << m;
  }
}

TEST_F(BackendsLlm, RawBytesFromTheServerNeverReachAMessage) {
  auto b = env_.make("backend_llm", llm_config(server_, R"("max_retries":0)"));
  Action a = Action::error(400);
  static constexpr char kRaw[] = "bad \xff\xfe request\0tail";
  a.body = std::string(kRaw, sizeof kRaw - 1);  // the NUL inside is part of the body
  server_.push(a);
  try {
    b->complete(user_request("hi"), env_.ctx());
    FAIL() << "expected Error";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_TRUE(utf8_valid(m)) << m;
    EXPECT_EQ(m.find('\0'), std::string::npos);
    EXPECT_NE(m.find("bad"), std::string::npos) << m;
  }
  EXPECT_TRUE(utf8_valid(env_.log()));
}

TEST_F(BackendsLlm, AResetConnectionIsRetriedWithALoggedBackoffOnAFreshConnection) {
  auto b = env_.make("backend_llm", llm_config(server_, R"("max_retries":2)"));
  // Warm up: with connection reuse, the next request would go out on this connection.
  server_.push(Action::ok("first"));
  EXPECT_EQ(b->complete(user_request("one"), env_.ctx()).text, "first");
  server_.push(Action::of(Action::kTruncated));  // the server drops the connection mid-answer
  server_.push(Action::ok("second"));
  EXPECT_EQ(b->complete(user_request("two"), env_.ctx()).text, "second");
  EXPECT_EQ(server_.requests(), 3) << "one retry, no silent re-send";
  EXPECT_NE(env_.log().find("retry 1/2"), std::string::npos) << env_.log();
}

}  // namespace
}  // namespace skillpipe::testing
