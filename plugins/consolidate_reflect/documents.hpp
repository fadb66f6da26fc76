// documents.hpp - the live documents a night evolves: a skill (SKILL.md) and a memory
// document (CLAUDE.md / AGENTS.md / ...), each read once at the start of the night and pinned
// by sha256 so adoption can refuse a file that changed meanwhile. Where each target's file
// lives is the kit's targets vocabulary (skillpipe/kit/targets.hpp).
#pragma once

#include <string>
#include <vector>

#include "skillpipe/records.hpp"

namespace skillpipe::consolidate_reflect {

struct DocFile {
  std::string name;    // skill name, or the memory file's name ("CLAUDE.md")
  Target target;
  std::string path;    // absolute live path
  bool exists = false;
  std::string base_text;    // the live bytes ("" when absent)
  std::string base_sha256;  // "" when absent
  std::string text;         // what the night starts from: the live text, or a scaffold
};

// A skill target: <root>/<name>/SKILL.md under `claude_root` (Claude), `codex_root` (Codex)
// or the agent's project skill root; a memory target: the agent's memory file in `project`.
std::string live_path_for(Target target, const std::string& skill_name, const std::string& claude_root,
                          const std::string& codex_root, const std::string& project);

// A SKILL.md with `name`/`description` frontmatter, used when the managed skill is missing.
std::string skill_scaffold(const std::string& name);

// "" when the live file holds no secret; else why the night leaves it as it is: a proposal
// keeps the file's text in the store, and a secret never goes there.
std::string secret_refusal(const DocFile& doc);

// Reads the live file (throws Error when it exists but cannot be read). A missing skill
// starts from the scaffold; a missing memory document starts empty.
DocFile load_document(Target target, const std::string& name, const std::string& path);

}  // namespace skillpipe::consolidate_reflect
