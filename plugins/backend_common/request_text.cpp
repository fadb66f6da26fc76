#include "request_text.hpp"

#include <algorithm>

#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::backend_common {

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

std::string printable(std::string_view text, std::size_t max_bytes) {
  std::string s(text.substr(0, std::min(text.size(), 4 * max_bytes + 16)));
  repair_utf8(s);
  std::string out;
  out.reserve(s.size());
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    const bool control = c < 0x20 || c == 0x7f;
    const char put = control ? ' ' : ch;
    if (put == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += put;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return truncate_utf8(out, max_bytes);
}

}  // namespace skillpipe::backend_common
