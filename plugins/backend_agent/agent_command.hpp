// agent_command.hpp - the command line of one headless agent run, per agent and version.
//
// Claude Code 2.1.197 (docs/agent-clis.md):
//   claude -p --input-format stream-json --output-format stream-json --verbose
//          --permission-mode acceptEdits --allowedTools Bash --strict-mcp-config
//          --max-turns N [--model M]                      (one user message on stdin, then EOF)
//   With stream-json input it starts up and then waits for its message as long as it takes
//   (plain -p gives stdin 3 s, then goes on without it), so a replay can start it early.
//   acceptEdits lets it edit inside its working directory; Bash is allowed because the
//   replay runs inside bubblewrap (confinement.hpp), which is what confines the commands.
// Codex 0.171.0:
//   codex exec --json --sandbox workspace-write -C <cwd> --color never
//              [--skip-git-repo-check] [-m M] -                               (prompt on stdin)
//   Codex has no turn cap flag: the runner stops it when its event stream exceeds the cap.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "agent_stream.hpp"

namespace skillpipe::backend_agent {


struct AgentCommandSettings {
  Agent agent = Agent::kClaude;
  std::string binary;                   // resolved executable
  std::string model;                    // "" = the CLI's default
  int max_turns = 30;
  std::vector<std::string> extra_args;  // appended before the prompt marker
  // Codex: its own workspace-write sandbox, unless skillpipe's bubblewrap already confines the
  // run. Nested, Codex 0.171 takes /usr/bin/bwrap, which on Debian 12 (0.8) lacks --argv0, and
  // every command it runs fails; the outer sandbox keeps writes in the workspace instead.
  bool codex_sandbox = true;
};

// argv for one replay in `cwd`; `git` says whether cwd is inside a git checkout.
std::vector<std::string> agent_argv(const AgentCommandSettings& s, const std::string& cwd, bool git);

// What the agent reads on stdin for `prompt`: Claude one stream-json user message, Codex the text.
std::string agent_input(Agent agent, const std::string& prompt);
// Whether the agent does its start-up before reading its input, so starting it early saves
// time. Codex 0.171 `exec -` reads its stdin to the end before it goes on (it used 0.3 CPU-s
// while it waited, its launcher's start-up), so only its workspace is made early.
bool starts_before_input(Agent agent);

// The versions the flags above were verified with.
const char* tested_version(Agent agent);  // "2.1.197" | "0.171.0"

// "2.1.197 (Claude Code)" / "codex-cli 0.171.0" -> "2.1.197" / "0.171.0"; "" when unreadable.
std::string parse_version_output(Agent agent, const std::string& out);

struct VersionCheck {
  std::string version;   // "" when `--version` failed
  bool tested = false;
  std::string warning;   // for an untested or unreadable version
};
// Runs `<binary> --version` with `env` (the scratch home's, so nothing of the user's is read).
VersionCheck check_version(const AgentCommandSettings& s, const std::vector<std::string>& env);

}  // namespace skillpipe::backend_agent
