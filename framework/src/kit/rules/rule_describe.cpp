// rule_describe.cpp - a rule check in words: the criterion a judge's rationale and an LLM
// rubric quote (kit/rules.hpp).
#include <string>

#include "rule_ops.hpp"
#include "skillpipe/kit/rules.hpp"

namespace skillpipe::rules {
namespace detail {
namespace {

std::string join_children(const RuleCheck& c, const char* sep) {
  std::string out;
  int i = 1;
  for (const auto& child : c.children)
    out += (out.empty() ? "" : sep) + std::string("(") + std::to_string(i++) + ") " + describe_check(child, false);
  return out;
}

std::string describe_trajectory(const RuleCheck& c, const std::string& must) {
  const std::string a = q(trim(c.arg));
  switch (c.op) {
    case RuleOp::kSkillInvoked: return "the agent " + must + " invoke the skill " + a;
    case RuleOp::kSkillNotInvoked: return "the agent " + std::string(must == "must" ? "must not" : "must") + " invoke the skill " + a;
    case RuleOp::kCommandRan: return "the agent " + must + " run a command matching " + pat(c.arg);
    case RuleOp::kCommandSucceeded: return "a command matching " + pat(c.arg) + " " + must + " succeed";
    case RuleOp::kFileChanged: return "the agent " + must + " change a file matching " + a;
    case RuleOp::kFileUnchanged: return "the agent " + std::string(must == "must" ? "must not" : "must") + " change a file matching " + a;
    case RuleOp::kMaxToolCalls: return "the agent " + must + " make at most " + trim(c.arg) + " tool calls";
    default: return "the check command " + a + " " + must + " pass";  // kCheckCommand
  }
}

}  // namespace

std::string describe_check(const RuleCheck& c, bool negated) {
  const std::string ci = c.case_insensitive ? " (ignoring case)" : "";
  const std::string must = negated ? "must not" : "must";
  const std::string must_not = negated ? "must" : "must not";
  if (is_trajectory_op(c.op)) return describe_trajectory(c, must);
  switch (c.op) {
    case RuleOp::kContains: return "the response " + must + " contain " + q(c.arg);
    case RuleOp::kNotContains: return "the response " + must_not + " contain " + q(c.arg);
    case RuleOp::kRegex: return "the response " + must + " match the pattern " + pat(c.arg) + ci;
    case RuleOp::kNotRegex: return "the response " + must_not + " match the pattern " + pat(c.arg) + ci;
    case RuleOp::kNoRefusal:
      return negated ? "the response must be empty or a refusal" : "the response must attempt the task, not refuse or come back empty";
    case RuleOp::kToolCalled: return "the agent " + must + " call the tool " + q(trim(c.arg));
    case RuleOp::kSectionPresent: return "the response " + must + " have a section headed " + q(trim(c.arg));
    case RuleOp::kSectionContains:
      if (trim(c.arg2).empty()) return "the response " + must + " have a heading containing " + q(trim(c.arg));
      return "the section headed " + q(trim(c.arg)) + " " + must + " contain " + q(c.arg2);
    case RuleOp::kMaxChars: return "the ENTIRE response " + must + " be at most " + trim(c.arg) + " characters";
    case RuleOp::kMinChars: return "the response " + must + " be at least " + trim(c.arg) + " characters long";
    case RuleOp::kMaxWords: return "the ENTIRE response " + must + " be at most " + trim(c.arg) + " words";
    case RuleOp::kMinWords: return "the response " + must + " be at least " + trim(c.arg) + " words long";
    case RuleOp::kStartsWith: return "the response " + must + " start with " + q(c.arg) + ci;
    case RuleOp::kEndsWith: return "the response " + must + " end with " + q(c.arg) + ci;
    case RuleOp::kJsonValid: {
      const std::string kind = lower(trim(c.arg));
      return "the ENTIRE response " + must + " be " +
             (kind == "object" ? "a JSON object" : kind == "array" ? "a JSON array" : "valid JSON");
    }
    case RuleOp::kJsonFieldEquals: return "the JSON field " + c.arg + " " + must + " equal " + truncate_utf8(c.arg2, 120) + ci;
    case RuleOp::kAnyOf: return (negated ? "none of these may hold: " : "at least one of these must hold: ") + join_children(c, "; ");
    case RuleOp::kAllOf: return (negated ? "not all of these may hold: " : "all of these must hold: ") + join_children(c, "; ");
    case RuleOp::kNoneOf: return (negated ? "at least one of these must hold: " : "none of these may hold: ") + join_children(c, "; ");
    default: return "unknown check " + q(op_name(c));
  }
}


}  // namespace detail

std::string describe(const RuleCheck& check) { return detail::describe_check(check, false); }

}  // namespace skillpipe::rules
