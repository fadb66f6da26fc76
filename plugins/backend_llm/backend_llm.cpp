// backend_llm - chat completions over HTTPS: OpenAI-compatible servers and Anthropic.
//
// One call: redact -> build the body -> answer from the response cache if the same request
// was answered before -> reserve budget -> take a rate-limit permit -> POST, retrying
// transient failures with backoff -> account tokens and cost -> cache the answer.
// Cached answers keep their original usage (so token-weighted scores do not change on a
// re-run) but report cost 0 and cached=true: nothing was spent for them.
#include <spdlog/spdlog.h>

#include <atomic>
#include <cmath>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>

#include "backoff.hpp"
#include "budget.hpp"
#include "clock.hpp"
#include "http_client.hpp"
#include "llm_settings.hpp"
#include "providers.hpp"
#include "rate_limiter.hpp"
#include "request_text.hpp"
#include "response_cache.hpp"
#include "skillpipe/backend.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/plugin.hpp"
#include "skillpipe/store.hpp"

namespace skillpipe {
namespace {

const char* const kSchemaJson = R"JSON({
  "$schema": "http://json-schema.org/draft-04/schema#",
  "title": "backend_llm",
  "description": "Chat completions over HTTPS (OpenAI-compatible or Anthropic). Keys come from the environment or api_key_file, never from this file.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "provider": {"enum": ["auto", "openai", "anthropic"], "description": "auto: ANTHROPIC_API_KEY, else OPENAI_API_KEY / OPENAI_BASE_URL"},
    "model": {"type": "string"},
    "base_url": {"type": "string", "description": "e.g. http://localhost:11434/v1 (Ollama), https://api.deepseek.com/v1, an Azure deployment URL"},
    "api_key_env": {"type": "string", "description": "environment variable holding the key"},
    "api_key_file": {"type": "string", "description": "file holding the key (chmod 600)"},
    "auth_header": {"enum": ["auto", "bearer", "api-key", "x-api-key", "none"]},
    "api_version": {"type": "string", "description": "Azure OpenAI api-version query parameter"},
    "max_tokens_field": {"enum": ["auto", "max_tokens", "max_completion_tokens"]},
    "send_temperature": {"type": "boolean", "description": "false for models that reject a temperature"},
    "temperature": {"type": "number", "minimum": 0, "description": "overrides the callers' temperature"},
    "max_tokens": {"type": "integer", "minimum": 1, "description": "upper bound on any request's output tokens"},
    "seed": {"type": "integer", "description": "seed sent when a request has none (OpenAI-compatible only)"},
    "extra_body": {"type": "object", "description": "merged into every request body"},
    "timeout_s": {"type": "number", "minimum": 0.01},
    "connect_timeout_s": {"type": "number", "minimum": 0.01},
    "http2": {"type": "boolean"},
    "max_retries": {"type": "integer", "minimum": 0},
    "backoff_base_s": {"type": "number", "minimum": 0},
    "backoff_max_s": {"type": "number", "minimum": 0},
    "jitter": {"type": "number", "minimum": 0, "maximum": 1},
    "max_retry_after_s": {"type": "number", "minimum": 0},
    "concurrency": {"type": "integer", "minimum": 1},
    "requests_per_minute": {"type": "number", "minimum": 0},
    "tokens_per_minute": {"type": "number", "minimum": 0},
    "cache": {"type": "boolean", "description": "answer repeated requests from the store's response cache"},
    "prices": {"type": "object", "description": "USD per million tokens by model (or model prefix)",
      "additionalProperties": {"type": "object", "additionalProperties": false,
        "required": ["input_per_mtok", "output_per_mtok"],
        "properties": {"input_per_mtok": {"type": "number", "minimum": 0},
                       "output_per_mtok": {"type": "number", "minimum": 0},
                       "cache_read_per_mtok": {"type": "number", "minimum": 0},
                       "cache_write_per_mtok": {"type": "number", "minimum": 0}}}},
    "budget": )JSON" SKILLPIPE_BUDGET_SCHEMA R"JSON(,
    "estimate_output_tokens": {"type": "integer", "minimum": 0, "description": "output tokens a plan assumes per call (default: min(max_tokens, 512))"},
    "paid": {"type": "boolean", "description": "default: true unless base_url is a loopback address"},
    "test_virtual_clock": {"type": "boolean", "description": "tests only: backoff waits advance a virtual clock instead of sleeping"},
    "test_jitter_seed": {"type": "integer", "description": "tests only: reproducible jitter"}
  }
})JSON";

// The outcome of one HTTP attempt.
struct Attempt {
  bool ok = false;
  bool fatal = false;          // do not retry
  bool latch = false;          // no later call can succeed either (bad key, model or URL)
  std::string message;
  std::optional<double> retry_after_s;
  llm::ParsedReply reply;
};

class LlmBackend final : public Backend {
 public:
  void configure(const Config& config, Context& ctx) override {
    s_ = llm::read_settings(config, ctx.run().pipeline_dir);
    for (const auto& w : s_.warnings) ctx.logger().warn("backend_llm: {}", w);
    clock_ = s_.virtual_clock ? backends::make_virtual_clock() : backends::make_real_clock();
    budget_ = std::make_unique<backends::BudgetTracker>(*clock_, s_.caps);
    backoff_ = std::make_unique<backends::Backoff>(s_.backoff, s_.jitter_seed);
    limiter_ = std::make_unique<backends::RateLimiter>(*clock_, s_.concurrency, s_.requests_per_minute,
                                                       s_.tokens_per_minute);
    budget_key_ = ctx.stage_id().empty() ? std::string("backend_llm") : ctx.stage_id();
    store_ = ctx.store();
    if (s_.available) {
      url_ = llm::endpoint_url(s_);
      ctx.logger().debug("backend_llm: {} model {} at {} (key from {})", llm::provider_name(s_.provider), s_.model,
                         s_.base_url, s_.key_source);
    }
  }

  bool available(std::string* why) const override {
    if (why) *why = s_.available ? std::string() : s_.unavailable_reason;
    return s_.available;
  }

  std::string identity() const override {
    return std::string(llm::provider_name(s_.provider)) + ":" + s_.model;
  }

  bool paid() const override { return s_.paid.value_or(!llm::is_loopback_url(s_.base_url)); }

  CostEstimate estimate(const ChatRequest& request) const override {
    CostEstimate e;
    auto messages = backends::redact_messages(request.messages, nullptr);
    auto p = llm::effective_params(s_, request);
    // A request already in the cache costs nothing tonight.
    if (s_.cache && store_ && s_.available) {
      try {
        if (store_->cache_get(cache_key_for(request, llm::build_body(s_, messages, p)))) return e;
      } catch (const std::exception&) {
      }
    }
    e.calls = 1;
    e.tokens_in = backends::estimate_prompt_tokens(messages);
    e.tokens_out = s_.estimate_output_tokens.value_or(std::min(p.max_tokens, 512));
    if (auto price = s_.prices.find(s_.model)) {
      TokenUsage u;
      u.input = e.tokens_in;
      u.output = e.tokens_out;
      e.cost_usd = llm::cost_usd(*price, u);
    }
    return e;
  }

  BudgetState budget() const override {
    if (!budget_) return {};
    budget_->load_from(store_, budget_key_);  // a resumed night reports what it already spent
    return budget_->state();
  }

  void finish(Context& ctx) override {
    if (budget_) budget_->save_to(ctx.store(), budget_key_, true);
  }

  ChatResponse complete(const ChatRequest& request, Context& ctx) override {
    if (!s_.available) throw Error("backend_llm is not available: " + s_.unavailable_reason);
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (!fatal_.empty()) throw Error(fatal_);
    }
    const double t0 = clock_->now_s();

    // Redact every message, then check the whole body once more (extra_body, stop strings).
    std::int64_t redactions = 0;
    auto messages = backends::redact_messages(request.messages, &redactions);
    auto params = llm::effective_params(s_, request);
    std::string body = llm::build_body(s_, messages, params);
    std::int64_t late = 0;
    std::string checked = redact_secrets(body, &late);
    if (late > 0) {
      if (!llm::is_valid_json(checked)) {
        throw Error("backend_llm: refusing to send a request: a secret-like string in it could not be redacted "
                    "without breaking the body (check extra_body and stop strings)");
      }
      body = std::move(checked);
      redactions += late;
    }
    if (redactions > 0) ctx.count("redactions", redactions);

    const std::string key = cache_key_for(request, body);
    if (s_.cache) {
      if (auto hit = backends::cache_lookup(ctx, key)) {
        hit->latency_ms = (clock_->now_s() - t0) * 1000.0;
        ctx.count("cache_hits");
        return *hit;
      }
    }

    budget_->load_from(ctx.store(), budget_key_);
    const std::int64_t est_in = backends::estimate_prompt_tokens(messages);
    const auto price = s_.prices.find(s_.model);
    double worst_cost = 0;
    if (price) {
      TokenUsage worst;
      worst.input = est_in;
      worst.output = params.max_tokens;
      worst_cost = llm::cost_usd(*price, worst);
    }
    const std::uint64_t reservation = budget_->reserve(est_in + params.max_tokens, worst_cost);
    Attempt a;
    double started = t0;
    try {
      a = send_with_retries(body, est_in + params.max_tokens, ctx, &started);
    } catch (...) {
      budget_->release(reservation);
      throw;
    }

    ChatResponse r;
    r.text = std::move(a.reply.text);
    r.model = a.reply.model.empty() ? s_.model : a.reply.model;
    r.finish_reason = std::move(a.reply.finish_reason);
    if (a.reply.has_usage) {
      r.usage = a.reply.usage;
    } else {
      // Some local servers report no usage; estimate so budgets still hold.
      r.usage.input = est_in;
      r.usage.output = backends::estimate_tokens(r.text);
      ctx.count("usage_estimated");
    }
    if (price) r.cost_usd = llm::cost_usd(*price, r.usage);
    budget_->commit(reservation, r.usage.total(), r.cost_usd);
    budget_->save_to(ctx.store(), budget_key_, false);
    // From the first attempt on (retries and their waits included, a wait for a free slot
    // under the concurrency or rate limit not): what the provider cost in time.
    r.latency_ms = (clock_->now_s() - started) * 1000.0;
    ctx.count("llm_calls");
    // An empty answer is more likely a provider hiccup than an answer worth keeping.
    if (s_.cache && !r.text.empty()) backends::cache_save(ctx, key, r);
    return r;
  }

 private:
  // The night's draw (meta "draw", set by the evaluation service) is part of the key: a
  // resumed night gets its own answers back, a later night samples afresh.
  std::string cache_key_for(const ChatRequest& request, const std::string& body) const {
    return backends::cache_key("llm", std::string(llm::provider_name(s_.provider)) + "\n" + url_ + "\nsample=" +
                                          std::to_string(request.sample) + backends::draw_of(request) + "\n" + body);
  }

  // `started` receives the time the first attempt went out.
  Attempt send_with_retries(const std::string& body, std::int64_t est_tokens, Context& ctx, double* started) {
    auto cancelled = [&ctx] { return ctx.cancelled(); };
    const int max_retries = std::max(0, s_.backoff.max_retries);
    for (int attempt = 0;; ++attempt) {
      budget_->check_wall();
      Attempt a;
      {
        auto permit = limiter_->acquire(est_tokens, cancelled);
        if (attempt == 0) *started = clock_->now_s();
        llm::HttpRequest hr;
        hr.url = url_;
        hr.headers = llm::build_headers(s_);
        hr.body = body;
        // Never wait past the wall-time cap for one answer.
        hr.timeout_s = std::min(s_.timeout_s, std::max(0.05, budget_->wall_left_s()));
        hr.connect_timeout_s = std::min(s_.connect_timeout_s, hr.timeout_s);
        hr.http2 = s_.http2;
        hr.cancelled = cancelled;
        llm::HttpResponse resp = client_.post(hr);
        if (resp.cancelled) throw Error("cancelled during a request to " + url_);
        a = classify(resp);
        if (a.ok && a.reply.has_usage) permit.settle(a.reply.usage.total());
      }
      if (a.ok) return a;
      if (a.fatal) {
        if (a.latch) {
          std::lock_guard<std::mutex> lk(mu_);
          if (fatal_.empty()) fatal_ = a.message;
        }
        ctx.logger().error("backend_llm: {}", a.message);
        throw Error(a.message);
      }
      if (attempt >= max_retries) {
        throw RetryableError(a.message + " (gave up after " + std::to_string(attempt + 1) + " attempts)");
      }
      double delay = backoff_->delay_s(attempt + 1);
      if (a.retry_after_s) {
        if (*a.retry_after_s > s_.backoff.max_retry_after_s) {
          throw RetryableError(a.message + ": the provider asks to retry after " +
                               std::to_string(static_cast<long long>(*a.retry_after_s)) +
                               " s, longer than max_retry_after_s (" +
                               std::to_string(static_cast<long long>(s_.backoff.max_retry_after_s)) + " s)");
        }
        delay = *a.retry_after_s;
      }
      if (delay >= budget_->wall_left_s()) {
        budget_->exhaust("wall time cap would pass while waiting " + std::to_string(delay) + " s to retry (" +
                         a.message + ")");
      }
      ctx.logger().warn("backend_llm: {}; retry {}/{} in {:.2f} s", a.message, attempt + 1, max_retries, delay);
      ctx.count("retries");
      if (!backends::sleep_interruptible(*clock_, delay, cancelled)) throw Error("cancelled while waiting to retry");
    }
  }

  Attempt classify(const llm::HttpResponse& h) const {
    Attempt a;
    const std::string where = "POST " + url_;
    if (h.curl_code != 0) {
      a.message = where + ": " + (h.timed_out ? "timed out: " : "") + h.curl_error;
      a.fatal = !h.retryable_transport;
      return a;
    }
    if (auto ra = h.headers.find("retry-after-ms"); ra != h.headers.end()) {
      a.retry_after_s = backends::parse_retry_after(ra->second, std::time(nullptr), true);
    }
    if (auto ra = h.headers.find("retry-after"); !a.retry_after_s && ra != h.headers.end()) {
      a.retry_after_s = backends::parse_retry_after(ra->second, std::time(nullptr));
    }
    const long st = h.status;
    if (st >= 200 && st < 300) {
      a.reply = llm::parse_reply(s_.provider, h.body);
      if (a.reply.ok) {
        a.ok = true;
      } else {
        // A torn or garbled reply (proxy, overloaded server) is usually transient.
        a.message = where + ": malformed reply: " + a.reply.error;
      }
      return a;
    }
    const std::string said = llm::provider_error_message(h.body);
    const std::string tail = said.empty() ? std::string() : " (the server said: " + said + ")";
    const std::string code = "HTTP " + std::to_string(st);
    if (st == 401) {
      a.fatal = a.latch = true;
      a.message = code + " Unauthorized from " + where + ": the API key (from " + s_.key_source +
                  ") was rejected; set a valid key in " + s_.key_env + " or the api_key_file" + tail;
    } else if (st == 403) {
      a.fatal = a.latch = true;
      a.message = code + " Forbidden from " + where + ": the key (from " + s_.key_source +
                  ") may not use model '" + s_.model + "' or this endpoint" + tail;
    } else if (st == 404) {
      a.fatal = a.latch = true;
      a.message = code + " Not Found from " + where + ": check model '" + s_.model + "' and base_url '" +
                  s_.base_url + "'" + tail;
    } else if (st == 408 || st == 409 || st == 425 || st == 429 || st >= 500) {
      a.message = where + ": " + code + (st == 429 ? " (rate limited)" : "") + tail;
    } else {
      a.fatal = true;
      a.message = where + ": " + code + " (the request was refused; not retried)" + tail;
    }
    return a;
  }

  llm::LlmSettings s_;
  std::string url_;
  std::unique_ptr<backends::Clock> clock_;
  std::unique_ptr<backends::BudgetTracker> budget_;
  std::unique_ptr<backends::Backoff> backoff_;
  std::unique_ptr<backends::RateLimiter> limiter_;
  llm::HttpClient client_;
  std::string budget_key_;
  Store* store_ = nullptr;
  std::mutex mu_;
  std::string fatal_;
};

}  // namespace
}  // namespace skillpipe

SKILLPIPE_PLUGIN(skillpipe::StageKind::kBackend, "1.0.0",
                 "LLM over HTTPS: OpenAI-compatible (OpenAI, Azure, Ollama, vLLM, llama.cpp, LM Studio, DeepSeek) "
                 "and Anthropic; retries, rate limits, response cache, per-night budget",
                 skillpipe::kSchemaJson,
                 [] { return std::unique_ptr<skillpipe::StageBase>(new skillpipe::LlmBackend); });
