#include "metered_backend.hpp"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>

#include "request_text.hpp"
#include "response_cache.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/spend_ledger.hpp"
#include "skillpipe/store.hpp"

namespace skillpipe::backend_common {

namespace {

// Names this process's ledger lines: reservations pair with their answers by "<run>-<n>".
std::string new_run_id() {
  const auto now = std::chrono::system_clock::now().time_since_epoch().count();
  std::random_device rd;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%lx-%x-%x", static_cast<unsigned long>(now), static_cast<unsigned>(::getpid()),
                rd());
  return buf;
}

}  // namespace

void MeteredBackend::configure_metering(const MeterSettings& settings, Context& ctx) {
  settings_ = settings;
  clock_ = settings.virtual_clock ? make_virtual_clock() : make_real_clock();
  budget_ = std::make_unique<BudgetTracker>(*clock_, settings.caps);
  backoff_ = std::make_unique<Backoff>(settings.backoff, settings.jitter_seed);
  limiter_ = std::make_unique<RateLimiter>(*clock_, std::max(1, settings.concurrency), settings.requests_per_minute,
                                           settings.tokens_per_minute);
  budget_key_ = ctx.stage_id().empty() ? settings.name : ctx.stage_id();
  store_ = ctx.store();
  run_id_ = new_run_id();
}

double MeteredBackend::cost_usd(const TokenUsage&) const { return 0; }

BudgetState MeteredBackend::budget() const {
  if (!budget_) return {};
  load_night(store_);  // a resumed night reports what it already spent
  return budget_->state();
}

// Once per night: what earlier runs of it spent, summed from the ledger (never a saved
// total), and the answers they paid for (an answer whose cache write a kill prevented).
void MeteredBackend::load_night(Store* store) const {
  if (!store) return;
  const std::string night = store->night().night_id;
  std::lock_guard<std::mutex> lk(ledger_mu_);
  if (night.empty() || night == loaded_night_) return;
  loaded_night_ = night;
  const std::vector<SpendEntry> entries = read_spend(store);
  const SpendTotals t = sum_spend(entries, budget_key_);
  budget_->add_prior(t.calls, t.tokens(), t.cost_usd, t.wall_s);
  recovered_.clear();
  for (const auto& e : entries)
    if (e.event == SpendEvent::kAnswer && e.backend == budget_key_ && !e.cache_key.empty() && !e.response.empty())
      recovered_[e.cache_key] = e.response;
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

SpendEntry MeteredBackend::ledger_entry(SpendEvent event, const std::string& id, Context& ctx) const {
  SpendEntry e;
  e.event = event;
  e.id = id;
  e.backend = budget_key_;
  e.stage = ctx.stage_id();
  e.run = run_id_;
  e.wall_s = budget_->run_wall_s();
  return e;
}

// An answer the night already has: the response cache, else the ledger (a kill between the
// ledger line and the cache write). Counted in the ledger as a call that cost nothing.
std::optional<ChatResponse> MeteredBackend::answer_on_hand(Context& ctx, const std::string& key) {
  auto hit = cache_lookup(ctx, key);
  if (!hit) {
    std::string text;
    {
      std::lock_guard<std::mutex> lk(ledger_mu_);
      const auto it = recovered_.find(key);
      if (it != recovered_.end()) text = it->second;
    }
    if (!text.empty() && (hit = decode_cached_response(text))) cache_save(ctx, key, *hit);  // heal the cache
  }
  if (hit) note_shared(ctx, key);
  return hit;
}

void MeteredBackend::note_shared(Context& ctx, const std::string& key) {
  ctx.count("cache_hits");
  SpendEntry e = ledger_entry(SpendEvent::kShared, {}, ctx);
  e.cache_key = key;
  try {
    record_spend(ctx.store(), e);
  } catch (const std::exception& ex) {
    ctx.logger().warn("{}: cannot write the spend ledger: {}", settings_.name, ex.what());
  }
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
  load_night(ctx.store());
  const bool cacheable = settings_.cache && !call.cache_material.empty();
  if (!cacheable) return paid_call(redacted, call, ctx, {}, t0);
  const std::string key = cache_key_of(call);
  if (auto hit = answer_on_hand(ctx, key)) {
    hit->latency_ms = (clock_->now_s() - t0) * 1000.0;
    return *hit;
  }
  return single_flight(redacted, call, ctx, key, t0);
}

// Identical requests in flight at once are paid once: the first makes the call, the others
// wait for its answer (or its error) and get it as a call that cost nothing.
ChatResponse MeteredBackend::single_flight(const ChatRequest& redacted, const PreparedCall& call, Context& ctx,
                                           const std::string& key, double t0) {
  std::promise<ChatResponse> mine;
  std::shared_future<ChatResponse> theirs;
  {
    std::lock_guard<std::mutex> lk(mu_);
    const auto it = flights_.find(key);
    if (it != flights_.end()) {
      theirs = it->second;
    } else {
      flights_.emplace(key, mine.get_future().share());
    }
  }
  if (theirs.valid()) {
    ChatResponse r = theirs.get();  // rethrows the first caller's error
    r.cached = true;
    r.cost_usd = 0;
    r.latency_ms = (clock_->now_s() - t0) * 1000.0;
    note_shared(ctx, key);
    return r;
  }
  auto land = [&] {
    std::lock_guard<std::mutex> lk(mu_);
    flights_.erase(key);
  };
  try {
    ChatResponse r = paid_call(redacted, call, ctx, key, t0);
    mine.set_value(r);
    land();
    return r;
  } catch (...) {
    mine.set_exception(std::current_exception());
    land();
    throw;
  }
}

ChatResponse MeteredBackend::paid_call(const ChatRequest& redacted, const PreparedCall& call, Context& ctx,
                                       const std::string& key, double t0) {
  const std::uint64_t reservation = budget_->reserve(call.est_tokens_in + call.max_tokens_out, call.worst_cost_usd);
  const std::string id = run_id_ + "-" + std::to_string(reservation);
  SpendEntry reserve = ledger_entry(SpendEvent::kReserve, id, ctx);
  reserve.tokens = call.est_tokens_in + call.max_tokens_out;
  reserve.cost_usd = call.worst_cost_usd;
  // Retries' backoff waits are left out: the bound is the attempts' own timeouts.
  reserve.max_s =
      std::max(0.0, std::min(call.max_attempt_s * (std::max(0, settings_.backoff.max_retries) + 1), budget_->wall_left_s()));
  try {
    record_spend(ctx.store(), reserve);  // written ahead: a kill mid-call counts the worst case
  } catch (const std::exception& e) {
    budget_->release(reservation);
    throw Error(settings_.name + ": the call was not sent because its reservation could not be written to the "
                "night's spend ledger (" + e.what() + "); a budget that is not on disk cannot hold across a resume");
  }
  double started = t0;
  int attempts = 0;
  ChatResponse r;
  try {
    r = call_with_retries(redacted, call, ctx, &started, &attempts);
  } catch (...) {
    budget_->release(reservation);
    try {
      record_spend(ctx.store(), ledger_entry(SpendEvent::kRelease, id, ctx));
    } catch (const std::exception& e) {
      ctx.logger().warn("{}: cannot write the spend ledger: {}", settings_.name, e.what());
    }
    throw;
  }
  budget_->commit(reservation, r.usage.total(), r.cost_usd);
  // From the first attempt on (retries and their waits included, a wait for a free slot
  // under the concurrency or rate limit not): what the provider cost in time.
  r.latency_ms = (clock_->now_s() - started) * 1000.0;
  ctx.count(settings_.calls_counter);
  commit_answer(ctx, id, key, r, attempts);
  return r;
}

// One ledger line holds the real spend and the answer, so the two are written together; the
// response cache is filled afterwards (a kill in between: the ledger answers on resume).
void MeteredBackend::commit_answer(Context& ctx, const std::string& id, const std::string& key, const ChatResponse& r,
                                   int attempts) {
  // An agentic replay may end without text: its trajectory is the answer.
  const bool cacheable = !key.empty() && (!r.text.empty() || r.trajectory);
  SpendEntry e = ledger_entry(SpendEvent::kAnswer, id, ctx);
  e.usage = r.usage;
  e.cost_usd = r.cost_usd;
  e.attempts = attempts;
  if (cacheable) {
    e.cache_key = key;
    e.response = encode_cached_response(r);
  }
  try {
    record_spend(ctx.store(), e);
  } catch (const std::exception& ex) {
    // The reservation line stays: the call counts at its worst case, never less.
    ctx.logger().warn("{}: cannot write the spend ledger: {}", settings_.name, ex.what());
  }
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
                                               double* first_attempt_s, int* attempts) {
  auto cancelled = [&ctx] { return ctx.cancelled(); };
  const int max_retries = std::max(0, settings_.backoff.max_retries);
  for (int attempt = 0;; ++attempt) {
    budget_->check_wall();
    AttemptResult a;
    {
      auto permit = limiter_->acquire(call.est_tokens_in + call.max_tokens_out, cancelled);
      if (attempt == 0) *first_attempt_s = clock_->now_s();
      *attempts = attempt + 1;
      a = call_once(redacted, call, {attempt, budget_->wall_left_s(), cancelled}, ctx);
      if (a.outcome == AttemptResult::Outcome::kAnswer && a.usage_reported) permit.settle(a.response.usage.total());
    }
    // A failure's words name the endpoint (with any user:password in its URL) and quote the
    // server or the CLI; they go to the log, the replay record and the night's summary.
    if (a.outcome != AttemptResult::Outcome::kAnswer) redact_secrets_in_place(a.message);
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

}  // namespace skillpipe::backend_common
