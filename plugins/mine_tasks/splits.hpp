// splits.hpp - stable train/val/test assignment (SkillOpt's assign_splits, made sticky).
//
// The bucket and split of a task follow the shared rule (skillpipe/kit/split.hpp), exactly as
// SkillOpt computes them, so the same ids and seed split the same way. Dream tasks are always
// train. With >= 2 real tasks tonight, at least one is val (the lowest-bucket train task is
// promoted) and one is train (the lowest-bucket val task is demoted); test tasks never move.
// An assignment, once made, is recorded and never changes on later nights, so a task the
// skill was trained on never becomes a validation task; only tasks new tonight are moved to
// meet the guarantees.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "skillpipe/records.hpp"

namespace skillpipe::mine_tasks {

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

}  // namespace skillpipe::mine_tasks
