// rule_validate.cpp - checking a rule-check list before it is used (rule_checks.hpp).
#include <rapidjson/document.h>
#include <rapidjson/pointer.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <tuple>

#include "regex_engine.hpp"
#include "rule_checks.hpp"
#include "rule_ops.hpp"

namespace skillpipe::rules {
namespace {

using namespace detail;

constexpr std::array<std::string_view, 19> kOps = {
    "contains",    "not_contains", "regex",     "not_regex", "no_refusal",    "tool_called",      "section_present",
    "section_contains", "max_chars", "min_chars", "max_words", "min_words",   "starts_with",      "ends_with",
    "json_valid",  "json_field_equals", "any_of", "all_of",   "none_of"};

void validate_into(const std::vector<RuleCheck>& checks, const std::string& prefix, SpecReport& out) {
  for (std::size_t i = 0; i < checks.size(); ++i) {
    const RuleCheck& c = checks[i];
    const std::string where = "check " + prefix + std::to_string(i + 1) + (c.op.empty() ? "" : " (" + c.op + ")");
    if (trim(c.op).empty()) {
      out.errors.push_back(where + ": missing op");
      continue;
    }
    if (!is_known_op(c.op)) {
      out.warnings.push_back(where + ": unknown op '" + c.op + "'; it is ignored and always passes");
      continue;
    }
    if (is_group(c.op)) {
      if (c.children.empty()) out.errors.push_back(where + ": a group needs at least one check in `children`");
      validate_into(c.children, prefix + std::to_string(i + 1) + ".", out);
      continue;
    }
    if (!c.children.empty()) out.warnings.push_back(where + ": `children` are ignored on a non-group op");
    if (needs_text_arg(c.op) && trim(c.arg).empty()) {
      out.errors.push_back(where + ": missing arg");
      continue;
    }
    if (c.op == "regex" || c.op == "not_regex") {
      std::string err;
      if (!compile_regex(c.arg, c.case_insensitive, &err))
        out.errors.push_back(where + ": the pattern " + pat(c.arg) + " does not compile: " + err);
    } else if (is_bound_op(c.op)) {
      const auto b = parse_bound(c.arg);
      if (!b) {
        out.errors.push_back(where + ": the bound must be a non-negative integer, got " + q(c.arg));
      } else if (*b == 0 && c.op[1] == 'i') {
        out.warnings.push_back(where + ": a minimum of 0 always passes");
      }
    } else if (c.op == "json_valid") {
      const std::string k = lower(trim(c.arg));
      if (!k.empty() && k != "any" && k != "object" && k != "array")
        out.errors.push_back(where + ": arg must be empty, \"object\" or \"array\", got " + q(c.arg));
    } else if (c.op == "json_field_equals") {
      if (!c.arg.empty() && c.arg[0] != '/')
        out.errors.push_back(where + ": arg must be a JSON pointer such as \"/status\", got " + q(c.arg));
      else if (!rapidjson::Pointer(c.arg.c_str(), c.arg.size()).IsValid())
        out.errors.push_back(where + ": " + q(c.arg) + " is not a valid JSON pointer");
      if (c.arg2.empty()) {
        out.errors.push_back(where + ": missing arg2 (the expected value, as JSON text)");
      } else {
        rapidjson::Document d;
        d.Parse(c.arg2.data(), c.arg2.size());
        if (d.HasParseError())
          out.warnings.push_back(where + ": arg2 " + q(c.arg2) + " is not JSON; it is compared as a plain string");
      }
    }
  }
}

// Bounds that can never both hold.
void check_contradictions(const std::vector<RuleCheck>& checks, SpecReport& out) {
  auto bound = [&](const char* op) -> std::optional<long long> {
    std::optional<long long> b;
    for (const auto& c : checks)
      if (c.op == op)
        if (auto v = parse_bound(c.arg)) b = b ? (op[1] == 'a' ? std::min(*b, *v) : std::max(*b, *v)) : *v;
    return b;
  };
  for (auto [mn, mx, unit] : {std::tuple{"min_chars", "max_chars", "characters"}, std::tuple{"min_words", "max_words", "words"}}) {
    const auto lo = bound(mn), hi = bound(mx);
    if (lo && hi && *lo > *hi)
      out.warnings.push_back(std::string("the checks can never all pass: at least ") + std::to_string(*lo) + " and at most " +
                             std::to_string(*hi) + " " + unit);
  }
}

}  // namespace

bool is_known_op(std::string_view op) { return std::find(kOps.begin(), kOps.end(), op) != kOps.end(); }

bool is_shape_check(const RuleCheck& c) {
  if (is_group(c.op))
    return !c.children.empty() && std::all_of(c.children.begin(), c.children.end(), [](const RuleCheck& x) { return is_shape_check(x); });
  return c.op == "section_present" || c.op == "section_contains" || is_bound_op(c.op) || c.op == "json_valid";
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
