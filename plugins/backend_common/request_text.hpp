// request_text.hpp - prompt text helpers shared by the backends.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "skillpipe/backend.hpp"

namespace skillpipe::backend_common {

// The marker skillpipe puts at the top of prompts it sends to agent CLIs, so the
// harvesters skip any session such a call leaves behind.
inline constexpr std::string_view kReplayMarker = "[skillpipe-replay]";

// Rough token count (4 bytes per token, at least 1 for non-empty text), the planners' rule.
std::int64_t estimate_tokens(std::string_view text);
// Prompt tokens of a request, with a small per-message overhead.
std::int64_t estimate_prompt_tokens(const std::vector<ChatMessage>& messages);

// Every message with its content passed through redact_secrets(); adds the number of
// redactions to *count.
std::vector<ChatMessage> redact_messages(const std::vector<ChatMessage>& messages, std::int64_t* count);

// The messages as one prompt, for backends that take a single text (agent CLIs, hand-off).
// A lone user message is returned as is; otherwise each message gets a role heading.
std::string flatten_prompt(const std::vector<ChatMessage>& messages);

// Text a server or a subprocess sent, made fit for a message or a log line: invalid UTF-8
// becomes U+FFFD, control characters (NUL, escapes, line breaks) a space, runs of blanks one
// space; cut to `max_bytes` on a character boundary.
std::string printable(std::string_view text, std::size_t max_bytes = 300);

// Splits "a, b,c" on commas, trimming blanks and dropping empty items.
std::vector<std::string> split_list(std::string_view text);

}  // namespace skillpipe::backend_common
