#include "agent_home.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"

namespace fs = std::filesystem;

namespace skillpipe::backend_agent {
namespace {

std::string default_key_env(Agent a) { return a == Agent::kClaude ? "ANTHROPIC_API_KEY" : "OPENAI_API_KEY"; }
std::string default_login_file(Agent a) {
  return expand_path(a == Agent::kClaude ? "~/.claude/.credentials.json" : "~/.codex/auth.json");
}

// A TOML basic string.
std::string toml_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

}  // namespace

AuthPlan plan_auth(Agent agent, const AuthSettings& s) {
  AuthPlan p;
  const std::string key_env = s.api_key_env.empty() ? default_key_env(agent) : s.api_key_env;
  const std::string login = s.login_file.empty() ? default_login_file(agent) : expand_path(s.login_file);
  const char* key = std::getenv(key_env.c_str());
  const bool have_key = key && *key;
  std::error_code ec;
  const bool have_login = fs::is_regular_file(login, ec);
  if (s.mode != AuthMode::kLogin && have_key) {
    p.usable = true;
    p.described = "API key from $" + key_env;
    // Claude reads ANTHROPIC_API_KEY; Codex reads the provider's env_key, which is key_env.
    p.env.push_back((agent == Agent::kClaude ? std::string("ANTHROPIC_API_KEY") : key_env) + "=" + key);
    return p;
  }
  if (s.mode != AuthMode::kApiKey && have_login) {
    p.usable = true;
    p.described = "subscription login copied read-only from " + login;
    p.login_source = login;
    return p;
  }
  if (s.mode == AuthMode::kApiKey)
    p.why = "$" + key_env + " is not set (auth: api_key)";
  else if (s.mode == AuthMode::kLogin)
    p.why = "no login file at " + login + " (auth: login); log in with the " +
            std::string(agent == Agent::kClaude ? "`claude` CLI (/login)" : "`codex login`") + " first";
  else
    p.why = "neither $" + key_env + " is set nor a login file exists at " + login;
  return p;
}

std::string codex_config_toml(const HomeSpec& spec) {
  std::string t;
  if (!spec.model.empty()) t += "model = " + toml_string(spec.model) + "\n";
  t += std::string("approval_policy = \"never\"\nsandbox_mode = ") +
       (spec.codex_sandbox ? "\"workspace-write\"\n" : "\"danger-full-access\"\n");
  // The user's login speaks to OpenAI through Codex's own provider; an API key (or a custom
  // endpoint) goes through an explicit provider so the key variable and URL are ours.
  const bool own_provider = spec.auth.login_source.empty() || !spec.endpoint.base_url.empty();
  if (own_provider) {
    const std::string url = spec.endpoint.base_url.empty() ? "https://api.openai.com/v1" : spec.endpoint.base_url;
    t += "model_provider = \"skillpipe\"\n\n[model_providers.skillpipe]\nname = \"skillpipe replay\"\n";
    t += "base_url = " + toml_string(url) + "\nwire_api = " + toml_string(spec.endpoint.wire_api) + "\n";
    t += "env_key = " + toml_string(spec.api_key_env.empty() ? "OPENAI_API_KEY" : spec.api_key_env) + "\n";
    t += "request_max_retries = " + std::to_string(spec.endpoint.max_retries) + "\n";
    t += "stream_max_retries = " + std::to_string(spec.endpoint.max_retries) + "\n";
  }
  for (const auto& d : spec.trusted_dirs) t += "\n[projects." + toml_string(d) + "]\ntrust_level = \"trusted\"\n";
  return t;
}

namespace {

void copy_login(const std::string& from, const std::string& to) {
  const auto text = read_file(from);
  if (!text) throw Error("cannot read the login file " + from);
  atomic_write_file(to, *text);
  // Read-only: a CLI that refreshes its token cannot write the copy, and the user's own file
  // is never written at all.
  if (::chmod(to.c_str(), 0400) != 0) throw Error("cannot make the login copy " + to + " read-only");
}

}  // namespace

AgentHome create_agent_home(const std::string& dir, const HomeSpec& spec) {
  AgentHome h;
  h.home = dir + "/home";
  h.tmp = dir + "/tmp";
  h.config_dir = h.home + (spec.agent == Agent::kClaude ? "/.claude" : "/.codex");
  ensure_dir(h.config_dir);
  ensure_dir(h.tmp);
  // Commits the agent makes in its workspace need an identity; the user's is not read.
  atomic_write_file(h.home + "/.gitconfig", "[user]\n\tname = skillpipe replay\n\temail = replay@skillpipe.invalid\n");
  h.env = {"HOME=" + h.home, "TMPDIR=" + h.tmp, "TERM=dumb", "NO_COLOR=1"};
  h.env.insert(h.env.end(), spec.auth.env.begin(), spec.auth.env.end());
  if (spec.agent == Agent::kClaude) {
    h.env.push_back("CLAUDE_CONFIG_DIR=" + h.config_dir);
    if (!spec.endpoint.base_url.empty()) h.env.push_back("ANTHROPIC_BASE_URL=" + spec.endpoint.base_url);
    h.env.insert(h.env.end(), {"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1", "DISABLE_AUTOUPDATER=1",
                               "DISABLE_TELEMETRY=1", "DISABLE_ERROR_REPORTING=1",
                               "CLAUDE_CODE_MAX_RETRIES=" + std::to_string(spec.endpoint.max_retries)});
    if (!spec.auth.login_source.empty()) copy_login(spec.auth.login_source, h.config_dir + "/.credentials.json");
  } else {
    h.env.push_back("CODEX_HOME=" + h.config_dir);
    atomic_write_file(h.config_dir + "/config.toml", codex_config_toml(spec));
    if (!spec.auth.login_source.empty()) copy_login(spec.auth.login_source, h.config_dir + "/auth.json");
  }
  return h;
}

}  // namespace skillpipe::backend_agent
