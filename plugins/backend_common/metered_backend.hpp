// metered_backend.hpp - the skeleton every paid backend shares, written once (template method,
// as spdlog's base_sink): a subclass says how to make ONE call; this base decides whether to
// make it and keeps it honest.
//
//   complete():  redact the messages -> prepare() (subclass: payload, cache material, size)
//                -> answer from the response cache (or the night's ledger) -> join an
//                identical call already in flight (single-flight) -> reserve the worst case in
//                the budget and write the reservation to the night's spend ledger -> take a
//                rate-limit permit -> call_once() (subclass), retrying transient failures with
//                backoff or the server's Retry-After, never past the wall-time cap -> one
//                ledger line with the real spend and the answer -> cache the answer.
//
// The ledger (skillpipe/kit/spend_ledger.hpp) is the budget's only memory: a resumed night
// sums it, counting a reservation a kill left unanswered at its worst case, so the caps hold
// across any kill and no saved total can be stale. Spend and answer are one line, so a kill
// cannot keep one and lose the other.
//
// Users: backend_llm (one HTTPS request), backend_cli (one `claude -p` / `codex exec` run),
// and an agentic replay backend (one agent session in a workspace, returning a trajectory and
// its own usage) fits the same two hooks.
#pragma once

#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "backoff.hpp"
#include "budget.hpp"
#include "clock.hpp"
#include "rate_limiter.hpp"
#include "skillpipe/backend.hpp"
#include "skillpipe/kit/spend_ledger.hpp"

namespace skillpipe::backend_common {

// How a backend is metered; its configure() fills this from its own config.
struct MeterSettings {
  std::string name;                  // for messages and logs, e.g. "backend_llm"
  std::string calls_counter = "calls";  // stage counter bumped per paid call ("llm_calls")
  bool cache = true;                 // answer repeated requests from the response cache
  BudgetCaps caps;
  BackoffPolicy backoff;
  std::optional<std::uint64_t> jitter_seed;
  int concurrency = 4;               // calls in flight at once
  double requests_per_minute = 0;    // 0 = no limit
  double tokens_per_minute = 0;
  bool virtual_clock = false;        // tests: waits advance a virtual clock
};

// A request as the subclass prepared it for its transport.
struct PreparedCall {
  std::string payload;               // what call_once() sends (a body, a prompt, a task plan)
  std::string cache_kind = "call";   // cache key prefix ("llm", "cli", "agent")
  std::string cache_material;        // everything that shapes the answer; "" = never cached
  std::int64_t est_tokens_in = 0;    // for the reservation and the rate limiter
  std::int64_t max_tokens_out = 0;
  double worst_cost_usd = 0;         // the most this call may cost (0 when unpriced)
  double max_attempt_s = 0;          // the longest one attempt may take (its timeout; 0 = unknown)
};

// Limits for one attempt.
struct AttemptLimits {
  int attempt = 0;                   // 0 = the first
  double wall_left_s = 0;            // seconds before the wall-time cap (infinite without one)
  std::function<bool()> cancelled;   // poll while waiting; stop promptly when true
};

// What one attempt came to.
struct AttemptResult {
  enum class Outcome {
    kAnswer,         // `response` holds the answer
    kRetry,          // transient (timeout, 5xx, empty answer): worth another attempt
    kFail,           // permanent for this request (a 400): not retried
    kFailForGood,    // no later call can succeed either (bad key, unknown model): latched
    kBudgetSpent,    // the provider says the money or quota is gone: the budget is exhausted
  };
  Outcome outcome = Outcome::kAnswer;
  std::string message;               // what went wrong, for the user (not kAnswer)
  std::optional<double> retry_after_s;  // the server's Retry-After, if any
  ChatResponse response;             // kAnswer: text, usage, model, finish_reason, ...
  bool usage_reported = true;        // false: the base estimates usage from the text
  bool cost_reported = false;        // true: response.cost_usd is the provider's own figure;
                                     // false: the base prices the usage with cost_usd()
};

class MeteredBackend : public Backend {
 public:
  // The skeleton; subclasses implement prepare() and call_once() instead.
  ChatResponse complete(const ChatRequest& request, Context& ctx) final;
  // What this night spent so far, including an earlier run of it (resume).
  BudgetState budget() const final;

 protected:
  // Called by the subclass's configure().
  void configure_metering(const MeterSettings& settings, Context& ctx);
  // `redacted` is the request with every message redacted. Throws Error to refuse it.
  virtual PreparedCall prepare(const ChatRequest& redacted, Context& ctx) = 0;
  // One attempt, no retries: the base retries. Report failures in the result; an exception
  // ends the call (Error) or stops the night's spending (BudgetExceeded).
  virtual AttemptResult call_once(const ChatRequest& redacted, const PreparedCall& call, const AttemptLimits& limits,
                                  Context& ctx) = 0;

  // The price of `usage` by this backend's price list (0 when it has none).
  virtual double cost_usd(const TokenUsage& usage) const;

  // Whether the response cache already answers `call` (for estimate(): a cached call is free).
  bool answered_from_cache(const PreparedCall& call) const;
  Clock& clock() const { return *clock_; }
  const MeterSettings& meter() const { return settings_; }

 private:
  ChatResponse single_flight(const ChatRequest& redacted, const PreparedCall& call, Context& ctx,
                             const std::string& key, double t0);
  ChatResponse paid_call(const ChatRequest& redacted, const PreparedCall& call, Context& ctx, const std::string& key,
                         double t0);
  ChatResponse call_with_retries(const ChatRequest& redacted, const PreparedCall& call, Context& ctx,
                                 double* first_attempt_s, int* attempts);
  double retry_delay(const AttemptResult& a, int attempt);
  void commit_answer(Context& ctx, const std::string& id, const std::string& key, const ChatResponse& r,
                     int attempts);
  void load_night(Store* store) const;
  std::optional<ChatResponse> answer_on_hand(Context& ctx, const std::string& key);
  void note_shared(Context& ctx, const std::string& key);
  SpendEntry ledger_entry(SpendEvent event, const std::string& id, Context& ctx) const;
  void settle_usage(AttemptResult& a, const PreparedCall& call, Context& ctx) const;
  std::string cache_key_of(const PreparedCall& call) const;
  [[noreturn]] void latch(const std::string& message);
  void check_latched();

  MeterSettings settings_;
  std::unique_ptr<Clock> clock_;
  std::unique_ptr<BudgetTracker> budget_;
  std::unique_ptr<Backoff> backoff_;
  std::unique_ptr<RateLimiter> limiter_;
  std::string budget_key_;
  Store* store_ = nullptr;
  std::string run_id_;
  std::mutex mu_;
  std::string fatal_;
  std::map<std::string, std::shared_future<ChatResponse>> flights_;  // single-flight, under mu_
  // The night's ledger, read once per night (mutable: budget() is const and loads lazily).
  mutable std::mutex ledger_mu_;
  mutable std::string loaded_night_;
  mutable std::map<std::string, std::string> recovered_;  // cache key -> answer paid this night
};

}  // namespace skillpipe::backend_common
