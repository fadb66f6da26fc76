#include "agent_command.hpp"

#include <regex>

#include "clean_process.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::backend_agent {

std::vector<std::string> agent_argv(const AgentCommandSettings& s, const std::string& cwd, bool git) {
  std::vector<std::string> a{s.binary};
  if (s.agent == Agent::kClaude) {
    a.insert(a.end(), {"-p", "--input-format", "stream-json", "--output-format", "stream-json", "--verbose",
                       "--permission-mode", "acceptEdits", "--allowedTools", "Bash", "--strict-mcp-config",
                       "--max-turns", std::to_string(s.max_turns)});
    if (!s.model.empty()) a.insert(a.end(), {"--model", s.model});
  } else {
    a.insert(a.end(), {"exec", "--json", "--sandbox", s.codex_sandbox ? "workspace-write" : "danger-full-access", "-C", cwd,
                       "--color", "never"});
    if (!git) a.push_back("--skip-git-repo-check");
    if (!s.model.empty()) a.insert(a.end(), {"-m", s.model});
  }
  a.insert(a.end(), s.extra_args.begin(), s.extra_args.end());
  if (s.agent == Agent::kCodex) a.push_back("-");  // the prompt comes on stdin
  return a;
}

std::string agent_input(Agent agent, const std::string& prompt) {
  if (agent == Agent::kCodex) return prompt;
  return R"({"type":"user","message":{"role":"user","content":)" + json_quote(prompt) + "}}\n";
}

bool starts_before_input(Agent agent) { return agent == Agent::kClaude; }

const char* tested_version(Agent agent) { return agent == Agent::kClaude ? "2.1.197" : "0.171.0"; }

std::string parse_version_output(Agent agent, const std::string& out) {
  static const std::regex kClaude(R"((\d+\.\d+\.\d+)\s*\(Claude Code\))");
  static const std::regex kCodex(R"(codex(?:-cli)?\s+(\d+\.\d+\.\d+\S*))");
  std::smatch m;
  if (std::regex_search(out, m, agent == Agent::kClaude ? kClaude : kCodex)) return m[1].str();
  return {};
}

VersionCheck check_version(const AgentCommandSettings& s, const std::vector<std::string>& env) {
  VersionCheck v;
  CleanProcess p;
  p.argv = {s.binary, "--version"};
  p.env = env;
  p.timeout_s = 60;
  const ProcessOutcome r = run_clean(p);
  const char* name = s.agent == Agent::kClaude ? "Claude Code" : "Codex";
  if (!r.started || r.exit_code != 0) {
    v.warning = std::string("could not read the ") + name + " version (`" + s.binary + " --version`: " +
                trim(r.started ? r.err : r.start_error) + ")";
    return v;
  }
  v.version = parse_version_output(s.agent, r.out + "\n" + r.err);
  v.tested = v.version == tested_version(s.agent);
  if (v.version.empty())
    v.warning = std::string("could not read the ") + name + " version from `" + s.binary + " --version`: " +
                trim(r.out).substr(0, trim(r.out).find('\n')).substr(0, 200);
  else if (!v.tested)
    v.warning = std::string(name) + " " + v.version + " is not the tested version " + tested_version(s.agent) +
                ": its flags, event stream and skill loading may differ (docs/agent-clis.md)";
  return v;
}

}  // namespace skillpipe::backend_agent
