// mock_model.hpp - SkillOpt-Sleep's MockBackend semantics, as pure functions.
//
// Kept free of any I/O so the rules of the deterministic proof experiment can be read (and
// tested) in one place. Source of the semantics: microsoft/SkillOpt @ bdfdc30,
// skillopt_sleep/backend.py MockBackend (MIT), plus skillpipe's `breaks:<key>` extension.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace skillpipe::backend_mock {

// Rule key -> the rule's text (what must appear in skill + memory).
using RuleTexts = std::map<std::string, std::string>;

inline constexpr const char* kHarmfulKey = "__harmful__";
inline constexpr const char* kHarmfulAnswer = "I'll just answer freely and skip the requested format.";
inline constexpr const char* kNoReferenceAnswer = "(attempted, no checkable reference)";

// The keys of a task's `rule:<key>` tags that have a known text, in tag order.
std::vector<std::string> required_rules(const RuleTexts& rules, const std::vector<std::string>& tags);

// The replay answer. A task is solved iff it requires at least one known rule, every
// required rule's text occurs in `documents` (skill + memory), and no `breaks:<key>` rule's
// text occurs there. Solved: "Here is the result. <answer>REF</answer>" for wrap-answer
// tasks, else "REF". Unsolved: "approximately REF-minus-its-last-2-characters (format not
// applied)" ("unknown" for references of 3 characters or fewer). `__harmful__` never solves.
std::string attempt(const RuleTexts& rules, const std::vector<std::string>& tags,
                    const std::string& reference, const std::string& documents);

struct ProposedEdit {
  std::string key;
  std::string content;
};

// Reflection: for the failed tasks' tags (in order), each required rule whose text is not
// already in `documents`, once, at most `edit_budget` of them.
std::vector<ProposedEdit> reflect(const RuleTexts& rules, const std::vector<std::string>& failed_tags,
                                  const std::string& documents, int edit_budget);

// SkillOpt's keyword soft score: the fraction of the reference's distinct words longer
// than 2 characters that occur in the response (after lower-casing and turning
// punctuation into spaces). Used for rubric-judge requests.
double keyword_soft_score(const std::string& reference, const std::string& response);

// Drops the last `n` UTF-8 characters (code points), as Python's s[:-n] does.
std::string drop_last_chars(const std::string& s, std::size_t n);
std::size_t utf8_length(const std::string& s);

}  // namespace skillpipe::backend_mock
