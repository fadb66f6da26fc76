// kit/rejection.hpp - why an edit was not kept, in words, from its typed Edit::rejection. One
// function for the host (report.html) and the store (report.md), so both pages say the same.
#pragma once

#include <string>

#include "skillpipe/abi.hpp"
#include "skillpipe/records.hpp"

namespace skillpipe::kit {

// "the held-out score was not better", ...; "" for RejectionReason::kNone.
SKILLPIPE_VISIBLE const char* rejection_words(RejectionReason reason);

// The words, then the measured detail when there is one: "a held-out task got worse
// (per-task no-regression): candidate 0.61 vs baseline 0.64, ...". "" when the edit carries no
// reason (not rejected, or a record written before Edit schema 3).
SKILLPIPE_VISIBLE std::string rejection_text(const Edit& e);

}  // namespace skillpipe::kit
