// agent_home.hpp - the scratch home an agent CLI runs with, so nothing of the user's own
// setup reaches a replay and nothing of the replay lands in the user's history.
//
// Both CLIs read global documents, skills, settings and MCP servers from their config folder
// and (Codex) from $HOME/.agents/skills, and write their transcripts there. A replay gets a
// fresh HOME with CLAUDE_CONFIG_DIR=HOME/.claude or CODEX_HOME=HOME/.codex, a TMPDIR of its
// own, and only what authentication needs: an API key passed through from skillpipe's
// environment, or the user's subscription login file copied in read-only.
#pragma once

#include <string>
#include <vector>

#include "agent_stream.hpp"

namespace skillpipe::backend_agent {


enum class AuthMode {
  kAuto,    // the API key when its variable is set, else the login file when it exists
  kApiKey,  // only the API key
  kLogin,   // only the subscription login file
};

struct AuthSettings {
  AuthMode mode = AuthMode::kAuto;
  std::string api_key_env;  // default ANTHROPIC_API_KEY (Claude) / OPENAI_API_KEY (Codex)
  std::string login_file;   // default ~/.claude/.credentials.json / ~/.codex/auth.json
};

// How a replay authenticates, decided once when the backend is configured.
struct AuthPlan {
  bool usable = false;
  std::string why;                // when not usable: what to set or do
  std::string described;          // e.g. "API key from $ANTHROPIC_API_KEY" (never the key)
  std::vector<std::string> env;   // NAME=value entries the CLI gets (the key itself)
  std::string login_source;       // a login file to copy in ("" for API keys)
};

AuthPlan plan_auth(Agent agent, const AuthSettings& settings);

// Where Codex sends model calls (a [model_providers] entry); Claude uses base_url alone.
struct ModelEndpoint {
  std::string base_url;            // "" = the CLI's default endpoint
  std::string wire_api = "responses";  // Codex: responses | chat
  int max_retries = 4;             // Codex request/stream retries (Claude: CLAUDE_CODE_MAX_RETRIES)
};

struct HomeSpec {
  Agent agent = Agent::kClaude;
  AuthPlan auth;
  std::string model;
  ModelEndpoint endpoint;
  std::vector<std::string> trusted_dirs;  // Codex: the workspace root and cwd
  std::string api_key_env;                // Codex: the provider's env_key
  bool codex_sandbox = true;              // Codex: sandbox_mode workspace-write (agent_command.hpp)
};

struct AgentHome {
  std::string home;        // HOME
  std::string config_dir;  // CLAUDE_CONFIG_DIR / CODEX_HOME
  std::string tmp;         // TMPDIR
  std::vector<std::string> env;  // the variables above, the endpoint, auth and quiet settings
};

// Creates `dir`/home (config folder inside) and `dir`/tmp. Throws Error.
AgentHome create_agent_home(const std::string& dir, const HomeSpec& spec);

// The Codex config.toml for `spec` (exposed for tests and --keep-workspaces readers).
std::string codex_config_toml(const HomeSpec& spec);

}  // namespace skillpipe::backend_agent
