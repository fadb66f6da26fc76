// The draft state's JSON, through the field visitor (draft_state.hpp lists the fields).
#include "draft_state.hpp"

#include "skillpipe/errors.hpp"

namespace skillpipe::consolidate_draft {

DraftRecord* DraftState::find(const std::string& pattern) {
  for (auto& d : drafts)
    if (d.pattern == pattern) return &d;
  return nullptr;
}

DraftState parse_drafts(std::string_view json) {
  DraftState st;
  read_json(json, st, "offline draft state");
  return st;
}

std::string drafts_to_json(const DraftState& state) { return write_json(state); }

}  // namespace skillpipe::consolidate_draft
