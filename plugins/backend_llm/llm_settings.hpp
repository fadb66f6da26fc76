// llm_settings.hpp - backend_llm's configuration, resolved against the environment.
//
// Keys come only from the environment or a key file, never from the pipeline YAML (the
// schema has no key field), and are never logged: only their source is ("env OPENAI_API_KEY").
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "backoff.hpp"
#include "budget.hpp"
#include "prices.hpp"
#include "skillpipe/config.hpp"

namespace skillpipe::backend_llm {

enum class Provider { kOpenAI, kAnthropic };
const char* provider_name(Provider p);

struct LlmSettings {
  Provider provider = Provider::kOpenAI;
  bool available = false;
  std::string unavailable_reason;   // how to enable it, when !available
  std::string model;
  std::string base_url;             // no trailing slash
  std::string api_key;              // secret: never log
  std::string key_source;           // "env OPENAI_API_KEY", "file ~/.config/x", "none"
  std::string key_env;              // the variable a user should set
  std::string auth_header;          // bearer | api-key | x-api-key | none
  std::string api_version;          // Azure: appended as ?api-version=
  std::string max_tokens_field;     // max_tokens | max_completion_tokens
  bool send_temperature = true;
  std::optional<double> temperature;        // overrides the request's
  std::optional<int> max_tokens_cap;        // upper bound on the request's max_tokens
  std::optional<std::int64_t> default_seed;
  std::string extra_body_json;              // merged into every body ("" = none)
  double timeout_s = 120;
  double connect_timeout_s = 10;
  bool http2 = true;
  backend_common::BackoffPolicy backoff;
  int concurrency = 4;
  double requests_per_minute = 0;
  double tokens_per_minute = 0;
  bool cache = true;
  PriceTable prices = PriceTable::defaults();
  backend_common::BudgetCaps caps;
  std::optional<int> estimate_output_tokens;
  std::optional<bool> paid;
  bool virtual_clock = false;               // tests: backoff waits take no real time
  std::optional<std::uint64_t> jitter_seed;
  std::vector<std::string> warnings;        // for configure() to log
};

// Throws ConfigError for invalid combinations (e.g. a cost cap on a model with no price).
// `base_dir` resolves a relative api_key_file.
LlmSettings read_settings(const Config& config, const std::string& base_dir);

// The request URL for the provider.
std::string endpoint_url(const LlmSettings& s);
// True for loopback hosts (local model servers cost nothing).
bool is_loopback_url(const std::string& url);

}  // namespace skillpipe::backend_llm
