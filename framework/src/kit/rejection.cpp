#include "skillpipe/kit/rejection.hpp"

namespace skillpipe::kit {

const char* rejection_words(RejectionReason reason) {
  switch (reason) {
    case RejectionReason::kNone: return "";
    case RejectionReason::kUnscoredTasks: return "some held-out tasks could not be scored with it, so it is unverified";
    case RejectionReason::kNothingScored: return "no held-out task could be scored, so nothing was verified";
    case RejectionReason::kNotBetter: return "the held-out score was not better";
    case RejectionReason::kRegression: return "a held-out task got worse (per-task no-regression)";
    case RejectionReason::kBelowMinEffect: return "the held-out gain was below the minimum effect";
    case RejectionReason::kTooFewTasks: return "too few held-out tasks to claim a gain (gate_min_val)";
    case RejectionReason::kNotSignificant: return "the held-out gain was not statistically significant";
    case RejectionReason::kNotNeeded: return "pruned: the other kept edits score as well without it";
    case RejectionReason::kDoesNotApply: return "tried alone, it no longer applied to the document";
    case RejectionReason::kFinalReplay: return "the final confirmation replay did not hold up";
    case RejectionReason::kTriggerRegression:
      return "the skill triggered worse on held-out tasks (lower recall, or invoked where it does not apply)";
  }
  return "";
}

std::string rejection_text(const Edit& e) {
  std::string out = rejection_words(e.rejection);
  if (out.empty()) return out;
  if (!e.rejection_detail.empty()) out += ": " + e.rejection_detail;
  return out;
}

}  // namespace skillpipe::kit
