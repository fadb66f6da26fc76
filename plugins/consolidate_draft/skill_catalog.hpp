// skill_catalog.hpp - the skills an agent already has, per target and skill root.
//
// Roots follow the store's target conventions: "<root>/<name>/SKILL.md", "{project}" in a
// root is the night's project, "~" and $VARS expand. The directory name is the skill's name
// (what the store checks on adoption); the frontmatter name is kept for matching.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace skillpipe::drafting {

struct SkillRoots {
  std::vector<std::string> claude{"~/.claude/skills", "{project}/.claude/skills"};
  std::vector<std::string> codex{"~/.agents/skills", "{project}/.agents/skills"};
  const std::vector<std::string>& of(const std::string& target) const {
    return target == "codex_skill" ? codex : claude;
  }
};

// A root with "{project}" replaced and "~"/$VARS expanded; "" when it needs a project and
// the night has none ("all").
std::string expand_root(const std::string& root, const std::string& project);

struct ExistingSkill {
  std::string target;  // claude_skill | codex_skill
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
std::vector<ExistingSkill> scan_skills(const SkillRoots& roots, const std::string& target, const std::string& project);

// The existing skill a pattern's draft should extend instead of creating `name`: one with
// that name, else the one whose name and description contain the most of the pattern's
// label words (at least `threshold` of them and two, or all when the label is shorter),
// with a bonus for the skill the pattern's sessions used (`skill_hint`). nullptr: none.
const ExistingSkill* match_skill(const std::vector<ExistingSkill>& skills, const std::string& name,
                                 const std::string& label, const std::string& skill_hint, double threshold);

// The live path a new skill `name` of `target` would be adopted to: the project root when
// `scope` is "project" and the night has a project, else the first user-level root.
std::string new_skill_path(const SkillRoots& roots, const std::string& target, const std::string& project,
                           const std::string& scope, const std::string& name);

}  // namespace skillpipe::drafting
