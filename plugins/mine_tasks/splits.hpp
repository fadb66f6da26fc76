// splits.hpp - stable train/val/test assignment (SkillOpt's assign_splits, made sticky).
//
// bucket = int(sha256(seed + id), 16) % 100, exactly as SkillOpt computes it, so the same
// ids and seed split the same way; bucket < round(100 * val) -> val, < that + round(100 *
// test) -> test, else train. Dream tasks are always train. With >= 2 real tasks tonight, at
// least one is val (the lowest-bucket train task is promoted) and one is train (the
// lowest-bucket val task is demoted); test tasks never move. An assignment, once made, is
// recorded and never changes on later nights, so a task the skill was trained on never
// becomes a validation task; only tasks new tonight are moved to meet the guarantees.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "skillpipe/records.hpp"

namespace skillpipe::mining {

int split_bucket(const std::string& seed, const std::string& id);

struct SplitStats {
  int train = 0, val = 0, test = 0;
  int kept = 0;        // taken from earlier nights
  int promoted = 0;    // moved to meet a guarantee
  std::vector<std::string> unmet;  // guarantees that could not be met, in words
};

// Assigns every task's split; `assigned` holds earlier nights' assignments (id -> split)
// and receives tonight's.
SplitStats assign_splits(std::vector<TaskRecord>& tasks, const std::string& seed, double val_fraction,
                         double test_fraction, std::map<std::string, Split>& assigned);

}  // namespace skillpipe::mining
