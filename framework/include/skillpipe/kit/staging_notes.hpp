// kit/staging_notes.hpp - the notes a night's report carries about its proposals at staging
// time. One function for the host (which renders report.html before the store stages) and
// the store (which writes report.md while staging), so both pages say the same thing.
#pragma once

#include <optional>
#include <string>

#include "skillpipe/records.hpp"

namespace skillpipe::kit {

// "The live file X changed while the night ran; ..." when `p`'s live file no longer has the
// text the proposal was made against (adopt would refuse it); nullopt otherwise.
std::optional<std::string> live_changed_note(const Proposal& p);

}  // namespace skillpipe::kit
