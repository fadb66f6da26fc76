#include "metered_backend.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "request_text.hpp"
#include "response_cache.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/store.hpp"

namespace skillpipe::backends {

void MeteredBackend::configure_metering(const MeterSettings& settings, Context& ctx) {
  settings_ = settings;
  clock_ = settings.virtual_clock ? make_virtual_clock() : make_real_clock();
  budget_ = std::make_unique<BudgetTracker>(*clock_, settings.caps);
  backoff_ = std::make_unique<Backoff>(settings.backoff, settings.jitter_seed);
  limiter_ = std::make_unique<RateLimiter>(*clock_, std::max(1, settings.concurrency), settings.requests_per_minute,
                                           settings.tokens_per_minute);
  budget_key_ = ctx.stage_id().empty() ? settings.name : ctx.stage_id();
  store_ = ctx.store();
}

double MeteredBackend::cost_usd(const TokenUsage&) const { return 0; }

BudgetState MeteredBackend::budget() const {
  if (!budget_) return {};
  budget_->load_from(store_, budget_key_);  // a resumed night reports what it already spent
  return budget_->state();
}

std::string MeteredBackend::cache_key_of(const PreparedCall& call) const {
  return cache_key(call.cache_kind, call.cache_material);
}

bool MeteredBackend::answered_from_cache(const PreparedCall& call) const {
  if (!settings_.cache || !store_ || call.cache_material.empty()) return false;
  try {
    return store_->cache_get(cache_key_of(call)).has_value();
  } catch (const std::exception&) {
    return false;
  }
}

void MeteredBackend::check_latched() {
  std::lock_guard<std::mutex> lk(mu_);
  if (!fatal_.empty()) throw Error(fatal_);
}

void MeteredBackend::latch(const std::string& message) {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (fatal_.empty()) fatal_ = message;
  }
  throw Error(message);
}

ChatResponse MeteredBackend::complete(const ChatRequest& request, Context& ctx) {
  std::string why;
  if (!available(&why)) throw Error(settings_.name + " is not available: " + why);
  check_latched();
  const double t0 = clock_->now_s();
  ChatRequest redacted = request;
  std::int64_t redactions = 0;
  redacted.messages = redact_messages(request.messages, &redactions);
  if (redactions > 0) ctx.count("redactions", redactions);
  const PreparedCall call = prepare(redacted, ctx);

  const bool cacheable = settings_.cache && !call.cache_material.empty();
  const std::string key = cacheable ? cache_key_of(call) : std::string();
  if (cacheable) {
    if (auto hit = cache_lookup(ctx, key)) {
      hit->latency_ms = (clock_->now_s() - t0) * 1000.0;
      ctx.count("cache_hits");
      return *hit;
    }
  }
  budget_->load_from(ctx.store(), budget_key_);
  const std::uint64_t reservation = budget_->reserve(call.est_tokens_in + call.max_tokens_out, call.worst_cost_usd);
  double started = t0;
  ChatResponse r;
  try {
    budget_->persist(ctx.store(), budget_key_);  // written ahead: a kill mid-call counts the worst case
    r = call_with_retries(redacted, call, ctx, &started);
  } catch (...) {
    budget_->release(reservation);
    try {
      budget_->persist(ctx.store(), budget_key_);
    } catch (const std::exception& e) {
      ctx.logger().warn("{}: cannot save the night's spend: {}", settings_.name, e.what());
    }
    throw;
  }
  budget_->commit(reservation, r.usage.total(), r.cost_usd);
  // From the first attempt on (retries and their waits included, a wait for a free slot
  // under the concurrency or rate limit not): what the provider cost in time.
  r.latency_ms = (clock_->now_s() - started) * 1000.0;
  ctx.count(settings_.calls_counter);
  commit_answer(ctx, key, r, cacheable && (!r.text.empty() || r.trajectory));
  return r;
}

// The spend first, then the answer: a kill between the two re-asks the question on resume
// (paid twice, within the cap), never the reverse (an answer whose spend was lost).
void MeteredBackend::commit_answer(Context& ctx, const std::string& key, const ChatResponse& r, bool cacheable) {
  budget_->persist(ctx.store(), budget_key_);
  if (cacheable) cache_save(ctx, key, r);
}

double MeteredBackend::retry_delay(const AttemptResult& a, int attempt) {
  double delay = backoff_->delay_s(attempt + 1);
  if (a.retry_after_s) {
    if (*a.retry_after_s > settings_.backoff.max_retry_after_s)
      throw RetryableError(a.message + ": the provider asks to retry after " +
                           std::to_string(static_cast<long long>(*a.retry_after_s)) +
                           " s, longer than max_retry_after_s (" +
                           std::to_string(static_cast<long long>(settings_.backoff.max_retry_after_s)) + " s)");
    delay = *a.retry_after_s;
  }
  if (delay >= budget_->wall_left_s())
    budget_->exhaust("wall time cap would pass while waiting " + std::to_string(delay) + " s to retry (" + a.message +
                     ")");
  return delay;
}

void MeteredBackend::settle_usage(AttemptResult& a, const PreparedCall& call, Context& ctx) const {
  if (!a.usage_reported) {
    // Some servers report no usage; estimate so budgets still hold.
    a.response.usage.input = call.est_tokens_in;
    a.response.usage.output = estimate_tokens(a.response.text);
    ctx.count("usage_estimated");
  }
  if (!a.cost_reported) a.response.cost_usd = cost_usd(a.response.usage);
}

ChatResponse MeteredBackend::call_with_retries(const ChatRequest& redacted, const PreparedCall& call, Context& ctx,
                                               double* first_attempt_s) {
  auto cancelled = [&ctx] { return ctx.cancelled(); };
  const int max_retries = std::max(0, settings_.backoff.max_retries);
  for (int attempt = 0;; ++attempt) {
    budget_->check_wall();
    AttemptResult a;
    {
      auto permit = limiter_->acquire(call.est_tokens_in + call.max_tokens_out, cancelled);
      if (attempt == 0) *first_attempt_s = clock_->now_s();
      a = call_once(redacted, call, {attempt, budget_->wall_left_s(), cancelled}, ctx);
      if (a.outcome == AttemptResult::Outcome::kAnswer && a.usage_reported) permit.settle(a.response.usage.total());
    }
    switch (a.outcome) {
      case AttemptResult::Outcome::kAnswer:
        settle_usage(a, call, ctx);
        return std::move(a.response);
      case AttemptResult::Outcome::kFailForGood:
        ctx.logger().error("{}: {}", settings_.name, a.message);
        latch(a.message);
      case AttemptResult::Outcome::kFail:
        ctx.logger().error("{}: {}", settings_.name, a.message);
        throw Error(a.message);
      case AttemptResult::Outcome::kBudgetSpent:
        budget_->exhaust(a.message);
      case AttemptResult::Outcome::kRetry:
        break;
    }
    if (attempt >= max_retries)
      throw RetryableError(a.message + " (gave up after " + std::to_string(attempt + 1) + " attempts)");
    const double delay = retry_delay(a, attempt);
    ctx.logger().warn("{}: {}; retry {}/{} in {:.2f} s", settings_.name, a.message, attempt + 1, max_retries, delay);
    ctx.count("retries");
    if (!sleep_interruptible(*clock_, delay, cancelled)) throw Error("cancelled while waiting to retry");
  }
}

}  // namespace skillpipe::backends
