// kit/targets.hpp - where each agent reads its skills and its memory: the one place the
// live-path rules of every target live (the store checks adoptions with them, the
// consolidators build live paths with them).
//
// A skill target is "<root>/<name>/SKILL.md" under one of the agent's skill roots; a memory
// target is one file in the project. Roots are written with "~", $VARS and "{project}" (the
// night's project). The conventions were measured on pinned releases (docs/formats/README.md,
// conventions-probe.json) except where `verified` is false. Agents without a skill folder
// skillpipe can write to have memory targets only.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "skillpipe/config.hpp"
#include "skillpipe/records.hpp"

namespace skillpipe::targets {

struct AgentConventions {
  Agent agent;
  std::string user_skill_root;     // "" when the agent has no user-level skill folder
  std::string project_skill_root;  // "{project}/..."; "" when none
  std::string memory_file;         // project-relative, e.g. "CLAUDE.md", ".github/copilot-instructions.md"
  bool verified = true;            // measured on a pinned release (docs/formats/README.md)
};

// Every agent's conventions, in Agent order.
const std::vector<AgentConventions>& all_conventions();
const AgentConventions& conventions(Agent agent);

// The targets that have a live path rule (every agent's memory; skills where the agent has a
// skill folder), in Agent order, skill before memory.
std::vector<Target> known_targets();
bool has_live_path(Target target);
// "claude_skill, claude_memory, ..." for messages and schema descriptions.
std::string known_target_list();

// The skill roots a target searches, per agent; each plugin starts from the defaults (user
// root first, then the project root) and may override one agent's list from its config.
struct SkillRoots {
  std::map<Agent, std::vector<std::string>> roots;
  static SkillRoots defaults();
  const std::vector<std::string>& of(Agent agent) const;
};

// A root with "{project}" replaced, "~" and $VARS expanded, normalized, no trailing '/';
// "" when the root needs a project and the night has none ("all" or empty).
std::string expand_root(std::string_view root, std::string_view project);
// <root>/<name>/SKILL.md.
std::string skill_path(std::string_view expanded_root, std::string_view name);
// <project>/<memory file>, normalized; "" for a night over all projects.
std::string memory_path(Agent agent, std::string_view project);
// The file name a memory proposal carries as its name ("CLAUDE.md", "copilot-instructions.md").
std::string memory_name(Agent agent);

// Where a new skill `name` goes: the agent's project root when `project_scope` and the night
// has a project, else its first user-level root (then any root). "" when none applies.
std::string new_skill_path(const SkillRoots& roots, Agent agent, std::string_view project, bool project_scope,
                           std::string_view name);

// "" when `live_path` is where `target`'s document `name` lives for `project` under
// `roots`; otherwise why not, naming what was expected.
std::string check_live_path(Target target, std::string_view name, std::string_view live_path,
                            std::string_view project, const SkillRoots& roots);

// Parses a config list of target names (e.g. the `targets` key); throws ConfigError naming
// the key and listing the known targets.
std::vector<Target> targets_from_config(const Config& config, std::string_view key);

}  // namespace skillpipe::targets
