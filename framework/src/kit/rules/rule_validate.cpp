// rule_validate.cpp - checking a rule-check list before it is used (kit/rules.hpp).
#include <rapidjson/document.h>
#include <rapidjson/pointer.h>

#include <algorithm>
#include <cctype>
#include <tuple>

#include "rule_ops.hpp"
#include "skillpipe/kit/regex.hpp"
#include "skillpipe/kit/rules.hpp"
#include "skillpipe/kit/safety.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe_internal/json_parse.hpp"

namespace skillpipe::rules {
namespace {

using namespace detail;

// Arguments of the trajectory ops (evaluated by an agentic judge, issue 13): NAME, REGEX,
// GLOB, N or CMD.
void validate_trajectory(const RuleCheck& c, const std::string& where, SpecReport& out) {
  switch (c.op) {
    case RuleOp::kSkillInvoked:
    case RuleOp::kSkillNotInvoked:
      if (!valid_skill_name(trim(c.arg)))
        out.warnings.push_back(where + ": " + q(c.arg) +
                               " is not a valid skill name (lower-case letters, digits and single hyphens)");
      break;
    case RuleOp::kCommandRan:
    case RuleOp::kCommandSucceeded: {
      std::string err;
      if (!compile_regex(c.arg, c.case_insensitive, &err))
        out.errors.push_back(where + ": the command pattern " + pat(c.arg) + " does not compile: " + err);
      break;
    }
    case RuleOp::kFileChanged:
    case RuleOp::kFileUnchanged: {
      const std::string g = trim(c.arg);
      if (std::count(g.begin(), g.end(), '[') != std::count(g.begin(), g.end(), ']'))
        out.errors.push_back(where + ": the file glob " + q(c.arg) + " has an unbalanced [ ]");
      else if (!g.empty() && g[0] == '/')
        out.errors.push_back(where + ": the file glob " + q(c.arg) + " must be relative to the workspace");
      break;
    }
    case RuleOp::kMaxToolCalls:
      if (!parse_bound(c.arg))
        out.errors.push_back(where + ": the number of tool calls must be a non-negative integer, got " + q(c.arg));
      break;
    default:  // kCheckCommand: any non-empty command (checked as an arg above)
      break;
  }
}

void validate_into(const std::vector<RuleCheck>& checks, const std::string& prefix, SpecReport& out) {
  for (std::size_t i = 0; i < checks.size(); ++i) {
    const RuleCheck& c = checks[i];
    const std::string name = op_name(c);
    const std::string where = "check " + prefix + std::to_string(i + 1) + (name.empty() ? "" : " (" + name + ")");
    if (c.op == RuleOp::kUnknown && trim(c.unknown_op).empty()) {
      out.errors.push_back(where + ": missing op");
      continue;
    }
    if (c.op == RuleOp::kUnknown) {
      out.warnings.push_back(where + ": unknown op '" + name + "'; it is ignored and always passes");
      continue;
    }
    if (is_group(c.op)) {
      if (c.children.empty()) out.errors.push_back(where + ": a group needs at least one check in `children`");
      validate_into(c.children, prefix + std::to_string(i + 1) + ".", out);
      continue;
    }
    if (!c.children.empty()) out.warnings.push_back(where + ": `children` are ignored on a non-group op");
    if ((needs_text_arg(c.op) || c.op == RuleOp::kMaxToolCalls) && trim(c.arg).empty()) {
      out.errors.push_back(where + ": missing arg");
      continue;
    }
    if (is_trajectory_op(c.op)) {
      validate_trajectory(c, where, out);
    } else if (c.op == RuleOp::kRegex || c.op == RuleOp::kNotRegex) {
      std::string err;
      if (!compile_regex(c.arg, c.case_insensitive, &err))
        out.errors.push_back(where + ": the pattern " + pat(c.arg) + " does not compile: " + err);
    } else if (is_bound_op(c.op)) {
      const auto b = parse_bound(c.arg);
      if (!b) {
        out.errors.push_back(where + ": the bound must be a non-negative integer, got " + q(c.arg));
      } else if (*b == 0 && !is_max_op(c.op)) {
        out.warnings.push_back(where + ": a minimum of 0 always passes");
      }
    } else if (c.op == RuleOp::kJsonValid) {
      const std::string k = lower(trim(c.arg));
      if (!k.empty() && k != "any" && k != "object" && k != "array")
        out.errors.push_back(where + ": arg must be empty, \"object\" or \"array\", got " + q(c.arg));
    } else if (c.op == RuleOp::kJsonFieldEquals) {
      if (!c.arg.empty() && c.arg[0] != '/')
        out.errors.push_back(where + ": arg must be a JSON pointer such as \"/status\", got " + q(c.arg));
      else if (!rapidjson::Pointer(c.arg.c_str(), c.arg.size()).IsValid())
        out.errors.push_back(where + ": " + q(c.arg) + " is not a valid JSON pointer");
      if (c.arg2.empty()) {
        out.errors.push_back(where + ": missing arg2 (the expected value, as JSON text)");
      } else {
        rapidjson::Document d;
        if (skillpipe::detail::parse_json(d, c.arg2))
          out.warnings.push_back(where + ": arg2 " + q(c.arg2) + " is not JSON; it is compared as a plain string");
      }
    }
  }
}

// Bounds that can never both hold.
void check_contradictions(const std::vector<RuleCheck>& checks, SpecReport& out) {
  auto bound = [&](RuleOp op) -> std::optional<long long> {
    std::optional<long long> b;
    for (const auto& c : checks)
      if (c.op == op)
        if (auto v = parse_bound(c.arg)) b = b ? (is_max_op(op) ? std::min(*b, *v) : std::max(*b, *v)) : *v;
    return b;
  };
  for (auto [mn, mx, unit] : {std::tuple{RuleOp::kMinChars, RuleOp::kMaxChars, "characters"},
                              std::tuple{RuleOp::kMinWords, RuleOp::kMaxWords, "words"}}) {
    const auto lo = bound(mn), hi = bound(mx);
    if (lo && hi && *lo > *hi)
      out.warnings.push_back(std::string("the checks can never all pass: at least ") + std::to_string(*lo) + " and at most " +
                             std::to_string(*hi) + " " + unit);
  }
}

}  // namespace

bool is_known_op(std::string_view op) { return parse_rule_op(op).has_value(); }

bool needs_trajectory(const RuleCheck& c) {
  if (is_trajectory_op(c.op)) return true;
  return std::any_of(c.children.begin(), c.children.end(), [](const RuleCheck& x) { return needs_trajectory(x); });
}

bool is_shape_check(const RuleCheck& c) {
  if (is_group(c.op))
    return !c.children.empty() && std::all_of(c.children.begin(), c.children.end(), [](const RuleCheck& x) { return is_shape_check(x); });
  return c.op == RuleOp::kSectionPresent || c.op == RuleOp::kSectionContains || is_bound_op(c.op) ||
         c.op == RuleOp::kJsonValid;
}

std::optional<long long> parse_bound(std::string_view arg) {
  const std::string s = trim(arg);
  if (s.empty()) return std::nullopt;
  std::size_t i = 0;
  long long v = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
    if (v > 100'000'000'000LL) return std::nullopt;
    v = v * 10 + (s[i] - '0');
    ++i;
  }
  if (i == 0) return std::nullopt;
  if (i < s.size()) {  // "280.0" is an integer; "280.5" is not
    if (s[i] != '.' || i + 1 == s.size()) return std::nullopt;
    for (std::size_t j = i + 1; j < s.size(); ++j)
      if (s[j] != '0') return std::nullopt;
  }
  return v;
}

SpecReport validate_checks(const std::vector<RuleCheck>& checks) {
  SpecReport out;
  validate_into(checks, "", out);
  check_contradictions(checks, out);
  if (!checks.empty() && out.errors.empty() &&
      std::all_of(checks.begin(), checks.end(), [](const RuleCheck& c) { return is_shape_check(c); }))
    out.warnings.push_back(
        "the judge checks only the shape of the response (length, sections, JSON); an answer can pass without doing the task");
  return out;
}

}  // namespace skillpipe::rules
