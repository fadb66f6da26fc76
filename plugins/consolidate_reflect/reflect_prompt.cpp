#include "reflect_prompt.hpp"

#include <map>

#include "description_edit.hpp"
#include "skillpipe/kit/redact.hpp"
#include "text_util.hpp"

namespace skillpipe::consolidate_reflect {
namespace {

std::string clip(const std::string& s, int n) { return excerpt(redact_secrets(s), static_cast<std::size_t>(n)); }

// The agent picks a skill by its description; when it picked wrongly on train, the optimizer
// sees where, and that the description is the edit that changes it.
std::string triggering_section(const TriggerExamples& ex, const PromptInput& in) {
  const auto& st = ex.stats;
  std::string s = "Triggering: the agent sees each skill only as its name and frontmatter description, and loads "
                  "the body only when it picks the skill for a task. On the train replays skill " +
                  st.skill + " had " + st.text() + ".\n";
  auto list = [&](const char* head, const std::vector<std::string>& intents) {
    if (intents.empty()) return;
    s += head;
    int shown = 0;
    for (const auto& i : intents) {
      if (shown++ == in.max_failures) break;
      s += "- " + clip(i, in.excerpt_chars) + "\n";
    }
  };
  list("Tasks it is meant for, where the agent did NOT invoke it (low recall):\n", ex.missed);
  list("Tasks of other kinds, where the agent invoked it anyway (low precision):\n", ex.stray);
  s += "When the description is why, propose one set_description edit: content = the complete new description "
       "(one line, at most " +
       std::to_string(kMaxDescriptionChars) +
       " characters) that names the kind of task the skill is for in the words these tasks use, and what it is not "
       "for; never one specific task.\n\n";
  return s;
}

}  // namespace

void add_criteria(std::vector<std::pair<std::string, int>>& into, const std::vector<std::string>& criteria) {
  for (const auto& c : criteria) {
    bool found = false;
    for (auto& [text, n] : into)
      if (text == c) {
        ++n;
        found = true;
        break;
      }
    if (!found) into.emplace_back(c, 1);
  }
}

std::map<std::string, std::string> prompt_values(const PromptInput& in) {
  const auto& ev = in.evidence;
  const int n = in.excerpt_chars;
  std::map<std::string, std::string> v;
  const bool skill = in.target == EditTarget::kSkill;
  v["target"] = skill ? "skill" : "memory";
  v["target_kind"] = skill ? "skill (SKILL.md)" : "project memory (CLAUDE.md / AGENTS.md)";
  v["document"] = in.document.empty() ? "(empty)" : redact_secrets(in.document);
  v["edit_budget"] = std::to_string(in.edit_budget);
  v["max_edit_chars"] = std::to_string(in.max_edit_chars);

  if (!ev.criteria.empty()) {
    std::string s = "Criteria the failed answers did not meet (how the scorer judges them):\n";
    for (const auto& [text, count] : ev.criteria)
      s += "- " + clip(text, n) + " (failed in " + std::to_string(count) + " task" + (count == 1 ? "" : "s") + ")\n";
    v["criteria"] = s + "\n";
  }
  if (!ev.failures.empty()) {
    std::string s = "Failures (what was wanted, what the agent answered, why it was judged wrong):\n";
    int shown = 0;
    for (const auto& f : ev.failures) {
      if (shown == in.max_failures) break;
      ++shown;
      s += std::to_string(shown) + ". wanted: " + clip(f.intent, n) + "\n   got: " + clip(f.response, n) +
           "\n   why: " + (f.why.empty() ? "(no reason given)" : clip(f.why, n)) + "\n";
    }
    if (static_cast<int>(ev.failures.size()) > shown)
      s += "(" + std::to_string(ev.failures.size() - static_cast<std::size_t>(shown)) + " more failures not shown)\n";
    v["failures"] = s + "\n";
  } else {
    v["failures"] = "Failures: none.\n\n";
  }
  if (!ev.successes.empty() && in.max_successes > 0) {
    std::string s = "Successes (keep what makes these work):\n";
    int shown = 0;
    for (const auto& ok : ev.successes) {
      if (shown++ == in.max_successes) break;
      s += "- task: " + clip(ok.intent, n) + "\n  answer: " + clip(ok.response, n) + "\n";
    }
    v["successes"] = s + "\n";
  }
  if (!ev.contrasts.empty()) {
    std::string s = "The same task answered well and badly (make the good behaviour reliable):\n";
    for (const auto& c : ev.contrasts) {
      s += "- task: " + clip(c.intent, n) + "\n  GOOD (score " + format_score(c.good_score) + "): " + clip(c.good, n) +
           "\n  BAD (score " + format_score(c.bad_score) + "): " + clip(c.bad, n) +
           "\n  why bad: " + (c.bad_why.empty() ? "(no reason given)" : clip(c.bad_why, n)) + "\n";
    }
    v["contrast"] = s + "\n";
  }
  if (!in.preferences.empty())
    v["preferences"] = "User preferences (honor these as priors):\n" + redact_secrets(in.preferences) + "\n\n";
  if (!ev.contract.empty())
    v["contract"] =
        "Task output contract (a HARD constraint: never change the output format or language it "
        "requires, never tell the agent to ask the user):\n" +
        clip(ev.contract, 900) + "\n\n";
  if (skill && ev.triggering && ev.triggering->imperfect()) v["triggers"] = triggering_section(*ev.triggering, in);
  if (!in.rejected.empty()) {
    std::string s =
        "Edits rejected on earlier nights because they did not improve the validation score "
        "(do not propose them again):\n";
    for (const auto& r : in.rejected) s += "- " + clip(r, n) + "\n";
    v["rejected"] = s + "\n";
  }
  return v;
}

std::string build_reflect_prompt(const std::string& tmpl, const PromptInput& in) {
  return render_template(tmpl, prompt_values(in));
}

}  // namespace skillpipe::consolidate_reflect
