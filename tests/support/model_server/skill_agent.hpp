// skill_agent.hpp - a built-in policy that behaves like a plausible coding model with
// skills, deciding every step from the request alone (no server-side state):
//
// 1. The task is the latest text the user typed; the steps so far are the tool calls made
//    after it and the CLI's results for them.
// 2. When a listed skill matches the task (skills.hpp: word overlap), the agent loads it the
//    way the CLI expects: Claude Code -> a `Skill` call {"skill": name}; Codex -> its shell
//    tool running `cat <listed SKILL.md path>`.
// 3. Once the body is back (Claude: the "Base directory for this skill:" text it injects;
//    Codex: the output of the cat), it runs the commands the body names (skill_commands),
//    one shell call each, in order.
// 4. Without a matching skill it runs `default_commands` (the naive path), if any.
// 5. It stops at the first command with a non-zero exit code and says so; otherwise it
//    reports what it did (or `default_answer` when it ran nothing).
#pragma once

#include <string>
#include <vector>

#include "policy.hpp"
#include "skills.hpp"

namespace skillpipe::model_server {

struct SkillAgentOptions {
  double threshold = 0.5;                   // share of the task's words a description must hold
  int min_shared = 2;                       // and at least this many shared words
  std::vector<std::string> ignore_skills;   // never invoked (e.g. a CLI's bundled skills)
  std::vector<std::string> default_commands;  // the naive path when no skill matches
  std::string default_answer = "Done.";     // the answer when no command ran
  Usage usage;                              // reported on every reply
};

class SkillAgentPolicy : public Policy {
 public:
  explicit SkillAgentPolicy(SkillAgentOptions o = {}) : o_(std::move(o)) {}
  Reply decide(const Conversation& c) override;
  const SkillAgentOptions& options() const { return o_; }

 private:
  Reply finish(const Conversation& c, const std::string& skill, const std::vector<std::string>& ran) const;
  SkillAgentOptions o_;
};

// The steps of the current turn, as the skill agent reads them (exposed for tests and for
// rule scripts that mix scripted steps with the agent).
struct TurnState {
  std::string task;
  std::vector<ListedSkill> skills;
  std::optional<SkillMatch> match;
  int load_call = -1;           // index in `items` of the call that loaded the matched skill
  std::string body;             // the loaded body, frontmatter removed ("" = not loaded yet)
  std::vector<const Item*> shell_calls_after_load;  // or this turn's shell calls when no skill
};
TurnState read_turn(const Conversation& c, const SkillAgentOptions& o);

}  // namespace skillpipe::model_server
