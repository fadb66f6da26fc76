// The offline success judge (session_judge.hpp).
#include "skillpipe/kit/session_judge.hpp"

#include <algorithm>

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

SessionJudgement judge_session(const SessionDigest& d, const SessionJudgeOptions& opt) {
  SessionJudgement j;
  j.intent_turn = first_substantive_prompt(d, opt.min_intent_tokens);
  if (j.intent_turn < 0) {
    j.reason = "no substantive prompt";
    return j;
  }
  j.intent = trim(d.user_prompts[static_cast<std::size_t>(j.intent_turn)]);
  if (!d.assistant_finals.empty()) j.final_turn = static_cast<int>(d.assistant_finals.size()) - 1;

  // Feedback on the agent's answers: only prompts after the task was stated count ("fix
  // the broken build" is a request, not a complaint). A turn with any negative phrase is
  // negative ("thanks, but it still fails").
  int last_turn = -1;
  bool last_negative = false, had_negative = false;
  std::string last_phrase;
  for (const auto& s : d.feedback_signals) {
    if (s.turn <= j.intent_turn) continue;
    const bool neg = s.polarity == "negative";
    if (s.turn > last_turn) {
      last_turn = s.turn;
      last_negative = neg;
      last_phrase = s.phrase;
    } else if (s.turn == last_turn && neg && !last_negative) {
      last_negative = true;
      last_phrase = s.phrase;
    }
    had_negative = had_negative || neg;
  }
  const int last_prompt = static_cast<int>(d.user_prompts.size()) - 1;
  // Facts the harvester did not observe are unknown, never zero.
  const SessionOutcome& o = d.outcome;
  const std::optional<int> tool_errors = o.observed ? std::optional<int>(o.tool_errors) : std::nullopt;

  if (o.aborted) {  // true is never a default
    j.outcome = Outcome::kFail;
    j.reason = "the session was aborted";
    return j;
  }
  if (last_turn >= 0 && last_negative && last_turn == last_prompt) {
    j.outcome = Outcome::kFail;
    j.reason = "ends with negative feedback \"" + truncate_utf8(last_phrase, 60) + "\"";
    return j;
  }
  if (last_turn >= 0 && !last_negative) {
    // The praised answer is the one before the praise ("thanks" at prompt t is about final
    // t-1), not the agent's reply to the thanks.
    if (!d.assistant_finals.empty())
      j.final_turn = std::min(last_turn - 1, static_cast<int>(d.assistant_finals.size()) - 1);
    j.outcome = Outcome::kSuccess;
    j.corrected = had_negative;
    j.reason =
        "positive feedback \"" + truncate_utf8(last_phrase, 60) + "\"" + (had_negative ? " after a correction" : "");
    return j;
  }
  if (!tool_errors) {
    j.reason =
        had_negative ? "negative feedback mid-session, no tool-error count" : "no feedback and no tool-error count";
    return j;
  }
  if (*tool_errors > opt.max_tool_errors) {
    j.outcome = Outcome::kFail;
    j.reason = std::to_string(*tool_errors) + " tool errors (more than " + std::to_string(opt.max_tool_errors) + ")";
    return j;
  }
  if (j.final_turn < 0) {
    j.reason = "no final answer";
    return j;
  }
  j.outcome = Outcome::kSuccess;
  j.corrected = had_negative;
  j.reason = "ended cleanly with " + std::to_string(*tool_errors) + " tool error" + (*tool_errors == 1 ? "" : "s") +
             (had_negative ? " after a correction" : "");
  return j;
}

}  // namespace skillpipe
