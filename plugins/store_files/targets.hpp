// targets.hpp - which live files a proposal may replace. Skills go to a skill root as
// <root>/<name>/SKILL.md; memory goes to the project's CLAUDE.md or AGENTS.md. Anything else
// is staged for review but marked not adoptable, so a confused consolidator can never make
// adopt write outside the agent's own files.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "skillpipe/config.hpp"
#include "skillpipe/records.hpp"

namespace skillpipe::store_files {

struct TargetConfig {
  std::set<std::string> enabled{"claude_skill", "claude_memory", "codex_skill", "codex_memory"};
  // "{project}" is replaced by the night's project; "~" and $VARS expand.
  std::vector<std::string> claude_skill_roots{"~/.claude/skills", "{project}/.claude/skills"};
  std::vector<std::string> codex_skill_roots{"~/.agents/skills", "{project}/.agents/skills"};

  // Reads `targets`, `claude_skill_roots`, `codex_skill_roots`; throws ConfigError.
  static TargetConfig from(const Config& config);
};

// "" when `p` may be adopted into its live_path for `project`; otherwise the reason not.
std::string check_target(const TargetConfig& cfg, const Proposal& p, const std::string& project);

}  // namespace skillpipe::store_files
