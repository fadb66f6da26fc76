// documents.hpp - the live documents a night evolves: a skill (SKILL.md) and a memory
// document (CLAUDE.md / AGENTS.md), each read once at the start of the night and pinned by
// sha256 so adoption can refuse a file that changed meanwhile.
#pragma once

#include <string>
#include <vector>

namespace skillpipe::reflect {

struct DocFile {
  std::string name;    // skill name, or "CLAUDE.md" / "AGENTS.md"
  std::string target;  // claude_skill | claude_memory | codex_skill | codex_memory
  std::string path;    // absolute live path
  bool exists = false;
  std::string base_text;    // the live bytes ("" when absent)
  std::string base_sha256;  // "" when absent
  std::string text;         // what the night starts from: the live text, or a scaffold
};

bool is_skill_target(const std::string& target);
bool is_memory_target(const std::string& target);

// "{project}" replaced, "~" and $VARS expanded, normalized.
std::string expand_root(const std::string& root, const std::string& project);
// <root>/<name>/SKILL.md, or <project>/CLAUDE.md / AGENTS.md for memory targets.
std::string live_path_for(const std::string& target, const std::string& skill_name, const std::string& claude_root,
                          const std::string& codex_root, const std::string& project);

// A SKILL.md with `name`/`description` frontmatter, used when the managed skill is missing.
std::string skill_scaffold(const std::string& name);

// Reads the live file (throws Error when it exists but cannot be read). A missing skill
// starts from the scaffold; a missing memory document starts empty.
DocFile load_document(const std::string& target, const std::string& name, const std::string& path);

}  // namespace skillpipe::reflect
