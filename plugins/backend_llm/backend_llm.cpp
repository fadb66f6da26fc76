// backend_llm - chat completions over HTTPS: OpenAI-compatible servers and Anthropic.
//
// One attempt is one POST (call_once); the metered base (backend_common/metered_backend.hpp)
// does the rest: redaction, the response cache, the budget, rate limits, retries with backoff.
// Cached answers keep their original usage (so token-weighted scores do not change on a
// re-run) but report cost 0 and cached=true: nothing was spent for them.
#include <spdlog/spdlog.h>

#include <ctime>
#include <memory>
#include <string>

#include "backoff.hpp"
#include "budget.hpp"
#include "http_client.hpp"
#include "llm_settings.hpp"
#include "metered_backend.hpp"
#include "providers.hpp"
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
    "provider": {"default": "auto", "enum": ["auto", "openai", "anthropic"], "description": "auto: ANTHROPIC_API_KEY, else OPENAI_API_KEY / OPENAI_BASE_URL"},
    "model": {"default": null, "description": "model name (default: ANTHROPIC_MODEL / OPENAI_MODEL, else claude-sonnet-4-5 / gpt-4o-mini)", "type": "string"},
    "base_url": {"default": null, "type": "string", "description": "e.g. http://localhost:11434/v1 (Ollama), https://api.deepseek.com/v1, an Azure deployment URL"},
    "api_key_env": {"default": null, "type": "string", "description": "environment variable holding the key (default: ANTHROPIC_API_KEY; AZURE_OPENAI_API_KEY for Azure; else OPENAI_API_KEY)"},
    "api_key_file": {"default": null, "type": "string", "description": "file holding the key (chmod 600)"},
    "auth_header": {"default": "auto", "description": "how the key is sent; auto: x-api-key for Anthropic, api-key for Azure, else bearer", "enum": ["auto", "bearer", "api-key", "x-api-key", "none"]},
    "api_version": {"default": null, "type": "string", "description": "Azure OpenAI api-version query parameter"},
    "max_tokens_field": {"default": "auto", "description": "the request field for the output cap; auto picks the one the provider and model expect", "enum": ["auto", "max_tokens", "max_completion_tokens"]},
    "send_temperature": {"default": true, "type": "boolean", "description": "false for models that reject a temperature"},
    "temperature": {"default": null, "type": "number", "minimum": 0, "description": "overrides the callers' temperature"},
    "max_tokens": {"default": null, "type": "integer", "minimum": 1, "description": "upper bound on any request's output tokens"},
    "seed": {"default": null, "type": "integer", "description": "seed sent when a request has none (OpenAI-compatible only)"},
    "extra_body": {"default": {}, "type": "object", "description": "merged into every request body"},
    "timeout_s": {"default": 120, "description": "seconds per request", "type": "number", "minimum": 0.01},
    "connect_timeout_s": {"default": 10, "description": "seconds to connect", "type": "number", "minimum": 0.01},
    "http2": {"default": true, "description": "use HTTP/2 when the server offers it", "type": "boolean"},
    "max_retries": {"default": 4, "description": "retries of a failed request (429, 5xx, timeouts)", "type": "integer", "minimum": 0},
    "backoff_base_s": {"default": 1.0, "description": "first retry wait; doubles per retry", "type": "number", "minimum": 0},
    "backoff_max_s": {"default": 60.0, "description": "longest retry wait", "type": "number", "minimum": 0},
    "jitter": {"default": 0.5, "description": "random fraction of each wait", "type": "number", "minimum": 0, "maximum": 1},
    "max_retry_after_s": {"default": 300, "description": "longest Retry-After honoured; longer fails the call", "type": "number", "minimum": 0},
    "concurrency": {"default": 4, "description": "requests at once", "type": "integer", "minimum": 1},
    "requests_per_minute": {"default": 0, "description": "client-side rate limit; 0 = none", "type": "number", "minimum": 0},
    "tokens_per_minute": {"default": 0, "description": "client-side token rate limit; 0 = none", "type": "number", "minimum": 0},
    "cache": {"default": true, "type": "boolean", "description": "answer repeated requests from the store's response cache"},
    "prices": {"default": {}, "type": "object", "description": "USD per million tokens by model (or model prefix)",
      "additionalProperties": {"type": "object", "additionalProperties": false,
        "required": ["input_per_mtok", "output_per_mtok"],
        "properties": {"input_per_mtok": {"description": "USD per million input tokens", "type": "number", "minimum": 0},
                       "output_per_mtok": {"description": "USD per million output tokens", "type": "number", "minimum": 0},
                       "cache_read_per_mtok": {"default": null, "description": "USD per million cache-read tokens (default: the input price)", "type": "number", "minimum": 0},
                       "cache_write_per_mtok": {"default": null, "description": "USD per million cache-write tokens (default: the input price)", "type": "number", "minimum": 0}}}},
    "budget": )JSON" SKILLPIPE_BUDGET_SCHEMA R"JSON(,
    "estimate_output_tokens": {"default": null, "type": "integer", "minimum": 0, "description": "output tokens a plan assumes per call (default: min(max_tokens, 512))"},
    "paid": {"default": null, "type": "boolean", "description": "default: true unless base_url is a loopback address"},
    "test_virtual_clock": {"default": false, "type": "boolean", "description": "tests only: backoff waits advance a virtual clock instead of sleeping"},
    "test_jitter_seed": {"default": null, "type": "integer", "description": "tests only: reproducible jitter"}
  }
})JSON";

class LlmBackend final : public backend_common::MeteredBackend {
 public:
  void configure(const Config& config, Context& ctx) override {
    s_ = backend_llm::read_settings(config, ctx.run().pipeline_dir);
    for (const auto& w : s_.warnings) ctx.logger().warn("backend_llm: {}", w);
    backend_common::MeterSettings m;
    m.name = "backend_llm";
    m.calls_counter = "paid_llm_calls";  // stages count their own asks as llm_calls
    m.cache = s_.cache;
    m.caps = s_.caps;
    m.backoff = s_.backoff;
    m.jitter_seed = s_.jitter_seed;
    m.concurrency = s_.concurrency;
    m.requests_per_minute = s_.requests_per_minute;
    m.tokens_per_minute = s_.tokens_per_minute;
    m.virtual_clock = s_.virtual_clock;
    configure_metering(m, ctx);
    if (s_.available) {
      url_ = backend_llm::endpoint_url(s_);
      ctx.logger().debug("backend_llm: {} model {} at {} (key from {})", backend_llm::provider_name(s_.provider), s_.model,
                         s_.base_url, s_.key_source);
    }
  }

  bool available(std::string* why) const override {
    if (why) *why = s_.available ? std::string() : s_.unavailable_reason;
    return s_.available;
  }

  std::string identity() const override {
    return std::string(backend_llm::provider_name(s_.provider)) + ":" + s_.model;
  }

  bool paid() const override { return s_.paid.value_or(!backend_llm::is_loopback_url(s_.base_url)); }

  CostEstimate estimate(const ChatRequest& request) const override {
    CostEstimate e;
    ChatRequest redacted = request;
    redacted.messages = backend_common::redact_messages(request.messages, nullptr);
    const auto p = backend_llm::effective_params(s_, redacted);
    // A request already in the cache costs nothing tonight.
    if (s_.available && answered_from_cache(prepared(redacted, backend_llm::build_body(s_, redacted.messages, p), p))) return e;
    e.calls = 1;
    e.tokens_in = backend_common::estimate_prompt_tokens(redacted.messages);
    e.tokens_out = s_.estimate_output_tokens.value_or(std::min(p.max_tokens, 512));
    TokenUsage u;
    u.input = e.tokens_in;
    u.output = e.tokens_out;
    e.cost_usd = cost_usd(u);
    return e;
  }

 protected:
  double cost_usd(const TokenUsage& usage) const override {
    const auto price = s_.prices.find(s_.model);
    return price ? backend_llm::cost_usd(*price, usage) : 0;
  }

  // The request body; the whole body is checked for secrets once more (extra_body and stop
  // strings are not messages).
  backend_common::PreparedCall prepare(const ChatRequest& redacted, Context& ctx) override {
    const auto params = backend_llm::effective_params(s_, redacted);
    std::string body = backend_llm::build_body(s_, redacted.messages, params);
    std::int64_t late = 0;
    std::string checked = redact_secrets(body, &late);
    if (late > 0) {
      if (!backend_llm::is_valid_json(checked))
        throw Error("backend_llm: refusing to send a request: a secret-like string in it could not be redacted "
                    "without breaking the body (check extra_body and stop strings)");
      body = std::move(checked);
      ctx.count("redactions", late);
    }
    return prepared(redacted, std::move(body), params);
  }

  backend_common::AttemptResult call_once(const ChatRequest&, const backend_common::PreparedCall& call,
                                    const backend_common::AttemptLimits& limits, Context&) override {
    backend_llm::HttpRequest hr;
    hr.url = url_;
    hr.headers = backend_llm::build_headers(s_);
    hr.body = call.payload;
    // Never wait past the wall-time cap for one answer.
    hr.timeout_s = std::min(s_.timeout_s, std::max(0.05, limits.wall_left_s));
    hr.connect_timeout_s = std::min(s_.connect_timeout_s, hr.timeout_s);
    hr.http2 = s_.http2;
    hr.cancelled = limits.cancelled;
    const backend_llm::HttpResponse resp = client_.post(hr);
    if (resp.cancelled) throw Error("cancelled during a request to " + url_);
    return classify(resp);
  }

 private:
  backend_common::PreparedCall prepared(const ChatRequest& redacted, std::string body, const backend_llm::EffectiveParams& p) const {
    backend_common::PreparedCall c;
    c.cache_kind = "llm";
    // The night's draw (meta "draw", set by the evaluation service) is part of the key: a
    // resumed night gets its own answers back, a later night samples afresh.
    c.cache_material = std::string(backend_llm::provider_name(s_.provider)) + "\n" + url_ + "\nsample=" +
                       std::to_string(redacted.sample) + backend_common::draw_of(redacted) + "\n" + body;
    c.payload = std::move(body);
    c.est_tokens_in = backend_common::estimate_prompt_tokens(redacted.messages);
    c.max_tokens_out = p.max_tokens;
    TokenUsage worst;
    worst.input = c.est_tokens_in;
    worst.output = p.max_tokens;
    c.worst_cost_usd = cost_usd(worst);
    c.max_attempt_s = s_.timeout_s;
    return c;
  }

  static backend_common::AttemptResult failure(backend_common::AttemptResult::Outcome outcome, std::string message) {
    backend_common::AttemptResult a;
    a.outcome = outcome;
    a.message = std::move(message);
    return a;
  }

  backend_common::AttemptResult classify(const backend_llm::HttpResponse& h) const {
    using Outcome = backend_common::AttemptResult::Outcome;
    const std::string where = "POST " + url_;
    if (h.curl_code != 0)
      return failure(h.retryable_transport ? Outcome::kRetry : Outcome::kFail,
                     where + ": " + (h.timed_out ? "timed out: " : "") + h.curl_error);
    std::optional<double> retry_after;
    if (auto ra = h.headers.find("retry-after-ms"); ra != h.headers.end())
      retry_after = backend_common::parse_retry_after(ra->second, std::time(nullptr), true);
    if (auto ra = h.headers.find("retry-after"); !retry_after && ra != h.headers.end())
      retry_after = backend_common::parse_retry_after(ra->second, std::time(nullptr));
    const long st = h.status;
    if (st >= 200 && st < 300) return answer(h, where);
    const std::string said = backend_llm::provider_error_message(h.body);
    const std::string tail = said.empty() ? std::string() : " (the server said: " + said + ")";
    const std::string code = "HTTP " + std::to_string(st);
    if (st == 401)
      return failure(Outcome::kFailForGood, code + " Unauthorized from " + where + ": the API key (from " +
                                                s_.key_source + ") was rejected; set a valid key in " + s_.key_env +
                                                " or the api_key_file" + tail);
    if (st == 403)
      return failure(Outcome::kFailForGood, code + " Forbidden from " + where + ": the key (from " + s_.key_source +
                                                ") may not use model '" + s_.model + "' or this endpoint" + tail);
    if (st == 404)
      return failure(Outcome::kFailForGood, code + " Not Found from " + where + ": check model '" + s_.model +
                                                "' and base_url '" + s_.base_url + "'" + tail);
    if (st == 408 || st == 409 || st == 425 || st == 429 || st >= 500) {
      auto a = failure(Outcome::kRetry, where + ": " + code + (st == 429 ? " (rate limited)" : "") + tail);
      a.retry_after_s = retry_after;
      return a;
    }
    return failure(Outcome::kFail, where + ": " + code + " (the request was refused; not retried)" + tail);
  }

  // A 2xx reply; a torn or garbled one (proxy, overloaded server) is usually transient.
  backend_common::AttemptResult answer(const backend_llm::HttpResponse& h, const std::string& where) const {
    backend_llm::ParsedReply reply = backend_llm::parse_reply(s_.provider, h.body);
    if (!reply.ok) return failure(backend_common::AttemptResult::Outcome::kRetry, where + ": malformed reply: " + reply.error);
    backend_common::AttemptResult a;
    a.response.text = std::move(reply.text);
    a.response.model = reply.model.empty() ? s_.model : reply.model;
    a.response.finish_reason = std::move(reply.finish_reason);
    a.response.usage = reply.usage;
    a.usage_reported = reply.has_usage;
    return a;
  }

  backend_llm::LlmSettings s_;
  std::string url_;
  backend_llm::HttpClient client_;
};

}  // namespace
}  // namespace skillpipe

SKILLPIPE_PLUGIN(skillpipe::StageKind::kBackend, "1.0.0",
                 "LLM over HTTPS: OpenAI-compatible (OpenAI, Azure, Ollama, vLLM, llama.cpp, LM Studio, DeepSeek) "
                 "and Anthropic; retries, rate limits, response cache, per-night budget",
                 skillpipe::kSchemaJson,
                 [] { return std::make_unique<skillpipe::LlmBackend>(); });
