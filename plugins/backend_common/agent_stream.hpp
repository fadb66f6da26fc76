// agent_stream.hpp - the event streams of the agent CLIs, read into what the agent did.
//
// One reader per format, used by every backend that runs an agent CLI:
//   Claude Code `-p --output-format stream-json --verbose`: system/init, assistant and user
//     messages (tool_use / tool_result blocks), and the closing `result` (usage, cost, turns).
//   Codex `exec --json`: thread/turn events and `item.*` (command_execution, file_change,
//     mcp_tool_call, web_search, agent_message, error), `turn.completed` with the usage.
// The shapes are the pinned CLIs' (docs/agent-clis.md; fixtures in tests/data/cli/streams).
// Lines are fed one at a time, so a runner can watch a run as it happens (turn caps).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "skillpipe/records.hpp"

namespace skillpipe::backend_common {

// Agents with a stream reader: Agent::kClaude and Agent::kCodex (records.hpp).
// One tool call as the stream shows it.
struct AgentCall {
  std::string id;
  std::string name;            // Bash, Edit, Skill, ... (Claude); exec_command, apply_patch, mcp:<server>/<tool> (Codex)
  std::string input;           // the call's input as JSON text (Claude) or the command / paths (Codex)
  std::string command;         // a shell call's command as the model wrote it ("" for other tools)
  std::vector<std::string> paths;  // files an edit call names
  bool done = false;           // a result arrived
  bool ok = true;
  std::optional<int> exit_code;  // shell calls
  std::string output;          // the result text, capped
};

// How the run ended, as its own events tell.
enum class RunEnd {
  kCompleted,    // the agent finished its turn
  kMaxTurns,     // Claude's --max-turns was reached
  kApiError,     // a model call failed and the agent gave up
  kInterrupted,  // the run was stopped mid-turn
  kFailed,       // another error the agent reported
  kNoResult,     // the stream ended without a closing event (killed, crashed)
};
const char* to_string(RunEnd e);

struct AgentRun {
  std::string session_id;
  std::string agent_version;   // Claude: the init event's claude_code_version
  std::string model;
  std::string final_text;      // the last answer
  std::vector<AgentCall> calls;
  std::vector<std::string> skills_listed;   // Claude: the init event's skills
  std::vector<std::string> skills_invoked;  // Claude: Skill calls; Codex: commands that read a SKILL.md
  TokenUsage usage;            // input excludes cache reads (records.hpp)
  bool usage_reported = false;
  std::optional<double> cost_usd;  // the CLI's own figure (Claude); Codex reports none
  int turns = 0;               // Claude's num_turns; Codex: model responses seen
  RunEnd end = RunEnd::kNoResult;
  std::string error;           // what the agent reported when it failed
  std::optional<int> api_error_status;
  std::vector<std::string> permission_denials;  // tools the CLI refused (Claude)
  int unreadable_lines = 0;

  int tool_calls() const { return static_cast<int>(calls.size()); }
};

// Incremental reader: feed() each stdout line, then run().
class AgentStreamReader {
 public:
  explicit AgentStreamReader(Agent agent, std::size_t output_cap = 2000) : agent_(agent), cap_(output_cap) {}
  void feed(std::string_view line);
  void feed_all(std::string_view text);  // every line of `text`
  const AgentRun& run() const { return run_; }
  AgentRun& run() { return run_; }

 private:
  void claude_event(const void* doc);
  void codex_event(const void* doc);
  Agent agent_;
  std::size_t cap_;
  AgentRun run_;
};

AgentRun parse_agent_stream(Agent agent, std::string_view text);

// "/bin/bash -lc 'git log | wc -l'" -> "git log | wc -l": Codex wraps every command in a
// login shell; the model's own command is the quoted word. Other text comes back unchanged.
std::string unwrap_shell_command(std::string_view command);

// The skill a shell command reads, when it reads a `.../skills/<name>/SKILL.md` ("" if none).
std::string skill_read_by(std::string_view command);

// What an agent CLI's error text means for whoever called it.
enum class AgentFailure {
  kNone,
  kEmpty,          // ran fine but said nothing: worth a retry
  kTransient,      // non-zero exit, crash, timeout, rate limit, overload: worth a retry
  kAuth,           // not logged in / key rejected: stop with a message saying how to log in
  kUsageLimit,     // the subscription's usage limit or the account's quota: like a spent budget
  kFatal,          // unknown flag, CLI too old: retrying cannot help
};
// Classifies an error text from either CLI (stderr, a result's error, a turn.failed message).
AgentFailure classify_agent_error(std::string_view text);

// "Exit code 2\n..." (Claude's failed Bash result) -> 2.
std::optional<int> claude_exit_code(std::string_view result_text);

}  // namespace skillpipe::backend_common
