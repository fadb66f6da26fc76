// The key function of HandoffPending lives here so its typeinfo has one home in libskillpipe
// and the host can catch what a plugin throws.
#include "skillpipe/handoff.hpp"

namespace skillpipe {

HandoffPending::HandoffPending(const std::string& what, std::string dir, std::vector<std::string> pending_ids)
    : Error(what), dir_(std::move(dir)), pending_ids_(std::move(pending_ids)) {}

HandoffPending::~HandoffPending() = default;

}  // namespace skillpipe
