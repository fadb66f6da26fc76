#include "request_text.hpp"

#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::backends {

std::int64_t estimate_tokens(std::string_view text) {
  if (text.empty()) return 0;
  return static_cast<std::int64_t>((text.size() + 3) / 4);
}

std::int64_t estimate_prompt_tokens(const std::vector<ChatMessage>& messages) {
  std::int64_t n = 3;  // reply priming
  for (const auto& m : messages) n += 4 + estimate_tokens(m.content);
  return n;
}

std::vector<ChatMessage> redact_messages(const std::vector<ChatMessage>& messages, std::int64_t* count) {
  std::vector<ChatMessage> out;
  out.reserve(messages.size());
  for (const auto& m : messages) out.push_back({m.role, redact_secrets(m.content, count)});
  return out;
}

std::string flatten_prompt(const std::vector<ChatMessage>& messages) {
  if (messages.size() == 1 && messages[0].role == "user") return messages[0].content;
  std::string out;
  for (const auto& m : messages) {
    if (!out.empty()) out += "\n\n";
    if (m.role == "system") {
      out += "## Instructions\n\n";
    } else if (m.role == "assistant") {
      out += "## Your earlier reply\n\n";
    } else {
      out += "## Request\n\n";
    }
    out += m.content;
  }
  return out;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& part : split(text, ',')) {
    std::string t = trim(part);
    if (!t.empty()) out.push_back(std::move(t));
  }
  return out;
}

}  // namespace skillpipe::backends
