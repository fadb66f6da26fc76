#include "targets.hpp"

#include "layout.hpp"

namespace skillpipe::store_files {

TargetConfig TargetConfig::from(const Config& config) {
  TargetConfig t;
  if (config.has("targets")) {
    const auto list = targets::targets_from_config(config, "targets");
    t.enabled = std::set<Target>(list.begin(), list.end());
  }
  if (config.has("claude_skill_roots")) t.roots.roots[Agent::kClaude] = config.get_string_list("claude_skill_roots");
  if (config.has("codex_skill_roots")) t.roots.roots[Agent::kCodex] = config.get_string_list("codex_skill_roots");
  return t;
}

std::string check_target(const TargetConfig& cfg, const Proposal& p, const std::string& project) {
  const std::string target = to_string(p.target);
  if (!cfg.enabled.count(p.target)) return "target " + target + " is not enabled in the store's `targets`";
  if (p.target.kind == DocKind::kSkill && !is_safe_segment(p.name))
    return "skill name \"" + p.name + "\" is not a safe directory name";
  return targets::check_live_path(p.target, p.name, p.live_path, project, cfg.roots);
}

}  // namespace skillpipe::store_files
