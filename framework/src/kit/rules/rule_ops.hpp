// rule_ops.hpp - small helpers the rule-check evaluator and validator share (internal).
#pragma once

#include <string>
#include <string_view>

#include "skillpipe/kit/util.hpp"
#include "skillpipe/records.hpp"

namespace skillpipe::rules::detail {

inline bool is_group(RuleOp op) { return op == RuleOp::kAnyOf || op == RuleOp::kAllOf || op == RuleOp::kNoneOf; }
inline bool is_bound_op(RuleOp op) {
  return op == RuleOp::kMaxChars || op == RuleOp::kMinChars || op == RuleOp::kMaxWords || op == RuleOp::kMinWords;
}
inline bool is_max_op(RuleOp op) { return op == RuleOp::kMaxChars || op == RuleOp::kMaxWords; }
// The ops that need what an agentic replay records (a Trajectory), not just the answer.
inline bool is_trajectory_op(RuleOp op) {
  return op >= RuleOp::kSkillInvoked && op <= RuleOp::kCheckCommand;
}
inline bool needs_text_arg(RuleOp op) {
  switch (op) {
    case RuleOp::kContains: case RuleOp::kNotContains: case RuleOp::kRegex: case RuleOp::kNotRegex:
    case RuleOp::kToolCalled: case RuleOp::kSectionPresent: case RuleOp::kSectionContains:
    case RuleOp::kStartsWith: case RuleOp::kEndsWith: case RuleOp::kSkillInvoked: case RuleOp::kSkillNotInvoked:
    case RuleOp::kCommandRan: case RuleOp::kCommandSucceeded: case RuleOp::kFileChanged:
    case RuleOp::kFileUnchanged: case RuleOp::kCheckCommand:
      return true;
    default:
      return false;
  }
}

// The op as written: its text, or the unknown text it was read from.
inline std::string op_name(const RuleCheck& c) {
  return c.op == RuleOp::kUnknown ? c.unknown_op : std::string(to_string(c.op));
}

// Quotes a check argument for a criterion, cut so a pathological arg stays readable.
inline std::string q(std::string_view s) { return "\"" + truncate_utf8(s, 120) + "\""; }
inline std::string pat(std::string_view s) { return "/" + truncate_utf8(s, 120) + "/"; }

inline std::string lower(std::string_view s) { return to_lower_ascii(s); }

struct CheckResult {
  bool passed = false;
  std::string detail;  // what was observed, for the rationale
};

// A section headed `name` (a Markdown heading, a bold line, or "Name:") outside code fences.
bool section_present(std::string_view response, std::string_view name);
// A Markdown heading containing `name` whose section contains `body_text` (any section when
// `body_text` is empty); the detail says which part was missing (rule_sections.cpp).
CheckResult section_contains(std::string_view response, std::string_view name, std::string_view body_text);

// The check in words, as a criterion ("the response must contain ..."); `negated` words it
// as what must not hold (rule_describe.cpp).
std::string describe_check(const RuleCheck& c, bool negated);

// A trajectory op (is_trajectory_op) on an agentic replay's trajectory (trajectory_checks.cpp).
CheckResult eval_trajectory(const RuleCheck& c, const Trajectory& t);

}  // namespace skillpipe::rules::detail
