#include "skillpipe/kit/staging_notes.hpp"

#include "skillpipe/kit/util.hpp"

namespace skillpipe::kit {

std::optional<std::string> live_changed_note(const Proposal& p) {
  if (p.live_path.empty()) return std::nullopt;
  const auto now = read_file(p.live_path);
  if ((now ? sha256_hex(*now) : "") == p.base_sha256) return std::nullopt;
  return "The live file " + p.live_path + " changed while the night ran; adopting \"" + p.name +
         "\" will be refused. Run the night again to propose against the current text.";
}

}  // namespace skillpipe::kit
