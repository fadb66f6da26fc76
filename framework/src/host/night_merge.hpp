// night_merge.hpp - the night's report and proposals, assembled from every consolidator's part.
#pragma once

#include <vector>

#include "skillpipe/records.hpp"

namespace skillpipe::host {

// Folds one consolidator's report into the night's (scores and the gate decision of the
// first consolidator that decided; lists, counts and spending summed).
void merge_report(NightReport& night, const NightReport& part);

// Two consolidators (say consolidate_draft and consolidate_reflect) may propose the same
// document. The store refuses that, and a night that cannot stage would be stuck on every
// resume, so one proposal per document is kept - the best verified one, else the first - and
// the others are reported in the night's notes, never silently dropped.
std::vector<Proposal> one_per_document(std::vector<Proposal> proposals, NightReport& report);

}  // namespace skillpipe::host
