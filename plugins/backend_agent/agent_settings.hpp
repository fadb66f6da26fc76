// agent_settings.hpp - backend_agent's configuration: the schema, the typed settings and
// Validate() (every problem named with its key, what was expected and what to do).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "metered_backend.hpp"
#include "replay_run.hpp"
#include "skillpipe/config.hpp"

namespace skillpipe::backend_agent {

extern const char* const kSchemaJson;

// USD per million tokens, for agents that report tokens but no cost (Codex).
struct TokenPrice {
  double input = 0, output = 0, cache_read = 0, cache_write = 0;
  bool set = false;
  double cost(const TokenUsage& u) const;
};

// What one replay is assumed to cost before it runs: the spending plan and the budget's
// reservation (a replay's real usage replaces it once known).
struct ReplayEstimate {
  std::int64_t tokens_in = 150000;
  std::int64_t tokens_out = 8000;
  double cost_usd = 1.0;
};

struct AgentBackendSettings {
  ReplaySettings replay;              // binary unresolved until resolve_binary()
  std::string binary_config;          // as configured ("" = the agent's name on PATH)
  ConfineMode confine = ConfineMode::kAuto;
  std::string bwrap_config;
  AuthSettings auth;
  TokenPrice price;
  ReplayEstimate estimate;
  backend_common::MeterSettings meter;
  std::size_t prewarm = 2;            // replays made ready ahead (warm_replays.hpp); 0 = none
  double prewarm_idle_cores = 0.75;   // ... only while this many cores are idle
};

// Reads and validates the config (already schema-checked). Throws ConfigError.
AgentBackendSettings read_settings(const Config& c);

// The executable: `binary` when configured, else the agent's name on PATH, else the
// SKILLPIPE_CLAUDE_BIN / SKILLPIPE_CODEX_BIN that scripts/agent_clis.sh prints. "" if none.
std::string resolve_binary(Agent agent, const std::string& configured);

// The agent's PATH: `path` when configured, else skillpipe's own PATH, plus the folders of
// the agent executable and of `node` (the npm launchers need it).
std::vector<std::string> agent_path(const std::vector<std::string>& configured, const std::string& binary);

}  // namespace skillpipe::backend_agent
