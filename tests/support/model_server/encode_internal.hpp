// encode_internal.hpp - per-API encoders behind encode_stream/encode_body (reply.hpp).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "reply.hpp"

namespace skillpipe::model_server::detail {

// Splits text into pieces of at most `size` bytes without cutting a UTF-8 sequence, so a
// stream carries several deltas as a real model's does.
std::vector<std::string> chunks(std::string_view s, size_t size);
std::string default_error_type(Api api, int status);
std::string error_message(const Reply& r);
// The tool input as JSON, "{}" when empty.
inline std::string input_or_empty(const ToolCall& c) { return c.input_json.empty() ? "{}" : c.input_json; }

std::vector<SseEvent> anthropic_stream(const Conversation& req, const Reply& r, const IdSource& ids);
std::string anthropic_body(const Conversation& req, const Reply& r, const IdSource& ids);
std::vector<SseEvent> responses_stream(const Conversation& req, const Reply& r, const IdSource& ids, long created);
std::string responses_body(const Conversation& req, const Reply& r, const IdSource& ids, long created);
std::vector<SseEvent> chat_stream(const Conversation& req, const Reply& r, const IdSource& ids, long created);
std::string chat_body(const Conversation& req, const Reply& r, const IdSource& ids, long created);

constexpr size_t kTextChunk = 24;  // bytes per text delta
constexpr size_t kJsonChunk = 16;  // bytes per tool-argument delta

}  // namespace skillpipe::model_server::detail
