// rule_ops.hpp - small helpers the rule-check evaluator and validator share (internal).
#pragma once

#include <string>
#include <string_view>

#include "skillpipe/util.hpp"

namespace skillpipe::rules::detail {

inline bool is_group(std::string_view op) { return op == "any_of" || op == "all_of" || op == "none_of"; }
inline bool is_bound_op(std::string_view op) {
  return op == "max_chars" || op == "min_chars" || op == "max_words" || op == "min_words";
}
inline bool needs_text_arg(std::string_view op) {
  return op == "contains" || op == "not_contains" || op == "regex" || op == "not_regex" || op == "tool_called" ||
         op == "section_present" || op == "section_contains" || op == "starts_with" || op == "ends_with";
}

// Quotes a check argument for a criterion, cut so a pathological arg stays readable.
inline std::string q(std::string_view s) { return "\"" + truncate_utf8(s, 120) + "\""; }
inline std::string pat(std::string_view s) { return "/" + truncate_utf8(s, 120) + "/"; }

inline std::string lower(std::string_view s) { return to_lower_ascii(s); }

}  // namespace skillpipe::rules::detail
