#include "trajectory_text.hpp"

#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::judge_llm {
namespace {

// Redacted before it is cut or flattened: a key's body is found by its line structure.
std::string one_line(std::string_view text, std::size_t max) {
  std::string s = redacted_head(text, max);
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

std::string call_line(const ToolCallRecord& c) {
  const std::string status = c.exit_code ? "exit " + std::to_string(*c.exit_code) : (c.ok ? "ok" : "failed");
  return "- " + c.name + ": " + one_line(c.input, 300) + " -> " + status + "\n";
}

}  // namespace

std::string trajectory_text(const Trajectory& t, std::size_t max_calls) {
  if (t.tool_calls.empty() && t.files_changed.empty() && t.checks.empty()) return "";
  std::string s = "Run ended: " + (t.ended.empty() ? std::string("unknown") : t.ended) + "\n";
  if (!t.skills_invoked.empty()) {
    s += "Skills invoked:";
    for (const auto& k : t.skills_invoked) s += " " + k;
    s += "\n";
  }
  if (!t.tool_calls.empty()) {
    s += "Tool calls (" + std::to_string(t.tool_calls.size()) + "):\n";
    const std::size_t n = t.tool_calls.size(), head = max_calls / 2, tail = max_calls - head;
    for (std::size_t i = 0; i < n; ++i) {
      if (n > max_calls && i == head) s += "- ... " + std::to_string(n - max_calls) + " calls not shown ...\n";
      if (n > max_calls && i >= head && i < n - tail) continue;
      s += call_line(t.tool_calls[i]);
    }
  }
  s += "Files changed:";
  if (t.files_changed.empty()) s += " none";
  for (std::size_t i = 0; i < t.files_changed.size() && i < 50; ++i) s += " " + redact_secrets(t.files_changed[i]);
  if (t.files_changed.size() > 50) s += " (+" + std::to_string(t.files_changed.size() - 50) + " more)";
  s += "\n";
  for (const auto& c : t.checks)
    s += "Check " + one_line(c.command, 300) + " -> " +
         (c.exit_code ? "exit " + std::to_string(*c.exit_code) : std::string("did not finish")) + "\n";
  return s;
}

}  // namespace skillpipe::judge_llm
