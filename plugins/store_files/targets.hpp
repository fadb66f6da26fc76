// targets.hpp - which live files a proposal may replace: the store's enabled targets and
// skill roots, checked with the kit's live-path rules (skillpipe/kit/targets.hpp). Anything
// else is staged for review but marked not adoptable, so a confused consolidator can never
// make adopt write outside the agent's own files.
#pragma once

#include <set>
#include <string>

#include "skillpipe/config.hpp"
#include "skillpipe/kit/targets.hpp"
#include "skillpipe/records.hpp"

namespace skillpipe::store_files {

struct TargetConfig {
  std::set<Target> enabled{{Agent::kClaude, DocKind::kSkill},
                           {Agent::kClaude, DocKind::kMemory},
                           {Agent::kCodex, DocKind::kSkill},
                           {Agent::kCodex, DocKind::kMemory}};
  targets::SkillRoots roots = targets::SkillRoots::defaults();

  // Reads `targets`, `claude_skill_roots`, `codex_skill_roots`; throws ConfigError.
  static TargetConfig from(const Config& config);
};

// "" when `p` may be adopted into its live_path for `project`; otherwise the reason not.
std::string check_target(const TargetConfig& cfg, const Proposal& p, const std::string& project);

}  // namespace skillpipe::store_files
