// skills.hpp - the skills a CLI lists to the model, how well one matches a task, and the
// commands a loaded skill body tells the agent to run.
//
// Where the pinned CLIs put the listing (see docs/agent-clis.md):
// - Claude Code 2.1.197: a `system` message inside `messages` containing
//   "The following skills are available for use with the Skill tool:" and then one
//   "- <name>: <description>" entry per skill (descriptions may continue on later lines).
// - Codex 0.171.0: a developer message "<skills_instructions>" with a "### Skill roots" table
//   ("- `r1` = `/abs/dir`") and "### Available skills" entries
//   "- <name>: <description> (file: r1/<name>/SKILL.md)".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conversation.hpp"

namespace skillpipe::model_server {

struct ListedSkill {
  std::string name;
  std::string description;
  std::string path;  // Codex: the absolute SKILL.md path; Claude: "" (loaded by name)
};

// Every skill listed anywhere in the request's system prompt or injected context, in listing
// order, without duplicates (a resumed session repeats the listing).
std::vector<ListedSkill> listed_skills(const Conversation& c);

// The matching rule, documented in tests/support/model_server/README.md: lower-case words
// of letters and digits, minus stop words, a trailing "s" dropped from words longer than
// three letters. score = |task words that occur in the skill's name or description| /
// |task words|. A skill matches when score >= threshold and at least `min_shared` words are
// shared; the best score wins, ties go to the skill listed first.
std::vector<std::string> content_words(std::string_view text);
struct SkillMatch {
  ListedSkill skill;
  double score = 0;
  int shared = 0;
};
std::optional<SkillMatch> best_skill(std::string_view task, const std::vector<ListedSkill>& skills, double threshold,
                                     int min_shared, const std::vector<std::string>& ignore = {});

// The skills the pinned CLIs bundle and list in every request (Claude Code 2.1.197: 12,
// Codex 0.171.0: 4; docs/agent-clis.md), for `ignore_skills` when a scenario is about the
// project's own skills only.
const std::vector<std::string>& cli_bundled_skills();

// The body without its YAML frontmatter.
std::string strip_frontmatter(std::string_view body);
// Commands a skill body names: every line of a fenced block tagged bash/sh/shell/console
// (or untagged), without comments and a leading "$ "; the rest of a line starting "Run:"
// (backticks around it removed; "Run:" alone introduces the next fenced block); the code of
// a line starting "Run `...`". List bullets and "1." before "Run" are allowed.
std::vector<std::string> skill_commands(std::string_view body);

}  // namespace skillpipe::model_server
