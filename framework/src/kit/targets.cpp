// The agents' skill and memory conventions (kit/targets.hpp).
#include "skillpipe/kit/targets.hpp"

#include <filesystem>

#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"

namespace fs = std::filesystem;

namespace skillpipe::targets {
namespace {

// Measured with scripts/fixture_servers/probe_conventions.py on the pinned releases
// (docs/formats/README.md, "Skill folders and memory files"); Claude Code and Codex from
// their pins in docs/agent-clis.md. Where an agent reads several memory files, the one only
// it reads is taken (a lesson in AGENTS.md would also reach Codex, OpenCode, Copilot and Pi).
const std::vector<AgentConventions> kConventions = {
    {Agent::kClaude, "~/.claude/skills", "{project}/.claude/skills", "CLAUDE.md", true},
    {Agent::kCodex, "~/.agents/skills", "{project}/.agents/skills", "AGENTS.md", true},
    {Agent::kGemini, "~/.gemini/skills", "{project}/.gemini/skills", "GEMINI.md", true},
    {Agent::kQwen, "~/.qwen/skills", "{project}/.qwen/skills", "QWEN.md", true},
    {Agent::kOpenCode, "~/.config/opencode/skills", "{project}/.opencode/skills", "AGENTS.md", true},
    {Agent::kCopilot, "~/.copilot/skills", "{project}/.github/skills", ".github/copilot-instructions.md", true},
    {Agent::kPi, "~/.pi/agent/skills", "{project}/.pi/skills", "AGENTS.md", true},
    // Cursor cannot run here (no npm release, needs a login): its conventions come from public
    // readers, not a measurement. Unverified: rules in .cursor/rules/*.mdc (skillpipe owns one
    // file there); its .cursor/skills folder is not documented well enough to write to.
    {Agent::kCursor, "", "", ".cursor/rules/skillpipe.mdc", false},
};

std::string normal(std::string_view p) { return fs::path(std::string(p)).lexically_normal().string(); }

bool needs_project(std::string_view root) { return root.find("{project}") != std::string_view::npos; }

}  // namespace

const std::vector<AgentConventions>& all_conventions() { return kConventions; }

const AgentConventions& conventions(Agent agent) {
  for (const auto& c : kConventions)
    if (c.agent == agent) return c;
  throw Error(std::string("no conventions for agent ") + to_string(agent));
}

bool has_live_path(Target t) {
  const auto& c = conventions(t.agent);
  return t.kind == DocKind::kMemory ? !c.memory_file.empty()
                                    : !(c.user_skill_root.empty() && c.project_skill_root.empty());
}

std::vector<Target> known_targets() {
  std::vector<Target> out;
  for (const auto& c : kConventions)
    for (DocKind k : {DocKind::kSkill, DocKind::kMemory})
      if (has_live_path({c.agent, k})) out.push_back({c.agent, k});
  return out;
}

std::string known_target_list() {
  std::string out;
  for (const Target& t : known_targets()) out += (out.empty() ? "" : ", ") + to_string(t);
  return out;
}

SkillRoots SkillRoots::defaults() {
  SkillRoots r;
  for (const auto& c : kConventions) {
    auto& list = r.roots[c.agent];
    if (!c.user_skill_root.empty()) list.push_back(c.user_skill_root);
    if (!c.project_skill_root.empty()) list.push_back(c.project_skill_root);
  }
  return r;
}

const std::vector<std::string>& SkillRoots::of(Agent agent) const {
  static const std::vector<std::string> kNone;
  const auto it = roots.find(agent);
  return it == roots.end() ? kNone : it->second;
}

std::string expand_root(std::string_view root, std::string_view project) {
  std::string r(root);
  if (needs_project(r)) {
    if (project.empty() || project == "all" || project[0] != '/') return {};
    for (auto at = r.find("{project}"); at != std::string::npos; at = r.find("{project}")) r.replace(at, 9, project);
  }
  r = normal(expand_path(r));
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  return r;
}

std::string skill_path(std::string_view expanded_root, std::string_view name) {
  return normal(std::string(expanded_root) + "/" + std::string(name) + "/SKILL.md");
}

std::string memory_path(Agent agent, std::string_view project) {
  const auto& c = conventions(agent);
  if (c.memory_file.empty() || project.empty() || project == "all") return {};
  return normal(std::string(project) + "/" + c.memory_file);
}

std::string memory_name(Agent agent) { return fs::path(conventions(agent).memory_file).filename().string(); }

std::string new_skill_path(const SkillRoots& roots, Agent agent, std::string_view project, bool project_scope,
                           std::string_view name) {
  std::string user, proj;
  for (const auto& r : roots.of(agent)) {
    const std::string e = expand_root(r, project);
    if (e.empty()) continue;
    if (needs_project(r) && proj.empty()) proj = e;
    if (!needs_project(r) && user.empty()) user = e;
  }
  const std::string root = project_scope && !proj.empty() ? proj : !user.empty() ? user : proj;
  return root.empty() ? std::string() : skill_path(root, name);
}

std::string check_live_path(Target target, std::string_view name, std::string_view live_path,
                            std::string_view project, const SkillRoots& roots) {
  const std::string t = to_string(target);
  if (!has_live_path(target)) return "target " + t + " has no live path (supported: " + known_target_list() + ")";
  if (live_path.empty() || live_path[0] != '/') return "live path \"" + std::string(live_path) + "\" is not absolute";
  const std::string live = normal(live_path);
  if (target.kind == DocKind::kMemory) {
    if (project.empty() || project == "all") return "a night over all projects has no project memory file";
    const std::string want = memory_path(target.agent, project);
    return live == want ? std::string() : "memory target must be " + want + ", not " + live;
  }
  std::string tried;
  for (const auto& r : roots.of(target.agent)) {
    const std::string e = expand_root(r, project);
    if (e.empty()) continue;
    if (live == skill_path(e, name)) return {};
    tried += (tried.empty() ? "" : ", ") + e;
  }
  return "live path " + live + " is not <root>/" + std::string(name) + "/SKILL.md under a configured " + t +
         " root (" + tried + ")";
}

std::vector<Target> targets_from_config(const Config& config, std::string_view key) {
  std::vector<Target> out;
  const std::string pointer = config.pointer() + "/" + std::string(key);
  for (const auto& name : config.get_string_list(key)) {
    const auto t = parse_target(name);
    if (!t || !has_live_path(*t))
      throw ConfigError("unknown target \"" + name + "\" (expected one of " + known_target_list() + ")", pointer);
    out.push_back(*t);
  }
  return out;
}

}  // namespace skillpipe::targets
