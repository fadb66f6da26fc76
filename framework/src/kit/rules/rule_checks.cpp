// rule_checks.cpp - evaluating rule checks and scoring a response (kit/rules.hpp); the
// words a check is described in are in rule_describe.cpp.
#include "skillpipe/kit/rules.hpp"

#include <rapidjson/document.h>
#include <rapidjson/pointer.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <tuple>

#include "rule_ops.hpp"
#include "skillpipe/kit/regex.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe_internal/json_parse.hpp"

namespace skillpipe::rules {
namespace {

using namespace detail;

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::size_t word_count(std::string_view s) {
  std::size_t n = 0;
  bool in = false;
  for (unsigned char c : s) {
    const bool space = std::isspace(c) != 0;
    if (!space && !in) ++n;
    in = !space;
  }
  return n;
}

bool contains_ci(std::string_view hay_lower, std::string_view needle) {
  return hay_lower.find(lower(needle)) != std::string_view::npos;
}

// The response with what each op needs computed at most once.
struct Subject {
  std::string_view text;
  const std::vector<std::string>& tools;
  const Trajectory* trajectory = nullptr;  // set for an agentic replay
  std::string lowered;
  std::string trimmed;
  bool json_done = false;
  std::unique_ptr<rapidjson::Document> json;  // null when the text is not JSON
  std::string json_error;

  Subject(std::string_view t, const std::vector<std::string>& tl)
      : text(t), tools(tl), lowered(lower(t)), trimmed(trim(t)) {}

  const rapidjson::Document* parsed() {
    if (!json_done) {
      json_done = true;
      auto doc = std::make_unique<rapidjson::Document>();
      if (const auto err = skillpipe::detail::parse_json(*doc, trimmed)) {
        json_error = "the answer is not JSON: " + err.message();
      } else {
        json = std::move(doc);
      }
    }
    return json.get();
  }
};

using Result = CheckResult;

bool starts_with_refusal(std::string_view trimmed) {
  static constexpr std::array<std::string_view, 17> kRefusals = {
      "cannot complete", "i cannot",        "i can't",          "i'm unable",        "i am unable",
      "unable to complete", "sorry, i can't", "sorry, i cannot",  "no can do",         "i won't",
      "i will not",      "i'm not able to", "i am not able to", "i'm sorry, but i can",
      "sorry, but i can", "i apologize, but i can", "as an ai, i can"};
  std::string_view s = trimmed;
  while (!s.empty() && std::string_view("#*>-_`~ \t\r\n").find(s.front()) != std::string_view::npos) s.remove_prefix(1);
  std::string head = lower(truncate_utf8(s, 160));
  // Curly apostrophes ("I can’t") are common in model output.
  for (std::size_t p; (p = head.find("\xE2\x80\x99")) != std::string::npos;) head.replace(p, 3, "'");
  return std::any_of(kRefusals.begin(), kRefusals.end(), [&](std::string_view r) { return head.rfind(r, 0) == 0; });
}

bool json_equal(const rapidjson::Value& a, const rapidjson::Value& b, bool icase) {
  if (a.IsNumber() && b.IsNumber()) return a.GetDouble() == b.GetDouble();
  if (a.GetType() != b.GetType()) return false;
  if (a.IsString()) {
    std::string_view x(a.GetString(), a.GetStringLength()), y(b.GetString(), b.GetStringLength());
    return icase ? lower(x) == lower(y) : x == y;
  }
  if (a.IsArray()) {
    if (a.Size() != b.Size()) return false;
    for (rapidjson::SizeType i = 0; i < a.Size(); ++i)
      if (!json_equal(a[i], b[i], icase)) return false;
    return true;
  }
  if (a.IsObject()) {
    if (a.MemberCount() != b.MemberCount()) return false;
    for (auto it = a.MemberBegin(); it != a.MemberEnd(); ++it) {
      auto other = b.FindMember(it->name);
      if (other == b.MemberEnd() || !json_equal(it->value, other->value, icase)) return false;
    }
    return true;
  }
  return a == b;  // null, true, false
}

Result evaluate(const RuleCheck& c, Subject& s);

Result eval_group(const RuleCheck& c, Subject& s) {
  int passed = 0;
  std::string details;
  for (const auto& child : c.children) {
    const Result r = evaluate(child, s);
    passed += r.passed;
    if (!r.detail.empty()) details += (details.empty() ? "" : "; ") + r.detail;
  }
  const int n = static_cast<int>(c.children.size());
  if (n == 0) return {false, "empty group"};
  if (c.op == RuleOp::kAnyOf) return {passed > 0, passed > 0 ? "" : "none held (" + details + ")"};
  if (c.op == RuleOp::kAllOf)
    return {passed == n, passed == n ? "" : std::to_string(n - passed) + " of " + std::to_string(n) + " failed (" + details + ")"};
  return {passed == 0, passed == 0 ? "" : std::to_string(passed) + " of " + std::to_string(n) + " held"};  // none_of
}

Result eval_regex(const RuleCheck& c, Subject& s) {
  std::string err;
  auto re = compile_regex(c.arg, c.case_insensitive, &err);
  if (!re) return {false, "invalid regex (" + err + ")"};
  const bool m = re->search(s.text, &err);
  if (!err.empty()) return {false, "regex could not be evaluated (" + err + ")"};
  const bool ok = c.op == RuleOp::kRegex ? m : !m;
  return {ok, ok ? "" : (m ? "matched" : "no match")};
}

Result eval_tool_called(const RuleCheck& c, Subject& s) {
  const std::string want = lower(trim(c.arg));
  for (const auto& t : s.tools)
    if (lower(t) == want) return {true, {}};
  std::string err;
  auto re = compile_regex("\\btool_call\\s*:\\s*" + regex_escape(trim(c.arg)) + "\\b", true, &err);
  if (re && re->search(s.text, &err)) return {true, {}};
  std::string called;
  for (const auto& t : s.tools) called += (called.empty() ? "" : ", ") + t;
  return {false, called.empty() ? "no tool was called" : "tools called: " + called};
}

Result eval_bound(const RuleCheck& c, Subject& s) {
  const auto bound = parse_bound(c.arg);
  if (!bound) return {false, "invalid check: " + op_name(c) + " needs a non-negative integer, got " + q(c.arg)};
  const bool chars = c.op == RuleOp::kMaxChars || c.op == RuleOp::kMinChars;
  const long long n = static_cast<long long>(chars ? code_points(s.text) : word_count(s.text));
  const bool ok = is_max_op(c.op) ? n <= *bound : n >= *bound;
  return {ok, ok ? "" : "it has " + std::to_string(n) + (chars ? " characters" : " words")};
}

Result eval_edge(const RuleCheck& c, Subject& s) {
  const bool start = c.op == RuleOp::kStartsWith;
  const std::string text = c.case_insensitive ? lower(s.trimmed) : s.trimmed;
  const std::string want = c.case_insensitive ? lower(c.arg) : c.arg;
  const bool ok = start ? starts_with(text, want) : ends_with(text, want);
  return {ok, ok ? "" : "it " + std::string(start ? "starts" : "ends") + " with " +
                            q(start ? truncate_utf8(s.trimmed, 40)
                                    : s.trimmed.substr(s.trimmed.size() - std::min<std::size_t>(40, s.trimmed.size())))};
}

Result eval_json_valid(const RuleCheck& c, Subject& s) {
  const auto* doc = s.parsed();
  if (!doc) return {false, s.json_error};
  const std::string want = lower(trim(c.arg));
  if (want == "object" && !doc->IsObject()) return {false, "valid JSON, but not an object"};
  if (want == "array" && !doc->IsArray()) return {false, "valid JSON, but not an array"};
  return {true, {}};
}

Result eval_json_field(const RuleCheck& c, Subject& s) {
  const auto* doc = s.parsed();
  if (!doc) return {false, s.json_error};
  rapidjson::Pointer ptr(c.arg.c_str(), c.arg.size());
  if (!ptr.IsValid()) return {false, "invalid check: " + q(c.arg) + " is not a JSON pointer"};
  const rapidjson::Value* got = ptr.Get(*doc);
  if (!got) return {false, "the field " + c.arg + " is missing"};
  rapidjson::Document want;
  const bool want_json = !skillpipe::detail::parse_json(want, c.arg2);
  bool ok = want_json && json_equal(*got, want, c.case_insensitive);
  if (!ok && got->IsString()) {  // arg2 written without JSON quotes: compare the raw text
    std::string_view g(got->GetString(), got->GetStringLength());
    ok = c.case_insensitive ? lower(g) == lower(c.arg2) : g == c.arg2;
  }
  if (ok) return {true, {}};
  std::string shown = got->IsString() ? q(std::string_view(got->GetString(), got->GetStringLength()))
                      : got->IsNumber() ? std::to_string(got->GetDouble())
                      : got->IsBool()   ? (got->GetBool() ? "true" : "false")
                      : got->IsNull()   ? "null"
                                        : "a structure";
  return {false, "it is " + shown};
}

Result evaluate(const RuleCheck& c, Subject& s) {
  if (is_group(c.op)) return eval_group(c, s);
  if (needs_text_arg(c.op) && trim(c.arg).empty()) return {false, "invalid check: " + op_name(c) + " needs an arg"};
  // A trajectory check never passes on the answer alone: a chat replay did nothing to check.
  if (is_trajectory_op(c.op)) {
    if (!s.trajectory) return {false, op_name(c) + " needs a trajectory (an agentic replay, backend_agent)"};
    return eval_trajectory(c, *s.trajectory);
  }
  switch (c.op) {
    case RuleOp::kContains: {
      const bool ok = contains_ci(s.lowered, c.arg);
      return {ok, ok ? "" : "not found"};
    }
    case RuleOp::kNotContains: {
      const bool ok = !contains_ci(s.lowered, c.arg);
      return {ok, ok ? "" : "found"};
    }
    case RuleOp::kRegex:
    case RuleOp::kNotRegex: return eval_regex(c, s);
    case RuleOp::kNoRefusal:
      if (s.trimmed.empty()) return {false, "the response is empty"};
      if (starts_with_refusal(s.trimmed) && code_points(s.trimmed) < 600) return {false, "the response is a refusal"};
      return {true, {}};
    case RuleOp::kToolCalled: return eval_tool_called(c, s);
    case RuleOp::kSectionPresent: {
      const bool ok = section_present(s.text, c.arg);
      return {ok, ok ? "" : "no such section"};
    }
    case RuleOp::kSectionContains: return section_contains(s.text, c.arg, c.arg2);
    case RuleOp::kMaxChars:
    case RuleOp::kMinChars:
    case RuleOp::kMaxWords:
    case RuleOp::kMinWords: return eval_bound(c, s);
    case RuleOp::kStartsWith:
    case RuleOp::kEndsWith: return eval_edge(c, s);
    case RuleOp::kJsonValid: return eval_json_valid(c, s);
    case RuleOp::kJsonFieldEquals: return eval_json_field(c, s);
    default: return {true, "unknown op '" + op_name(c) + "' ignored"};
  }
}

// For a failed group, name what failed rather than the whole group.
std::string failed_criterion(const RuleCheck& c, Subject& s) {
  if (c.op == RuleOp::kAllOf) {
    std::string out;
    for (const auto& child : c.children)
      if (!evaluate(child, s).passed) out += (out.empty() ? "" : "; and ") + failed_criterion(child, s);
    return out.empty() ? describe_check(c, false) : out;
  }
  if (c.op == RuleOp::kNoneOf) {
    std::string out;
    for (const auto& child : c.children)
      if (evaluate(child, s).passed) out += (out.empty() ? "" : "; and ") + describe_check(child, true);
    return out.empty() ? describe_check(c, false) : out;
  }
  return describe_check(c, false);
}

std::string label(const RuleCheck& c) {
  const std::string op = op_name(c);
  if (is_group(c.op)) return op + "[" + std::to_string(c.children.size()) + "]";
  if (c.op == RuleOp::kNoRefusal || (c.op == RuleOp::kJsonValid && c.arg.empty())) return op;
  std::string s = op + "=" + truncate_utf8(c.arg, 60);
  if (!c.arg2.empty()) s += "," + truncate_utf8(c.arg2, 60);
  return s;
}

}  // namespace

RuleScore score_checks(const std::vector<RuleCheck>& checks, std::string_view response,
                       const std::vector<std::string>& tools_called) {
  return score_checks(checks, response, tools_called, nullptr);
}

RuleScore score_checks(const std::vector<RuleCheck>& checks, std::string_view response,
                       const std::vector<std::string>& tools_called, const Trajectory* trajectory) {
  RuleScore out;
  out.total = static_cast<int>(checks.size());
  if (checks.empty()) {
    out.rationale = "no checks";
    return out;
  }
  Subject s(response, tools_called);
  s.trajectory = trajectory;
  std::string failed, notes;
  for (const auto& c : checks) {
    const Result r = evaluate(c, s);
    if (r.passed) {
      ++out.passed;
      if (!r.detail.empty()) notes += (notes.empty() ? "" : "; ") + r.detail;
      continue;
    }
    const std::string crit = failed_criterion(c, s);
    if (std::find(out.failed_criteria.begin(), out.failed_criteria.end(), crit) == out.failed_criteria.end())
      out.failed_criteria.push_back(crit);
    failed += (failed.empty() ? "" : ", ") + label(c) + (r.detail.empty() ? "" : " [" + r.detail + "]");
  }
  out.soft = static_cast<double>(out.passed) / static_cast<double>(out.total);
  out.hard = out.passed == out.total ? 1.0 : 0.0;
  out.rationale = failed.empty() ? "all checks passed (" + std::to_string(out.total) + ")"
                                 : "failed " + std::to_string(out.total - out.passed) + " of " + std::to_string(out.total) +
                                       ": " + failed;
  if (!notes.empty()) out.rationale += " (" + notes + ")";
  return out;
}

}  // namespace skillpipe::rules
