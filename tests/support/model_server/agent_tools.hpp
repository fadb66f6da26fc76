// agent_tools.hpp - how a policy uses the tools a CLI offers, taken from the request itself:
// the shell tool (Claude `Bash` {command}, Codex `exec_command` {cmd}, older Codex `shell`
// {command: [argv]}, Gemini/Qwen `run_shell_command` {command}), file writes, and where the
// agent works.
#pragma once

#include <optional>
#include <string>

#include "conversation.hpp"
#include "reply.hpp"

namespace skillpipe::model_server {

// A call of the request's shell tool running `command` (nullopt: no shell tool offered).
std::optional<ToolCall> shell_call(const Conversation& c, const std::string& command);
// The command line a past call ran when it was a shell call ("" otherwise).
std::string shell_command_of(const Item& call);
// Writes `content` to `path` (relative to the agent's working directory) with the agent's
// own means: Claude's `Write` {file_path, content}, else a shell here-document.
std::optional<ToolCall> write_call(const Conversation& c, const std::string& path, const std::string& content);
// The working directory the CLI told the model about (Claude: "Primary working directory:",
// Codex: <cwd>), "" when not stated.
std::string working_directory(const Conversation& c);
// A tool result's text without the CLI's framing (Codex's "Chunk ID ... Output:" header,
// Claude's "Exit code N" line, Qwen Code's "Command:/Output:/Error:" fields).
std::string result_output(const Item& result);
// The exit code of a finished shell call: the one stated in the result, else 1 when the CLI
// flagged the result as an error, else 0.
int exit_code_of(const Item& result);

}  // namespace skillpipe::model_server
