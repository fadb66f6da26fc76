// providers.hpp - request bodies and replies of the two wire protocols.
//
// openai: Chat Completions (also Azure OpenAI, Ollama, vLLM, llama.cpp, LM Studio, DeepSeek).
// anthropic: the Messages API.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "llm_settings.hpp"
#include "skillpipe/backend.hpp"

namespace skillpipe::backend_llm {

// The parameters actually sent, after the pipeline's overrides.
struct EffectiveParams {
  double temperature = 0;
  int max_tokens = 1024;
  std::vector<std::string> stop;
  std::optional<std::int64_t> seed;
};
EffectiveParams effective_params(const LlmSettings& s, const ChatRequest& request);

// A deterministic JSON body (the cache key hashes it). `messages` are already redacted.
// Throws Error when extra_body is not a JSON object.
std::string build_body(const LlmSettings& s, const std::vector<ChatMessage>& messages, const EffectiveParams& p);

// Headers for the provider, including authentication (not logged).
std::vector<std::string> build_headers(const LlmSettings& s);

struct ParsedReply {
  bool ok = false;
  std::string error;                  // why the body could not be read
  std::string text;
  std::string model;
  std::string finish_reason;
  TokenUsage usage;
  bool has_usage = false;
};
ParsedReply parse_reply(Provider provider, std::string_view body);

// The provider's own error message from an error body ({"error": {"message": ...}}), cut
// to a readable length; "" when there is none.
std::string provider_error_message(std::string_view body);

// Whether `text` parses as JSON (for the final redaction check).
bool is_valid_json(std::string_view text);

}  // namespace skillpipe::backend_llm
