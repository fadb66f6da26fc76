// cli_agents.hpp - how to call `claude -p` and `codex exec`, and how to read their output.
//
// Both get the prompt on stdin, run in an empty temporary directory with tools off (Claude)
// or a read-only sandbox (Codex), and write no session into the user's history
// (--no-session-persistence / --ephemeral). The prompt still starts with the replay marker
// so a CLI version that writes a session anyway leaves one the harvesters skip.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "skillpipe/records.hpp"
#include "agent_stream.hpp"
#include "subprocess.hpp"

namespace skillpipe::backend_cli {

using backend_common::ProcessResult;

enum class Agent { kClaude, kCodex };

struct AgentSettings {
  Agent agent = Agent::kClaude;
  std::string binary;                     // "claude" / "codex" or a path
  std::string model;
  std::vector<std::string> args;          // replaces the default flags when non-empty
  std::vector<std::string> extra_args;
  bool bare = false;                      // claude --bare (only works with an API key)
};

// argv for one call. `workdir` is the empty working directory; `answer_file` receives
// Codex's last message (-o).
std::vector<std::string> agent_argv(const AgentSettings& s, const std::string& workdir, const std::string& answer_file);
// Environment changes for the child.
std::vector<std::string> agent_env_unset(const AgentSettings& s);
std::vector<std::string> agent_env_set(const AgentSettings& s);

using Failure = backend_common::AgentFailure;

struct AgentAnswer {
  Failure failure = Failure::kNone;
  std::string text;
  std::string error;                      // readable, for logs and exceptions
  TokenUsage usage;
  bool has_usage = false;
  double cost_usd = 0;
  std::string model;
};

AgentAnswer read_answer(const AgentSettings& s, const ProcessResult& p, const std::string& answer_file_text);

inline Failure classify_error_text(std::string_view text) { return backend_common::classify_agent_error(text); }

}  // namespace skillpipe::backend_cli
