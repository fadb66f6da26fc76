// The offline success judge (session_judge.hpp).
#include "skillpipe/kit/session_judge.hpp"

#include <algorithm>

#include "skillpipe/kit/feedback.hpp"
#include "skillpipe/kit/similarity.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe {

int first_substantive_prompt(const SessionDigest& d, int min_intent_tokens) {
  for (std::size_t i = 0; i < d.user_prompts.size(); ++i) {
    const std::string p = trim(d.user_prompts[i]);
    // Slash commands (/clear, /model) and shell escapes configure the agent; wrapped
    // command output ("<command-name>...") is not the user's words.
    if (p.empty() || p[0] == '/' || p[0] == '!' || p[0] == '<') continue;
    if (static_cast<int>(intent_tokens(p).size()) < min_intent_tokens) continue;
    return static_cast<int>(i);
  }
  return -1;
}

namespace {

// The feedback on the agent's answers: only prompts after the task was stated count ("fix
// the broken build" is a request, not a complaint). A turn with any negative phrase is
// negative ("thanks, but it still fails").
struct FeedbackSummary {
  int last_turn = -1;
  bool last_negative = false, had_negative = false;
  std::string last_phrase;
};

FeedbackSummary summarize_feedback(const SessionDigest& d, int intent_turn) {
  FeedbackSummary f;
  for (const auto& s : d.feedback_signals) {
    if (s.turn <= intent_turn) continue;
    const bool neg = s.polarity == "negative";
    if (s.turn > f.last_turn) {
      f.last_turn = s.turn;
      f.last_negative = neg;
      f.last_phrase = s.phrase;
    } else if (s.turn == f.last_turn && neg && !f.last_negative) {
      f.last_negative = true;
      f.last_phrase = s.phrase;
    }
    f.had_negative = f.had_negative || neg;
  }
  return f;
}

// How the work ended outranks everything the user said before it. True when decided.
bool judge_ending(const SessionOutcome& o, SessionJudgement& j) {
  if (o.aborted) {  // true is never a default
    j.outcome = Outcome::kFail;
    j.reason = "the session was aborted (interrupted or stopped mid-turn)";
    return true;
  }
  if (!o.turn_failed) return false;
  j.outcome = Outcome::kFail;
  j.reason = "the last turn ended in an error" +
             (o.api_errors ? " (" + std::to_string(o.api_errors) + " failed model call" + (o.api_errors == 1 ? ")" : "s)")
                           : std::string());
  return true;
}

// Feedback on the last answer. The praised answer is the one before the praise ("thanks" at
// prompt t is about final t-1), not the agent's reply to the thanks; thanks for an answer that
// says it failed is politeness, not evidence. True when decided.
bool judge_feedback(const SessionDigest& d, const FeedbackSummary& f, SessionJudgement& j) {
  const int last_prompt = static_cast<int>(d.user_prompts.size()) - 1;
  if (f.last_turn >= 0 && f.last_negative && f.last_turn == last_prompt) {
    j.outcome = Outcome::kFail;
    j.reason = "ends with negative feedback \"" + truncate_utf8(f.last_phrase, 60) + "\"";
    return true;
  }
  if (f.last_turn < 0 || f.last_negative) return false;
  const int praised =
      d.assistant_finals.empty() ? -1 : std::min(f.last_turn - 1, static_cast<int>(d.assistant_finals.size()) - 1);
  if (praised >= 0 && !failure_statement(d.assistant_finals[static_cast<std::size_t>(praised)]).empty()) return false;
  if (praised >= 0) j.final_turn = praised;
  j.outcome = Outcome::kSuccess;
  j.corrected = f.had_negative;
  j.reason = "positive feedback \"" + truncate_utf8(f.last_phrase, 60) + "\"" + (f.had_negative ? " after a correction" : "");
  return true;
}

// Tool facts and the answer's own words, when there is no decisive feedback.
void judge_tools(const SessionDigest& d, const FeedbackSummary& f, const SessionJudgeOptions& opt,
                 SessionJudgement& j) {
  const SessionOutcome& o = d.outcome;
  // The answer about the work: the last one, or the one before feedback that ends the session
  // (the agent's reply to "thanks" says nothing about the work).
  int work_final = static_cast<int>(d.assistant_finals.size()) - 1;
  if (f.last_turn >= 1 && f.last_turn == static_cast<int>(d.user_prompts.size()) - 1)
    work_final = std::min(work_final, f.last_turn - 1);
  const std::string said =
      work_final < 0 ? std::string() : failure_statement(d.assistant_finals[static_cast<std::size_t>(work_final)]);
  if (o.observed && !said.empty() && (o.last_tool_failed || o.tool_errors > 0)) {
    j.outcome = Outcome::kFail;
    j.reason = std::string(o.last_tool_failed ? "the last command failed" : std::to_string(o.tool_errors) + " tool error(s)") +
               " and the answer says so (\"" + truncate_utf8(said, 60) + "\")";
  } else if (!o.observed) {  // facts the harvester did not observe are unknown, never zero
    j.reason = f.had_negative ? "negative feedback mid-session, no tool-error count" : "no feedback and no tool-error count";
  } else if (o.tool_errors > opt.max_tool_errors) {
    j.outcome = Outcome::kFail;
    j.reason = std::to_string(o.tool_errors) + " tool errors (more than " + std::to_string(opt.max_tool_errors) + ")";
  } else if (j.final_turn < 0) {
    j.reason = "no final answer";
  } else {
    j.outcome = Outcome::kSuccess;
    j.corrected = f.had_negative;
    j.reason = "ended cleanly with " + std::to_string(o.tool_errors) + " tool error" + (o.tool_errors == 1 ? "" : "s") +
               (f.had_negative ? " after a correction" : "");
  }
}

}  // namespace

SessionJudgement judge_session(const SessionDigest& d, const SessionJudgeOptions& opt) {
  SessionJudgement j;
  j.intent_turn = first_substantive_prompt(d, opt.min_intent_tokens);
  if (j.intent_turn < 0) {
    j.reason = d.user_prompts.empty() && !d.outcome.slash_commands.empty()
                   ? "only local commands ran (" + d.outcome.slash_commands.front() + ")"
                   : "no substantive prompt";
    return j;
  }
  j.intent = trim(d.user_prompts[static_cast<std::size_t>(j.intent_turn)]);
  if (!d.assistant_finals.empty()) j.final_turn = static_cast<int>(d.assistant_finals.size()) - 1;
  const FeedbackSummary f = summarize_feedback(d, j.intent_turn);
  if (judge_ending(d.outcome, j) || judge_feedback(d, f, j)) return j;
  judge_tools(d, f, opt, j);
  return j;
}

}  // namespace skillpipe
