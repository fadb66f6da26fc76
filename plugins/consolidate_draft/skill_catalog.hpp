// skill_catalog.hpp - the skills an agent already has, per target and skill root.
//
// Roots follow the targets vocabulary (skillpipe/kit/targets.hpp): "<root>/<name>/SKILL.md",
// "{project}" in a root is the night's project, "~" and $VARS expand. The directory name is
// the skill's name (what the store checks on adoption); the frontmatter name is kept for
// matching.
#pragma once

#include <string>
#include <vector>

#include "skillpipe/kit/targets.hpp"
#include "skillpipe/records.hpp"

namespace skillpipe::consolidate_draft {

using targets::SkillRoots;

struct ExistingSkill {
  Target target;       // a skill target
  std::string name;    // directory name
  std::string root;    // expanded root
  std::string path;    // <root>/<name>/SKILL.md
  std::string text;
  std::string sha256;
  std::string fm_name;  // frontmatter name ("" when absent)
  std::string description;
  bool symlink = false;       // SKILL.md or its directory is a symlink
  bool only_skill_md = true;  // the directory holds nothing but SKILL.md
};

// Every <root>/<name>/SKILL.md of the target's roots, in root order; the first root wins
// when two define the same name (the agent's own precedence).
std::vector<ExistingSkill> scan_skills(const SkillRoots& roots, Target target, const std::string& project);

// The existing skill a pattern's draft should extend instead of creating `name`: one with
// that name, else the one whose name and description contain the most of the pattern's
// label words (at least `threshold` of them and two, or all when the label is shorter),
// with a bonus for the skill the pattern's sessions used (`skill_hint`). nullptr: none.
const ExistingSkill* match_skill(const std::vector<ExistingSkill>& skills, const std::string& name,
                                 const std::string& label, const std::string& skill_hint, double threshold);

// The live path a new skill `name` of `target` would be adopted to: the project root when
// `scope` is "project" and the night has a project, else the first user-level root.
std::string new_skill_path(const SkillRoots& roots, Target target, const std::string& project,
                           const std::string& scope, const std::string& name);

}  // namespace skillpipe::consolidate_draft
