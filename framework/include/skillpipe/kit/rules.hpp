// kit/rules.hpp - the rule-check language (gbrain-evals `skillopt-v1` format, extended):
// evaluation of a check list against a response, and validation of a check list.
//
// Shared by the judge_rule plugin and the mine_tasks miner (which validates the checks an
// LLM proposes before it keeps a task). Every failed check is reported as a requirement in
// plain words ("the ENTIRE response must be at most 280 characters") that a reflection
// prompt can quote; those phrases do not depend on the response, so they group across
// samples. What was observed ("it has 312 characters") goes to the rationale.
//
// Semantics (SkillOpt-compatible where SkillOpt has the op):
//   contains / not_contains   case-insensitive substring (always, as in SkillOpt)
//   regex / not_regex         Python-style pattern searched anywhere; case-sensitive unless
//                             case_insensitive or an inline (?i)
//   no_refusal                fails on an empty response, or a short (< 600 chars) one that
//                             opens with a refusal ("I can't", "I'm unable", ...)
//   tool_called               the tool is in tools_called (any case), or the response says
//                             "TOOL_CALL: name"
//   section_present           a heading ending with the name ("## 2. Key Risks"), a bold
//                             line "**Key Risks**", or a label line "Key Risks:"
//   section_contains          a Markdown heading containing arg; with arg2, that section's
//                             body must contain arg2 (both case-insensitive)
//   max_chars / min_chars     length in Unicode characters of the whole response
//   max_words / min_words     whitespace-separated words
//   starts_with / ends_with   the response with surrounding whitespace trimmed
//   json_valid                the whole (trimmed) response parses as JSON; arg "object" or
//                             "array" also fixes the top-level type
//   json_field_equals         arg is a JSON pointer (RFC 6901), arg2 the expected value as
//                             JSON text; a string field also matches arg2's raw text
//   any_of / all_of / none_of groups over `children`; a group counts as one check
//   skill_invoked / skill_not_invoked NAME, command_ran / command_succeeded REGEX,
//   file_changed / file_unchanged GLOB (workspace-relative), max_tool_calls N,
//   check_command CMD
//                             trajectory checks: what the agent did in an agentic replay
//                             (backend_agent): skills it invoked, shell commands it ran (Bash,
//                             exec_command) and their exit codes, files it changed (`*` also
//                             crosses `/`), its tool calls, and the task's check commands run
//                             in the workspace after it ended (exit 0 passes). Without a
//                             Trajectory (a chat replay) they fail with "needs a trajectory".
// An unknown op passes (it never blocks) and is reported by validation as a warning.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "skillpipe/records.hpp"

namespace skillpipe::rules {

struct RuleScore {
  double hard = 0;   // 1 when every check passed
  double soft = 0;   // passed / total
  int passed = 0;
  int total = 0;
  std::vector<std::string> failed_criteria;
  std::string rationale;
};

// Scores `checks` (top level; groups count once). No checks: hard = soft = 0, "no checks".
RuleScore score_checks(const std::vector<RuleCheck>& checks, std::string_view response,
                       const std::vector<std::string>& tools_called);
// The same for an agentic replay: trajectory checks read `trajectory` (null: they fail).
RuleScore score_checks(const std::vector<RuleCheck>& checks, std::string_view response,
                       const std::vector<std::string>& tools_called, const Trajectory* trajectory);

// The requirement a check states, in plain words.
std::string describe(const RuleCheck& check);

struct SpecReport {
  std::vector<std::string> errors;    // the spec cannot be judged as written
  std::vector<std::string> warnings;  // judgeable, but probably not what the author meant
};
SpecReport validate_checks(const std::vector<RuleCheck>& checks);

bool is_known_op(std::string_view op);
// True when the check (or one of its children) is a trajectory check.
bool needs_trajectory(const RuleCheck& check);
// Ops that check only the form of a response (length, sections, JSON shape).
bool is_shape_check(const RuleCheck& check);
// A non-negative integer bound ("280", " 280 ", "280.0"); nullopt otherwise.
std::optional<long long> parse_bound(std::string_view arg);

}  // namespace skillpipe::rules
