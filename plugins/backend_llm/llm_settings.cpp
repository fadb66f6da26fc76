#include "llm_settings.hpp"

#include <sys/stat.h>

#include <cstdlib>

#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::backend_llm {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? std::string(v) : std::string();
}

std::string strip_slash(std::string s) {
  while (!s.empty() && s.back() == '/') s.pop_back();
  return s;
}

std::string host_of(const std::string& url) {
  auto p = url.find("://");
  std::string rest = p == std::string::npos ? url : url.substr(p + 3);
  rest = rest.substr(0, rest.find('/'));
  auto at = rest.rfind('@');
  if (at != std::string::npos) rest = rest.substr(at + 1);
  if (!rest.empty() && rest[0] == '[') return rest.substr(0, rest.find(']') + 1);
  return rest.substr(0, rest.find(':'));
}

}  // namespace

const char* provider_name(Provider p) { return p == Provider::kAnthropic ? "anthropic" : "openai"; }

bool is_loopback_url(const std::string& url) {
  std::string h = to_lower_ascii(host_of(url));
  return h == "localhost" || h == "[::1]" || starts_with(h, "127.");
}

std::string endpoint_url(const LlmSettings& s) {
  std::string url = s.base_url + (s.provider == Provider::kAnthropic ? "/v1/messages" : "/chat/completions");
  if (!s.api_version.empty()) url += "?api-version=" + s.api_version;
  return url;
}

namespace {

// The provider: named, or chosen from the environment. False (with the reason set) when no
// LLM is configured at all.
bool read_provider(const Config& c, LlmSettings& s) {
  const std::string provider = c.get_string("provider", "auto");
  if (provider == "anthropic") s.provider = Provider::kAnthropic;
  else if (provider == "openai") s.provider = Provider::kOpenAI;
  else if (provider != "auto")
    throw ConfigError("backend_llm: provider must be auto, openai or anthropic, not '" + provider + "'", "/provider");
  if (provider != "auto") return true;
  // Anthropic first: a user with both keys set most likely runs Claude Code.
  if (!env("ANTHROPIC_API_KEY").empty()) {
    s.provider = Provider::kAnthropic;
  } else if (!env("OPENAI_API_KEY").empty() || !env("OPENAI_BASE_URL").empty() || c.has("base_url")) {
    s.provider = Provider::kOpenAI;
  } else if (!c.has("api_key_file")) {
    s.unavailable_reason =
        "no LLM is configured: set ANTHROPIC_API_KEY or OPENAI_API_KEY (or OPENAI_BASE_URL for a local "
        "OpenAI-compatible server such as Ollama, vLLM or llama.cpp), or give backend_llm a provider and "
        "an api_key_file";
    return false;
  }
  return true;
}

void read_endpoint(const Config& c, LlmSettings& s) {
  const bool anthropic = s.provider == Provider::kAnthropic;
  if (c.has("base_url"))
    s.base_url = strip_slash(expand_path(c.get_string("base_url")));
  else if (anthropic)
    s.base_url = strip_slash(env("ANTHROPIC_BASE_URL").empty() ? "https://api.anthropic.com" : env("ANTHROPIC_BASE_URL"));
  else
    s.base_url = strip_slash(env("OPENAI_BASE_URL").empty() ? "https://api.openai.com/v1" : env("OPENAI_BASE_URL"));
  if (!starts_with(s.base_url, "http://") && !starts_with(s.base_url, "https://"))
    throw ConfigError("backend_llm: base_url must start with http:// or https://, got '" + s.base_url + "'", "/base_url");
  if (starts_with(s.base_url, "http://") && !is_loopback_url(s.base_url))
    s.warnings.push_back("base_url " + s.base_url + " is plain http: prompts and the key travel unencrypted");
}

bool is_azure(const std::string& url) {
  return url.find(".openai.azure.com") != std::string::npos || url.find(".cognitiveservices.azure.com") != std::string::npos;
}

// The key: an environment variable or a key file; a local server may need none. False (with the
// reason set) when the provider needs a key and there is none.
bool read_key(const Config& c, const std::string& base_dir, LlmSettings& s) {
  const bool anthropic = s.provider == Provider::kAnthropic;
  const bool official_openai = !anthropic && s.base_url.find("api.openai.com") != std::string::npos;
  const bool azure = is_azure(s.base_url);
  s.key_env = c.get_string("api_key_env", anthropic ? "ANTHROPIC_API_KEY" : (azure ? "AZURE_OPENAI_API_KEY" : "OPENAI_API_KEY"));
  if (c.has("api_key_file")) {
    std::string path = expand_path(c.get_string("api_key_file"));
    if (!path.empty() && path[0] != '/' && !base_dir.empty()) path = base_dir + "/" + path;
    auto text = read_file(path);
    if (!text) {
      s.unavailable_reason = "api_key_file '" + path + "' cannot be read";
      return false;
    }
    s.api_key = trim(*text);
    s.key_source = "file " + path;
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0)
      s.warnings.push_back("api_key_file " + path + " is readable by other users; chmod 600 it");
  } else if (!env(s.key_env.c_str()).empty()) {
    s.api_key = trim(env(s.key_env.c_str()));
    s.key_source = "env " + s.key_env;
  } else {
    s.key_source = "none";
  }
  if (s.api_key.empty() && (anthropic || official_openai || azure)) {
    s.unavailable_reason = std::string(anthropic ? "Anthropic" : (azure ? "Azure OpenAI" : "OpenAI")) +
                           " needs an API key: set " + s.key_env + " or give backend_llm an api_key_file";
    return false;
  }
  std::string auth = c.get_string("auth_header", "auto");
  if (auth == "auto") auth = anthropic ? "x-api-key" : (azure ? "api-key" : "bearer");
  s.auth_header = s.api_key.empty() ? "none" : auth;
  s.api_version = c.get_string("api_version");
  return true;
}

// Model, request parameters, transport and limits.
void read_request(const Config& c, LlmSettings& s) {
  const bool anthropic = s.provider == Provider::kAnthropic;
  s.model = c.get_string("model");
  if (s.model.empty()) s.model = env(anthropic ? "ANTHROPIC_MODEL" : "OPENAI_MODEL");
  if (s.model.empty()) s.model = anthropic ? "claude-sonnet-4-5" : "gpt-4o-mini";
  const bool official_openai = !anthropic && s.base_url.find("api.openai.com") != std::string::npos;
  const std::string mtf = c.get_string("max_tokens_field", "auto");
  s.max_tokens_field = mtf == "auto" ? (official_openai ? "max_completion_tokens" : "max_tokens") : mtf;
  s.send_temperature = c.get_bool("send_temperature", true);
  if (c.has("temperature")) s.temperature = c.get_double("temperature");
  if (c.has("max_tokens")) s.max_tokens_cap = static_cast<int>(c.get_int("max_tokens"));
  if (c.has("seed")) s.default_seed = c.get_int("seed");
  s.extra_body_json = c.get_json("extra_body");
  s.timeout_s = c.get_double("timeout_s", 120);
  s.connect_timeout_s = c.get_double("connect_timeout_s", 10);
  s.http2 = c.get_bool("http2", true);
  s.backoff.max_retries = static_cast<int>(c.get_int("max_retries", 4));
  s.backoff.base_s = c.get_double("backoff_base_s", 1.0);
  s.backoff.max_s = c.get_double("backoff_max_s", 60.0);
  s.backoff.jitter = c.get_double("jitter", 0.5);
  s.backoff.max_retry_after_s = c.get_double("max_retry_after_s", 300);
  s.concurrency = static_cast<int>(c.get_int("concurrency", 4));
  s.requests_per_minute = c.get_double("requests_per_minute", 0);
  s.tokens_per_minute = c.get_double("tokens_per_minute", 0);
  s.cache = c.get_bool("cache", true);
  if (c.has("estimate_output_tokens")) s.estimate_output_tokens = static_cast<int>(c.get_int("estimate_output_tokens"));
  if (c.has("paid")) s.paid = c.get_bool("paid");
  s.virtual_clock = c.get_bool("test_virtual_clock", false);
  if (c.has("test_jitter_seed")) s.jitter_seed = static_cast<std::uint64_t>(c.get_int("test_jitter_seed"));
}

// Prices (defaults, then the pipeline's) and the budget, which a cost cap needs a price for.
void read_prices(const Config& c, LlmSettings& s) {
  Config prices = c.get_object("prices");
  for (const auto& model : prices.keys()) {
    Config p = prices.get_object(model);
    Price price;
    price.input = p.get_double("input_per_mtok");
    price.output = p.get_double("output_per_mtok");
    if (p.has("cache_read_per_mtok")) price.cache_read = p.get_double("cache_read_per_mtok");
    if (p.has("cache_write_per_mtok")) price.cache_write = p.get_double("cache_write_per_mtok");
    s.prices.set(model, price);
  }
  s.caps = backend_common::read_budget_caps(c.get_object("budget"));
  if (s.caps.max_cost_usd && !s.prices.find(s.model))
    throw ConfigError("backend_llm: budget.max_cost_usd is set but model '" + s.model +
                          "' has no price, so the cap could not be enforced; add it under prices",
                      "/budget/max_cost_usd");
  if (!s.prices.find(s.model) && !is_loopback_url(s.base_url))
    s.warnings.push_back("no price known for model '" + s.model + "': costs are reported as $0; add it under prices");
}

}  // namespace

LlmSettings read_settings(const Config& c, const std::string& base_dir) {
  LlmSettings s;
  if (!read_provider(c, s)) return s;
  read_endpoint(c, s);
  if (!read_key(c, base_dir, s)) return s;
  read_request(c, s);
  read_prices(c, s);
  s.available = true;
  return s;
}

}  // namespace skillpipe::backend_llm
