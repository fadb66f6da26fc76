// install_documents.hpp - put the documents under test where the agent loads them.
//
//   Claude Code: <cwd>/.claude/skills/<name>/SKILL.md and <cwd>/CLAUDE.md
//   Codex:       <cwd>/.agents/skills/<name>/SKILL.md and <cwd>/AGENTS.md
// (the project locations both CLIs read, docs/agent-clis.md). The agent lists the skill by
// its frontmatter name and description and loads the body only when it decides to. A
// baseline replay installs the live documents, a candidate replay the candidate's; an empty
// memory text removes a memory file the checkout may carry, so the replay sees what the
// user's agent would see tonight.
#pragma once

#include <string>
#include <vector>

#include "agent_stream.hpp"

namespace skillpipe::backend_agent {

struct ReplayDocs {
  std::string skill_name;   // "" = no skill under test
  std::string skill_text;   // the whole SKILL.md, frontmatter included
  std::string memory_text;  // "" = no memory document
};

// The frontmatter `name:` of a SKILL.md ("" when absent).
std::string skill_name_of(const std::string& skill_text);

// Writes the documents under `cwd`; returns the paths written or removed, relative to cwd.
// Throws Error for a skill name that is not a plain folder name.
std::vector<std::string> install_documents(Agent agent, const std::string& cwd, const ReplayDocs& docs);

// sha256 over the documents as installed (the replay cache key's document part).
std::string documents_hash(const ReplayDocs& docs);

}  // namespace skillpipe::backend_agent
