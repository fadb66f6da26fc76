#include "host/report/adoption_state.hpp"

namespace skillpipe::host {

AdoptionState adoption_state(const AdoptionHistory& history, const std::string& night_id) {
  AdoptionState s;
  for (const auto& v : history.versions) {
    if (v.action != AdoptionAction::kAdopt || v.night_id != night_id) continue;
    s.version = v.version;  // oldest first: the last one wins
    s.at = v.at;
    s.undone_by = v.undone_by;
  }
  if (s.version == 0) return s;
  s.state = s.undone_by ? NightAdoption::kRolledBack : NightAdoption::kAdopted;
  for (const auto& v : history.versions)
    if (v.version == s.undone_by) s.undone_at = v.at;
  return s;
}

}  // namespace skillpipe::host
