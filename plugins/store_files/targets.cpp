#include "targets.hpp"

#include <filesystem>

#include "layout.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::store_files {
namespace {

const std::set<std::string> kKnown{"claude_skill", "claude_memory", "codex_skill", "codex_memory"};

std::string norm(const std::string& p) { return std::filesystem::path(p).lexically_normal().string(); }

std::string expand_root(const std::string& root, const std::string& project) {
  std::string r = root;
  for (auto pos = r.find("{project}"); pos != std::string::npos; pos = r.find("{project}")) {
    r.replace(pos, 9, project);
  }
  return norm(expand_path(r));
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

TargetConfig TargetConfig::from(const Config& config) {
  TargetConfig t;
  if (config.has("targets")) {
    t.enabled.clear();
    for (const auto& name : config.get_string_list("targets")) {
      if (!kKnown.count(name)) {
        throw ConfigError(
            "unknown target \"" + name + "\" (expected claude_skill, claude_memory, codex_skill or codex_memory)",
            config.pointer() + "/targets");
      }
      t.enabled.insert(name);
    }
  }
  if (config.has("claude_skill_roots")) t.claude_skill_roots = config.get_string_list("claude_skill_roots");
  if (config.has("codex_skill_roots")) t.codex_skill_roots = config.get_string_list("codex_skill_roots");
  return t;
}

std::string check_target(const TargetConfig& cfg, const Proposal& p, const std::string& project) {
  const std::string target = to_string(p.target);
  if (!kKnown.count(target)) {
    return "unsupported target \"" + target + "\" (expected claude_skill, claude_memory, codex_skill or codex_memory)";
  }
  if (!cfg.enabled.count(target)) return "target " + target + " is not enabled in the store's `targets`";
  if (p.live_path.empty() || p.live_path[0] != '/') return "live path \"" + p.live_path + "\" is not absolute";
  const std::string live = norm(p.live_path);
  if (p.target.kind == DocKind::kMemory) {
    if (project == "all") return "a night over all projects has no project memory file";
    const std::string want = norm(project + (p.target.agent == Agent::kClaude ? "/CLAUDE.md" : "/AGENTS.md"));
    if (live != want) return "memory target must be " + want + ", not " + live;
    return {};
  }
  if (!is_safe_segment(p.name)) return "skill name \"" + p.name + "\" is not a safe directory name";
  const auto& roots = p.target.agent == Agent::kClaude ? cfg.claude_skill_roots : cfg.codex_skill_roots;
  std::vector<std::string> expanded;
  for (const auto& r : roots) {
    if (r.find("{project}") != std::string::npos && project == "all") continue;
    expanded.push_back(expand_root(r, project));
    if (live == norm(expanded.back() + "/" + p.name + "/SKILL.md")) return {};
  }
  return "live path " + live + " is not <root>/" + p.name + "/SKILL.md under a configured " + target + " root (" +
         join(expanded) + ")";
}

}  // namespace skillpipe::store_files
