// kit/session_judge.hpp - did a recorded session succeed? The offline success judge.
//
// Used by the offline pattern miner (mine_patterns) and by `skillpipe export-dataset`, so a
// "successful example" means the same thing everywhere. Evidence, strongest first:
//  - the ending (SessionOutcome): an aborted session (interrupted, stopped by max turns, or
//    an unanswered prompt in a settled file) or a last turn that ended in an error (a failed
//    model call: Claude's isApiErrorMessage, Codex's failed task_complete) is a failure,
//    whatever the user said before;
//  - feedback on the last answer: negative is a failure; praise is a success (a "corrected"
//    one when the user complained earlier), unless the praised answer itself says the work
//    failed (then "thanks" is politeness and the next rules decide);
//  - the last command failed (or tools failed) and the final answer says the work failed
//    ("I could not find ...", failure_statement()): a failure;
//  - tool errors: without feedback, a session that ended with a final answer and at most
//    `max_tool_errors` tool errors succeeded, one with more failed.
// Facts a harvester did not observe (SessionOutcome::observed false) are unknown, never
// assumed; a session with no feedback and no tool facts stays unknown and counts neither
// way, and so does one with no task (only slash commands, or no substantive prompt).
#pragma once

#include <string>
#include <string_view>

#include "skillpipe/records.hpp"

namespace skillpipe {

struct SessionJudgeOptions {
  int max_tool_errors = 3;    // more than this, with no praise at the end: a failure
  int min_intent_tokens = 2;  // a prompt with fewer intent tokens is not a task ("ok", "go on")
};

struct SessionJudgement {
  Outcome outcome = Outcome::kUnknown;  // kSuccess, kFail or kUnknown
  std::string reason;                   // for reports: "positive feedback \"thanks\""
  bool corrected = false;               // succeeded after negative feedback
  int intent_turn = -1;                 // the first substantive prompt (-1: none)
  std::string intent;                   // that prompt, trimmed
  int final_turn = -1;                  // index into assistant_finals of the answer that counts:
                                        // the one praised, else the last (-1: none)
};

SessionJudgement judge_session(const SessionDigest& digest, const SessionJudgeOptions& options = {});

// Index of the first prompt that states a task: not a slash command, not a bare
// continuation; -1 when there is none.
int first_substantive_prompt(const SessionDigest& digest, int min_intent_tokens = 2);

}  // namespace skillpipe
