// draft_state.hpp - which patterns were drafted, when, and with what outcome.
//
// Kept in the store's project state (key "offline/drafts"). It is what stops a quarantined
// draft from being drafted again every night: a pattern is re-drafted only when its
// evidence changed (new or re-judged sessions) - or when the same night is resumed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace skillpipe::drafting {

struct DraftTarget {
  std::string target;
  std::string name;
  std::string live_path;
  std::string sha256;  // of the proposed text
};

struct DraftRecord {
  std::string pattern;
  std::string status;  // draft | quarantined
  std::string evidence_sig;
  std::string night;
  std::string at;
  std::vector<DraftTarget> targets;
  std::vector<std::string> reasons;
};

struct DraftState {
  std::vector<DraftRecord> drafts;
  DraftRecord* find(const std::string& pattern);
};

constexpr const char* kDraftsKey = "offline/drafts";

DraftState parse_drafts(std::string_view json);  // throws skillpipe::Error
std::string drafts_to_json(const DraftState& state);

}  // namespace skillpipe::drafting
