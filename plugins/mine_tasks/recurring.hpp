// recurring.hpp - merging similar intents across sessions and nights into one task.
//
// Tonight's candidate tasks and the archive of earlier nights' tasks are clustered per
// project (intent tokens, Jaccard >= threshold, single link). A cluster holding an archived
// task keeps that task's id, intent and judge, so its split assignment and history carry
// over; otherwise its earliest candidate names it. Merged: source sessions (union), the
// outcome (by counts: more successes than failures -> success, more failures -> fail, a tie
// or only "mixed" -> mixed, nothing known -> unknown), the newest accepted answer, tags, and
// the skill hint when every member agrees. attrs record cluster_size, outcome counts,
// first/last seen and up to three paraphrases ("variants").
#pragma once

#include <string>
#include <vector>

#include "skillpipe/records.hpp"

namespace skillpipe::mine_tasks {

struct ClusterResult {
  std::vector<TaskRecord> tasks;      // one per cluster with at least one candidate
  std::vector<int> sizes;             // sessions per emitted task, same order
};

ClusterResult merge_recurring(const std::vector<TaskRecord>& candidates, const std::vector<TaskRecord>& archive,
                              double threshold);

// success > fail -> success, fail > success -> fail, tie or only mixed -> mixed, else unknown.
Outcome merged_outcome(int success, int fail, int mixed);

}  // namespace skillpipe::mine_tasks
