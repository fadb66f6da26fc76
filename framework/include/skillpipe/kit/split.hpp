// kit/split.hpp - the train/val/test rule every miner shares (SkillOpt-Sleep's, exactly):
//
//   bucket = int(sha256(seed + task_id), 16) mod 100
//   bucket < round(100 * val_fraction)                  -> val
//   bucket < that + round(100 * test_fraction)          -> test
//   otherwise                                           -> train
//
// round() is Python's (half to even), so the same ids and seed split as SkillOpt splits them.
#pragma once

#include <string_view>

#include "skillpipe/records.hpp"

namespace skillpipe {

// sha256(seed + id) as a 256-bit number, mod 100 (0..99).
int split_bucket(std::string_view seed, std::string_view id);
// The split of `bucket` for these fractions.
Split split_of_bucket(int bucket, double val_fraction, double test_fraction);

}  // namespace skillpipe
