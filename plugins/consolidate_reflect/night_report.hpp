// night_report.hpp - turning each group's epoch into proposals (one per live target the
// accepted lesson is emitted to) and into the consolidator's part of the night report.
#pragma once

#include <string>
#include <vector>

#include "epoch.hpp"
#include "fanout.hpp"
#include "skillpipe/records.hpp"

namespace skillpipe::consolidate_reflect {

struct GroupOutcome {
  Group group;
  DocFile skill;  // the gated documents as read at the start
  DocFile memory;
  EpochResult result;
};

// Proposals for an accepted (status "accepted") or unverified (status "unverified") group:
// the gated documents, and for the managed group the same accepted edits replayed onto
// every other configured target's own live text (skipped, with a note, where they do not
// apply cleanly).
std::vector<Proposal> build_proposals(const GroupOutcome& g, const Settings& s, const std::string& project,
                                      std::vector<std::string>& notes);

// Folds the groups into one report: the first group gives the headline scores and gate
// action; the others add their edits, notes and metrics (an accepted per-skill proposal
// makes the night's action accept).
NightReport build_report(const std::vector<GroupOutcome>& groups, const Settings& s);

}  // namespace skillpipe::consolidate_reflect
