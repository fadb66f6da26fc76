// heuristic_miner.cpp - one task per session, no model call (heuristic_miner.hpp).
#include "heuristic_miner.hpp"

#include "agentic_checks.hpp"

#include <algorithm>
#include <set>

#include "skillpipe/kit/session_judge.hpp"
#include "skillpipe/kit/similarity.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::mine_tasks {

std::string heuristic_task_id(const std::string& project, const std::string& intent) {
  return "task_" + sha256_hex(project + "::" + intent).substr(0, 12);
}

Outcome outcome_from_feedback(const SessionDigest& d) {
  // A session the success judge calls failed (aborted, an API error, a failed command the
  // answer admits) is never a success, whatever the feedback.
  if (judge_session(d).outcome == Outcome::kFail) return Outcome::kFail;
  bool pos = false, neg = false;
  for (const auto& s : d.feedback_signals) {
    pos |= s.polarity == "positive";
    neg |= s.polarity == "negative";
  }
  if (neg) return Outcome::kFail;
  if (pos) return Outcome::kSuccess;
  const int turns = std::max<int>(d.n_user_turns, static_cast<int>(d.user_prompts.size()));
  return turns >= 3 ? Outcome::kMixed : Outcome::kUnknown;
}

void stamp_session_facts(const SessionDigest& d, TaskRecord& t) {
  t.project = d.project;
  t.source_sessions = {d.session_id};
  t.start = {d.git_commit, d.git_branch, d.started_at};  // where an agentic replay checks the project out
  if (!d.tools.empty()) {
    std::string tools;
    for (std::size_t i = 0; i < d.tools.size() && i < 4; ++i) tools += (i ? "+" : "") + d.tools[i].name;
    t.tags.push_back("tools:" + tools);
  }
  if (!d.git_branch.empty()) t.tags.push_back("branch:" + d.git_branch);
  if (!d.source.empty()) t.tags.push_back("source:" + d.source);
  const std::set<std::string> skills(d.skills_used.begin(), d.skills_used.end());
  if (skills.size() == 1) t.skill_hint = *skills.begin();
  t.attrs["first_seen"] = d.started_at;
  t.attrs["last_seen"] = d.ended_at.empty() ? d.started_at : d.ended_at;
}

namespace {

// Intent tokens of prompt `i` that are not praise: "great job, thank you" has none.
int content_tokens(const SessionDigest& d, std::size_t i, const std::string& p) {
  std::vector<std::string> rest = intent_tokens(p);
  for (const auto& s : d.feedback_signals) {
    if (s.turn != static_cast<int>(i) || s.polarity != "positive") continue;
    for (const auto& w : intent_tokens(s.phrase))
      if (auto it = std::find(rest.begin(), rest.end(), w); it != rest.end()) rest.erase(it);
  }
  return static_cast<int>(rest.size());
}

}  // namespace

std::optional<TaskRecord> heuristic_task(const SessionDigest& d, const MinerOptions& o) {
  const int first = first_substantive_prompt(d, o.min_intent_tokens);
  if (first < 0) return std::nullopt;
  const std::string intent = truncate_utf8(trim(d.user_prompts[static_cast<std::size_t>(first)]), o.intent_chars);
  if (intent.size() < 8) return std::nullopt;  // "fix it" is not a task anyone can replay

  TaskRecord t;
  t.id = heuristic_task_id(d.project, intent);
  t.intent = intent;
  t.outcome = outcome_from_feedback(d);
  t.reference_kind = ReferenceKind::kNone;
  stamp_session_facts(d, t);
  t.attrs["mined_by"] = "heuristic";

  // Follow-ups that state something (not "thanks!", "great job, thank you" or "go on")
  // constrain the task.
  std::string ctx;
  int kept = 0;
  for (std::size_t i = static_cast<std::size_t>(first) + 1; i < d.user_prompts.size() && kept < 3; ++i) {
    const std::string p = trim(d.user_prompts[i]);
    if (p.empty() || p[0] == '/' || content_tokens(d, i, p) < o.min_intent_tokens) continue;
    ctx += "\n- " + truncate_utf8(p, 200);
    ++kept;
  }
  if (!ctx.empty())
    t.context_excerpt = truncate_utf8("Follow-up constraints from the same session:" + ctx, o.context_chars);
  if (!d.assistant_finals.empty()) t.attempted_solution = truncate_utf8(trim(d.assistant_finals.back()), o.solution_chars);
  if (o.agentic_checks) add_agentic_checks(d, t, o);
  return t;
}

}  // namespace skillpipe::mine_tasks
