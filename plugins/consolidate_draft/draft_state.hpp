// draft_state.hpp - which patterns were drafted, when, and with what outcome.
//
// Kept in the store's project state (key "offline/drafts"). It is what stops a quarantined
// draft from being drafted again every night: a pattern is re-drafted only when its
// evidence changed (new or re-judged sessions) - or when the same night is resumed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "skillpipe/fields.hpp"
#include "skillpipe/records.hpp"

namespace skillpipe::consolidate_draft {

struct DraftTarget {
  Target target;
  std::string name;
  std::string live_path;
  std::string sha256;  // of the proposed text
};
SKILLPIPE_FIELDS(DraftTarget) {
  v("target", r.target);
  v("name", r.name);
  v("live_path", r.live_path);
  v("sha256", r.sha256);
}

struct DraftRecord {
  std::string pattern;
  ProposalStatus status = ProposalStatus::kDraft;  // draft | quarantined
  std::string evidence_sig;
  std::string night;
  std::string at;
  std::vector<DraftTarget> targets;
  std::vector<std::string> reasons;
};
SKILLPIPE_FIELDS(DraftRecord) {
  v("pattern", r.pattern);
  v("status", r.status);
  v("evidence_sig", r.evidence_sig);
  v("night", r.night);
  v("at", r.at);
  v("targets", r.targets);
  v("reasons", r.reasons);
}

struct DraftState {
  static constexpr int kSchemaVersion = 1;
  std::vector<DraftRecord> drafts;
  DraftRecord* find(const std::string& pattern);
};
SKILLPIPE_FIELDS(DraftState) { v("drafts", r.drafts); }

constexpr const char* kDraftsKey = "offline/drafts";

DraftState parse_drafts(std::string_view json);  // throws RecordError naming the field
std::string drafts_to_json(const DraftState& state);

}  // namespace skillpipe::consolidate_draft
