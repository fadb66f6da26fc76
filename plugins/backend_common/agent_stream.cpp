// agent_stream.cpp - what the agent CLIs' streams share: run ends, error classes, shell
// words, and the line reader that hands each event to its agent's parser
// (agent_stream_claude.cpp, agent_stream_codex.cpp).
#include "agent_stream.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <regex>

#include "agent_stream_json.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe_internal/json_parse.hpp"

namespace skillpipe::backend_common {
namespace {
using namespace stream_json;
}  // namespace

const char* to_string(RunEnd e) {
  switch (e) {
    case RunEnd::kCompleted: return "completed";
    case RunEnd::kMaxTurns: return "max_turns";
    case RunEnd::kApiError: return "api_error";
    case RunEnd::kInterrupted: return "interrupted";
    case RunEnd::kFailed: return "failed";
    case RunEnd::kNoResult: return "no_result";
  }
  return "no_result";
}

AgentFailure classify_agent_error(std::string_view text) {
  const std::string t = to_lower_ascii(text);
  auto any = [&](std::initializer_list<const char*> needles) {
    return std::any_of(needles.begin(), needles.end(), [&](const char* n) { return t.find(n) != std::string::npos; });
  };
  if (any({"usage limit", "insufficient_quota", "quota exceeded", "exceeded your current quota"}))
    return AgentFailure::kUsageLimit;
  if (any({"not logged in", "/login", "please log in", "log in again", "codex login", "invalid api key",
           "invalid x-api-key", "authentication_error", "authentication failed", "unauthorized", "401",
           "token_expired", "token expired", "refresh token", "credit balance is too low", "oauth token"}))
    return AgentFailure::kAuth;
  if (any({"unknown option", "unexpected argument", "unrecognized option", "invalid option",
           "requires a newer version", "please upgrade", "update codex", "update claude"}))
    return AgentFailure::kFatal;
  return AgentFailure::kTransient;
}

std::optional<int> claude_exit_code(std::string_view text) {
  static const std::regex kExit(R"(^Exit code (-?\d+))");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_search(text.begin(), text.end(), m, kExit)) return std::nullopt;
  try {
    return std::stoi(m[1].str());
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

namespace {

// One POSIX shell word: '...', "..." (with \ escapes), bare characters, concatenated.
// nullopt when the text is not exactly one word.
std::optional<std::string> one_shell_word(std::string_view s) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '\'') {
      const std::size_t end = s.find('\'', i + 1);
      if (end == std::string_view::npos) return std::nullopt;
      out.append(s.substr(i + 1, end - i - 1));
      i = end + 1;
    } else if (c == '"') {
      for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\' && i + 1 < s.size() && std::string_view("\"\\$`\n").find(s[i + 1]) != std::string_view::npos)
          ++i;
        out += s[i];
      }
      if (i >= s.size()) return std::nullopt;
      ++i;
    } else if (c == '\\' && i + 1 < s.size()) {
      out += s[i + 1];
      i += 2;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      return std::nullopt;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

}  // namespace

std::string unwrap_shell_command(std::string_view command) {
  static const char* const kShells[] = {"/bin/bash -lc ", "/usr/bin/bash -lc ", "bash -lc ", "/bin/bash -c ",
                                        "bash -c ",       "/bin/sh -c ",        "sh -c ",    "/bin/zsh -lc ",
                                        "zsh -lc "};
  for (const char* prefix : kShells) {
    if (!starts_with(command, prefix)) continue;
    if (auto word = one_shell_word(trim(command.substr(std::string_view(prefix).size())))) return *word;
  }
  return std::string(command);
}

std::string skill_read_by(std::string_view command) {
  static const std::regex kSkill(R"(skills/([A-Za-z0-9._-]+)/SKILL\.md)");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_search(command.begin(), command.end(), m, kSkill)) return {};
  return m[1].str();
}

void AgentStreamReader::feed_all(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t j = text.find('\n', i);
    if (j == std::string_view::npos) j = text.size();
    feed(text.substr(i, j - i));
    i = j + 1;
  }
}

void AgentStreamReader::feed(std::string_view line) {
  const std::string t = trim(line);
  if (t.empty() || t[0] != '{') return;  // log lines around the JSON
  Document d;
  if (skillpipe::detail::parse_json(d, t) || !d.IsObject()) {
    ++run_.unreadable_lines;
    return;
  }
  if (agent_ == Agent::kClaude)
    claude_event(&d);
  else
    codex_event(&d);
}

AgentRun parse_agent_stream(Agent agent, std::string_view text) {
  AgentStreamReader r(agent);
  r.feed_all(text);
  return std::move(r.run());
}

}  // namespace skillpipe::backend_common
