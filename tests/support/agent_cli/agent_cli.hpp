// agent_cli.hpp - running the real, pinned agent CLIs (scripts/agent_clis.sh) in tests:
// a scratch HOME and git workspace, skills installed where each CLI loads them, and a
// headless run with a clean environment, a timeout and the CLI's JSON event stream.
//
// The flags and files used here are the verified ones in docs/agent-clis.md.
#pragma once

#include <string>
#include <vector>

namespace skillpipe::agent_cli {

enum class Agent { kClaude, kCodex };
const char* agent_name(Agent a);     // "claude-code" | "codex"
const char* bin_env_var(Agent a);    // SKILLPIPE_CLAUDE_BIN | SKILLPIPE_CODEX_BIN
// The CLI executable named by its variable ("" when unset).
std::string agent_bin(Agent a);
// SKILLPIPE_REQUIRE_AGENTS=1: a missing CLI is a failure rather than a skip (CI sets it).
bool agents_required();

// A scratch home and workspace under `root`:
//   root/home            HOME (Claude Code config in home/.claude, Codex's in home/.codex)
//   root/ws              a git repository with one commit, where the CLI runs
class Sandbox {
 public:
  explicit Sandbox(std::string root);
  const std::string& root() const { return root_; }
  const std::string& home() const { return home_; }
  const std::string& workspace() const { return ws_; }
  std::string claude_config_dir() const { return home_ + "/.claude"; }
  std::string codex_home() const { return home_ + "/.codex"; }

  // <ws>/.claude/skills/<name>/SKILL.md (Claude) or <ws>/.agents/skills/<name>/SKILL.md (Codex).
  std::string install_skill(Agent a, const std::string& name, const std::string& description,
                            const std::string& body) const;
  // $CODEX_HOME/config.toml with a loopback provider (`openai_base_url` ends in /v1), no
  // retries, approval "never", sandbox workspace-write, the workspace trusted.
  void write_codex_config(const std::string& openai_base_url, const std::string& codex_home = {}) const;

 private:
  std::string root_, home_, ws_;
};

// Runs `git` in `dir` with a fixed identity and dates; throws with git's output on failure.
std::string git(const std::string& dir, const std::vector<std::string>& args);

struct RunOptions {
  std::vector<std::string> extra_args;  // after the CLI's own flags
  std::vector<std::string> extra_env;   // "NAME=value", added to the clean environment
  std::string home;                     // HOME ("" = the sandbox's)
  std::string config_dir;               // CLAUDE_CONFIG_DIR / CODEX_HOME ("" = under HOME)
  int timeout_s = 90;
};

struct RunResult {
  int exit_code = -1;      // 128+signal when killed
  bool timed_out = false;
  double seconds = 0;
  std::string out, err;
  std::vector<std::string> events() const;  // the non-empty stdout lines (JSONL events)
};

// `claude -p PROMPT --output-format stream-json --verbose --permission-mode acceptEdits
//  --allowedTools Bash` against ANTHROPIC_BASE_URL=base_url, in the workspace.
RunResult run_claude(const Sandbox& sb, const std::string& base_url, const std::string& prompt,
                     const RunOptions& opts = {});
// `codex exec --json PROMPT` in the workspace; the provider comes from config.toml.
RunResult run_codex(const Sandbox& sb, const std::string& prompt, const RunOptions& opts = {});

// fork/exec without a shell, in its own process group, with exactly `env`; the group is
// killed when `timeout_s` passes. stdin is /dev/null.
RunResult run_process(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                      const std::string& cwd, int timeout_s);

}  // namespace skillpipe::agent_cli
