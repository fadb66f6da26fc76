// report/adoption_state.hpp - where a night stands now (pending, adopted, rolled back), so a
// report opened after the morning offers the action that fits instead of "adopt" forever.
#pragma once

#include <string>

#include "skillpipe/store.hpp"

namespace skillpipe::host {

enum class NightAdoption { kPending, kAdopted, kRolledBack };

struct AdoptionState {
  NightAdoption state = NightAdoption::kPending;
  int version = 0;      // the adoption version of this night (0 = never adopted)
  std::string at;       // when it was adopted
  int undone_by = 0;    // the rollback version that undid it (kRolledBack)
  std::string undone_at;
};

// The latest adoption of `night_id` in `history`, and whether a later rollback undid it.
AdoptionState adoption_state(const AdoptionHistory& history, const std::string& night_id);

}  // namespace skillpipe::host
