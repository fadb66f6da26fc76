// Prompt-injection phrasing in a drafted skill.
//
// A skill is read as instructions, so phrasing that tries to override the agent's rules,
// hide actions from the user or pull out secrets has no place in one. Each pattern joins
// its words with S = "any run of non-letters, possibly empty", so the same pattern matches
// "ignore previous instructions", "ignore-previous_instructions" and, on the letters-only
// form of the line, "i g n o r e  p r e v i o u s  i n s t r u c t i o n s".
#include <regex>
#include <string>

#include "safety_internal.hpp"

namespace skillpipe::safety_detail {
namespace {

struct InjectionRule {
  const char* rule;
  const char* severity;
  std::regex re;
  std::vector<std::string> hints;  // one of these must occur (letters only) before the regex runs
};

std::vector<std::string> hints_of(const std::string& rule);

std::string expand(std::string pattern) {
  std::string out;
  for (char c : pattern) {
    if (c == '~')
      out += "[^a-z0-9]*";
    else
      out += c;
  }
  return out;
}

const std::vector<InjectionRule>& rules() {
  static const std::vector<InjectionRule> kRules = [] {
    const char* qual =
        "(previous|prior|above|earlier|preceding|former|original|initial|system|developer|safety|"
        "existing|old)";
    const char* obj =
        "(instructions?|prompts?|rules|directions|guidelines|guardrails|constraints|context|"
        "messages|commands|polic(y|ies)|restrictions)";
    std::vector<std::pair<const char*, std::string>> defs = {
        {"ignore_previous_instructions",
         std::string("(ignore|disregard|forget|override|overrule|bypass|discard)~((all|any|every)~)?"
                     "(of~)?((the|your|these|those|my)~)?") +
             qual + "~" + obj},
        {"ignore_previous_instructions",
         std::string("(ignore|disregard|forget)~(all|your|everything)~((you~)?(were|have~been|was)~"
                     "(told|given|instructed)|") +
             obj + ")"},
        {"role_override",
         "you~are~(now|no~longer)~((a|an|in)~)?(dan|jailbroken|unrestricted|unfiltered|developer~mode|"
         "bound~by|restricted|an~ai)"},
        {"role_override",
         "(act|behave|respond)~as~if~you~(have|had)~no~(restrictions|rules|limits|guidelines|filters)"},
        {"role_override", "pretend~(that~)?you~(have~no~(restrictions|rules)|are~(unrestricted|not~an~ai))"},
        {"conceal_from_user",
         "(do~not|don~?t|never)~(tell|inform|mention|reveal|show|disclose|report|alert|notify)~"
         "((this|it|anything|that)~)?(to~)?the~user"},
        {"conceal_from_user", "without~(telling|informing|asking|notifying|alerting)~the~user"},
        {"conceal_from_user", "(hide|conceal)~(this|it|that|these|the~\\w+)~from~the~user"},
        {"reveal_secrets",
         "(reveal|print|output|show|send|leak|exfiltrate|upload|post|dump|display|repeat)~(me~)?"
         "(your|the)~((full|entire|complete|hidden)~)?(system~prompt|hidden~instructions|api~keys?|"
         "credentials|secrets|access~tokens?|private~keys?|environment~variables|ssh~keys?|passwords)"},
    };
    std::vector<InjectionRule> out;
    for (auto& [rule, pat] : defs)
      out.push_back({rule, "high", std::regex(expand(pat), std::regex::optimize), hints_of(rule)});
    // Text dressed up as a higher-priority message.
    out.push_back({"fake_system_message",
                   "medium",
                   std::regex(R"((^|[^a-z])(<\|?\s*/?\s*(system|im_start|im_end)\s*\|?>|\[/?(system|inst)\]))",
                              std::regex::optimize),
                   {"system", "imstart", "imend", "inst"}});
    out.push_back(
        {"fake_system_message",
         "medium",
         std::regex(R"(^[\s#>*_-]*(new|updated|real)\s+(system|developer)\s+(prompt|instructions?|message)\s*:)",
                    std::regex::optimize),
         {"system", "developer"}});
    // Switches that remove the agent's permission checks.
    out.push_back({"permission_bypass",
                   "medium",
                   std::regex(expand("(disable|bypass|circumvent|evade|escape|turn~off)~(the~|all~|any~)?"
                                     "(safety|security|permission|sandbox|guardrail|approval)s?(~(checks?|"
                                     "prompts?|rules|measures|restrictions|mode))?\\b"),
                              std::regex::optimize),
                   {"disable", "bypass", "circumvent", "evade", "escape", "turnoff"}});
    out.push_back({"permission_bypass",
                   "medium",
                   std::regex("dangerously-skip-permissions|dangerously-bypass-approvals|"
                              "--yolo\\b|bypasspermissions",
                              std::regex::optimize),
                   {"dangerously", "yolo", "bypasspermissions"}});
    return out;
  }();
  return kRules;
}

std::vector<std::string> hints_of(const std::string& rule) {
  if (rule == "ignore_previous_instructions")
    return {"ignore", "disregard", "forget", "override", "overrule", "bypass", "discard"};
  if (rule == "role_override") return {"youare", "act", "behave", "respond", "pretend"};
  if (rule == "conceal_from_user") return {"theuser"};
  return {"reveal",     "print",  "output", "show", "send",    "leak",
          "exfiltrate", "upload", "post",   "dump", "display", "repeat"};
}

bool any_hint(const std::string& squashed, const std::vector<std::string>& hints) {
  for (const auto& h : hints)
    if (squashed.find(h) != std::string::npos) return true;
  return false;
}

std::string letters_only(const std::string& s) {
  std::string out;
  for (char c : s)
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out += c;
  return out;
}

}  // namespace

void scan_injection(const std::vector<Line>& lines, Findings& out) {
  for (std::size_t k = 0; k < lines.size(); ++k) {
    const Line& l = lines[k];
    // The letters-only form, alone and joined with the next line (a phrase wrapped across
    // lines is reported on its first line).
    const std::string squashed = letters_only(l.norm);
    const std::string next = k + 1 < lines.size() ? letters_only(lines[k + 1].norm) : std::string();
    const std::string pair = next.empty() ? squashed : squashed + next;
    for (const auto& r : rules()) {
      if (!any_hint(pair, r.hints)) continue;  // most lines: no trigger word, no regex
      const bool spaced = std::regex_search(l.norm, r.re);
      // Squashed text has no word boundaries; only the phrase rules are meaningful there.
      bool squashed_hit = false;
      if (!spaced && std::string_view(r.rule) != "fake_system_message") {
        squashed_hit = std::regex_search(squashed, r.re) ||
                       (!next.empty() && std::regex_search(pair, r.re) && !std::regex_search(next, r.re));
      }
      if (spaced || squashed_hit) add_finding(out, "prompt_injection", r.rule, r.severity, l.raw, l.number);
    }
  }
}

}  // namespace skillpipe::safety_detail
