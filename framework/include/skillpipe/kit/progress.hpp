// progress.hpp - progress that follows bytes as well as a count: the host's terminal display
// implements it, so kit code that reads files (the harvest driver) shows bytes, rate and ETA.
// Kept out of the ABI contract (stage.hpp): a Progress that does not implement it (a test
// harness, an older host) simply shows no bytes.
#pragma once

#include <cstdint>
#include <string_view>

#include "skillpipe/abi.hpp"
#include "skillpipe/stage.hpp"

namespace skillpipe {

class SKILLPIPE_VISIBLE ByteProgress {
 public:
  virtual ~ByteProgress();
  // What one counted unit is ("sessions", "replays"), shown beside the count.
  virtual void set_unit(std::string_view unit) = 0;
  // Bytes the current phase will read (call after Progress::set_total, which starts a phase).
  virtual void set_total_bytes(std::int64_t bytes) = 0;
  virtual void advance_bytes(std::int64_t bytes) = 0;
};

// The byte side of `p`, or nullptr when it has none.
SKILLPIPE_VISIBLE ByteProgress* byte_progress(Progress& p);

}  // namespace skillpipe
