// kit/feedback.hpp - feedback signals in user prompts ("thanks, perfect" / "that's wrong").
//
// Negation is handled: "not correct" and "doesn't look good" are negative only, "no problem"
// is not negative. Phrase lists are extensible from a stage's config.
#pragma once

#include <string>
#include <vector>

#include "skillpipe/records.hpp"

namespace skillpipe {

struct FeedbackLexicon {
  std::vector<std::string> positive;
  std::vector<std::string> negative;
  static FeedbackLexicon defaults();
};

// Signals for each prompt; FeedbackSignal::turn is the prompt's index. The first prompt of a
// session answers nothing ("fix whatever fails" is a task, not a complaint): it gets no
// signals unless `first_is_reply` (a digest that continues a session read before).
std::vector<FeedbackSignal> detect_feedback(const std::vector<std::string>& prompts,
                                            const FeedbackLexicon& lexicon, bool first_is_reply = false);

// The phrase in an agent's final answer that says the work failed ("I could not find",
// "unable to", "still failing"), or "" when there is none. Only the answer's lead is read
// (the result comes first); a negator shortly before cancels a phrase ("never failed to"),
// and so does a clause that says it was overcome ("could not ... at first").
std::string failure_statement(std::string_view final_answer);

}  // namespace skillpipe
