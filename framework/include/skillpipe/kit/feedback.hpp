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

// Signals for each prompt; FeedbackSignal::turn is the prompt's index.
std::vector<FeedbackSignal> detect_feedback(const std::vector<std::string>& prompts,
                                            const FeedbackLexicon& lexicon);

}  // namespace skillpipe
