// task_splits.hpp - sorting a night's tasks into train / val / test, telling when val cannot
// verify anything (missing, or leaking into train), and keeping test held out.
#pragma once

#include <string>
#include <vector>

#include "skillpipe/records.hpp"

namespace skillpipe::consolidate_reflect {

struct Splits {
  std::vector<TaskRecord> train, val, test;
  std::string leak;  // why val cannot verify the night ("" = it can)
  std::vector<std::string> notes;
};

// Dream tasks are train only (moved there, with a note, if marked otherwise). The leak
// checks: no val task; a task id in both train and val; a train task derived from a val task.
// A test task that also occurs in train or val (its id, or a task derived from it) is left out
// of test, with a note: the held-out score must be held out.
Splits split_tasks(const std::vector<TaskRecord>& tasks);

}  // namespace skillpipe::consolidate_reflect
