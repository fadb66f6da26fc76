#include "agent_settings.hpp"

#include <cstdlib>
#include <filesystem>

#include "budget.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"
#include "subprocess.hpp"

namespace fs = std::filesystem;

namespace skillpipe::backend_agent {

const char* const kSchemaJson = R"JSON({
  "$schema": "http://json-schema.org/draft-04/schema#",
  "title": "backend_agent",
  "description": "Agentic replay: the real Claude Code or Codex re-solves each replay task headless, with tools, in an isolated checkout of the task's repository at its start commit, with the documents under test installed where the agent loads them.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "agent": {"enum": ["claude", "codex"], "description": "the agent that replays (default claude)"},
    "binary": {"type": "string", "description": "the executable (default: claude / codex on PATH)"},
    "model": {"type": "string", "description": "the agent's model (default: the CLI's own default)"},
    "base_url": {"type": "string", "description": "the model endpoint (Claude: ANTHROPIC_BASE_URL; Codex: its provider's base_url); default: the CLI's"},
    "wire_api": {"enum": ["responses", "chat"], "description": "Codex: the endpoint's API (default responses)"},
    "auth": {"default": "auto", "enum": ["auto", "api_key", "login"], "description": "auto: the API key when set, else the subscription login file"},
    "api_key_env": {"type": "string", "description": "the variable holding the API key (default ANTHROPIC_API_KEY / OPENAI_API_KEY)"},
    "login_file": {"type": "string", "description": "the subscription login to copy read-only (default ~/.claude/.credentials.json / ~/.codex/auth.json)"},
    "max_turns": {"type": "integer", "minimum": 1, "description": "model turns per replay (default 30)"},
    "timeout_s": {"type": "number", "minimum": 1, "description": "wall time per replay (default 900)"},
    "check_timeout_s": {"type": "number", "minimum": 1, "description": "per check command (default 300)"},
    "model_retries": {"type": "integer", "minimum": 0, "description": "the CLI's own retries of a failed model call (default 4)"},
    "max_retries": {"type": "integer", "minimum": 0, "description": "whole replays retried after an API failure or crash (default 1)"},
    "confine": {"default": "auto", "enum": ["auto", "bubblewrap", "none"], "description": "auto: bubblewrap when it works here, else refuse Claude replays and let Codex use its own sandbox; none: no OS sandbox (Claude's commands can write anywhere you can)"},
    "bwrap": {"type": "string", "description": "the bubblewrap executable (default bwrap on PATH)"},
    "workspace_root": {"type": "string", "description": "where replay workspaces are made (default ~/.cache/skillpipe/replays)"},
    "keep_workspaces": {"default": false, "type": "boolean", "description": "keep each replay's workspace and scratch home for inspection (also: skillpipe run --keep-workspaces)"},
    "setup": {"default": [], "type": "array", "items": {"type": "string"}, "description": "commands run in each workspace before the agent (e.g. npm ci)"},
    "path": {"type": "array", "items": {"type": "string"}, "description": "the agent's PATH (default: skillpipe's PATH)"},
    "pass_env": {"default": [], "type": "array", "items": {"type": "string"}, "description": "names of variables passed through to the agent and its checks"},
    "read_only": {"default": [], "type": "array", "items": {"type": "string"}, "description": "folders under your home the sandbox shows read-only (toolchains); your home is hidden otherwise"},
    "extra_args": {"default": [], "description": "flags appended to the agent CLI's command line", "type": "array", "items": {"type": "string"}},
    "price": {"default": null, "description": "USD per million tokens, for agents that report no cost (Codex); unset: cost is reported by the agent or unknown", "type": "object", "additionalProperties": false, "description": "USD per million tokens, for agents that report no cost (Codex)",
      "properties": {"input": {"default": 0, "description": "USD per million input tokens", "type": "number", "minimum": 0}, "output": {"default": 0, "description": "USD per million output tokens", "type": "number", "minimum": 0},
                     "cache_read": {"default": 0, "description": "USD per million cache-read tokens", "type": "number", "minimum": 0}, "cache_write": {"default": 0, "description": "USD per million cache-write tokens", "type": "number", "minimum": 0}}},
    "estimate": {"default": {}, "type": "object", "additionalProperties": false, "description": "what one replay is assumed to cost before it runs (spending plan, budget reservation)",
      "properties": {"tokens_in": {"default": 150000, "description": "input tokens one replay is assumed to use", "type": "integer", "minimum": 0}, "tokens_out": {"default": 8000, "description": "output tokens one replay is assumed to use", "type": "integer", "minimum": 0},
                     "cost_usd": {"default": 1.0, "description": "US dollars one replay is assumed to cost", "type": "number", "minimum": 0}}},
    "concurrency": {"type": "integer", "minimum": 1, "description": "replays at once (default 2)"},
    "prewarm": {"type": "integer", "minimum": 0, "description": "replays made ready before their turn (workspace, documents and, for Claude Code, the CLI started and waiting for its prompt), so an agent's start-up overlaps the model time of the replays in flight; 0 = none (default: concurrency)"},
    "prewarm_idle_cores": {"type": "number", "minimum": 0, "description": "replays are made ready only while at least this many cores are idle, so the work ahead never slows the replays in flight; 0 = regardless of load (default 0.75)"},
    "cache": {"type": "boolean", "description": "answer a repeated replay of the same night from the response cache (default true)"},
    "budget": )JSON" SKILLPIPE_BUDGET_SCHEMA R"JSON(
  }
})JSON";

double TokenPrice::cost(const TokenUsage& u) const {
  return (static_cast<double>(u.input) * input + static_cast<double>(u.output) * output +
          static_cast<double>(u.cache_read) * cache_read + static_cast<double>(u.cache_write) * cache_write) /
         1e6;
}

std::string resolve_binary(Agent agent, const std::string& configured) {
  const std::string name = agent == Agent::kClaude ? "claude" : "codex";
  if (!configured.empty()) return backend_common::find_executable(expand_path(configured));
  if (std::string p = backend_common::find_executable(name); !p.empty()) return p;
  const char* pinned = std::getenv(agent == Agent::kClaude ? "SKILLPIPE_CLAUDE_BIN" : "SKILLPIPE_CODEX_BIN");
  return pinned && *pinned ? backend_common::find_executable(pinned) : std::string();
}

std::vector<std::string> agent_path(const std::vector<std::string>& configured, const std::string& binary) {
  std::vector<std::string> dirs;
  auto add = [&](const std::string& d) {
    if (!d.empty() && d[0] == '/' && std::find(dirs.begin(), dirs.end(), d) == dirs.end()) dirs.push_back(d);
  };
  if (!configured.empty()) {
    for (const auto& d : configured) add(expand_path(d));
  } else {
    const char* p = std::getenv("PATH");
    for (const auto& d : split(p ? p : "/usr/local/bin:/usr/bin:/bin", ':')) add(d);
  }
  for (const auto& d : {"/usr/local/bin", "/usr/bin", "/bin"}) add(d);
  std::error_code ec;
  if (!binary.empty()) add(fs::path(binary).parent_path().string());
  if (const std::string node = backend_common::find_executable("node"); !node.empty())
    add(fs::canonical(node, ec).parent_path().string());
  return dirs;
}

namespace {

void read_agent(const Config& c, AgentBackendSettings& s) {
  const std::string agent = c.get_string("agent", "claude");
  const auto a = parse_agent(agent);
  if (!a || (*a != Agent::kClaude && *a != Agent::kCodex))
    throw ConfigError("backend_agent: agent must be claude or codex, not '" + agent + "'", "/agent");
  ReplaySettings& r = s.replay;
  r.command.agent = *a;
  r.home.agent = *a;
  s.binary_config = c.get_string("binary");
  r.command.model = c.get_string("model");
  r.home.model = r.command.agent == Agent::kCodex ? r.command.model : std::string();
  r.command.max_turns = static_cast<int>(c.get_int("max_turns", 30));
  r.command.extra_args = c.get_string_list("extra_args");
  r.home.endpoint.base_url = c.get_string("base_url");
  r.home.endpoint.wire_api = c.get_string("wire_api", "responses");
  r.home.endpoint.max_retries = static_cast<int>(c.get_int("model_retries", 4));
  const std::string auth = c.get_string("auth", "auto");
  s.auth.mode = auth == "api_key" ? AuthMode::kApiKey : auth == "login" ? AuthMode::kLogin : AuthMode::kAuto;
  s.auth.api_key_env = c.get_string("api_key_env");
  s.auth.login_file = c.get_string("login_file");
  r.home.api_key_env = s.auth.api_key_env.empty() ? "OPENAI_API_KEY" : s.auth.api_key_env;
}

void read_workspace(const Config& c, AgentBackendSettings& s) {
  ReplaySettings& r = s.replay;
  r.timeout_s = c.get_double("timeout_s", 900);
  r.check_timeout_s = c.get_double("check_timeout_s", 300);
  const std::string confine = c.get_string("confine", "auto");
  s.confine = confine == "bubblewrap" ? ConfineMode::kBubblewrap : confine == "none" ? ConfineMode::kNone : ConfineMode::kAuto;
  s.bwrap_config = c.get_string("bwrap");
  r.workspace_root = expand_path(c.get_string("workspace_root", "~/.cache/skillpipe/replays"));
  if (r.workspace_root.empty() || r.workspace_root[0] != '/')
    throw ConfigError("backend_agent: workspace_root must be an absolute path (got '" + r.workspace_root + "')",
                      "/workspace_root");
  r.keep_workspaces = c.get_bool("keep_workspaces", false);
  r.setup = c.get_string_list("setup");
  for (const auto& d : c.get_string_list("read_only")) r.read_only.push_back(expand_path(d));
  for (const auto& name : c.get_string_list("pass_env")) {
    if (name.empty() || name.find('=') != std::string::npos)
      throw ConfigError("backend_agent: pass_env lists variable names, not '" + name + "'", "/pass_env");
    if (const char* v = std::getenv(name.c_str())) r.pass_env.push_back(name + "=" + v);
  }
}

void read_costs(const Config& c, AgentBackendSettings& s) {
  if (c.has("price")) {
    const Config p = c.get_object("price");
    s.price = {p.get_double("input"), p.get_double("output"), p.get_double("cache_read"), p.get_double("cache_write"), true};
  }
  if (c.has("estimate")) {
    const Config e = c.get_object("estimate");
    s.estimate.tokens_in = e.get_int("tokens_in", s.estimate.tokens_in);
    s.estimate.tokens_out = e.get_int("tokens_out", s.estimate.tokens_out);
    s.estimate.cost_usd = e.get_double("cost_usd", s.estimate.cost_usd);
  }
  backend_common::MeterSettings& m = s.meter;
  m.name = "backend_agent";
  m.calls_counter = "agent_replays";
  m.cache = c.get_bool("cache", true);
  m.caps = backend_common::read_budget_caps(c.get_object("budget"));
  m.backoff.max_retries = static_cast<int>(c.get_int("max_retries", 1));
  m.backoff.base_s = 5.0;
  m.backoff.jitter = 0.25;
  m.concurrency = static_cast<int>(c.get_int("concurrency", 2));
  s.prewarm = static_cast<std::size_t>(c.get_int("prewarm", m.concurrency));
  s.prewarm_idle_cores = c.get_double("prewarm_idle_cores", s.prewarm_idle_cores);
}

}  // namespace

AgentBackendSettings read_settings(const Config& c) {
  AgentBackendSettings s;
  read_agent(c, s);
  read_workspace(c, s);
  read_costs(c, s);
  return s;
}

}  // namespace skillpipe::backend_agent
