// splits.cpp - stable, persisted split assignment (splits.hpp).
#include "splits.hpp"

#include <optional>

#include "skillpipe/kit/split.hpp"

namespace skillpipe::mine_tasks {

SplitStats assign_splits(std::vector<TaskRecord>& tasks, const std::string& seed, double val_fraction,
                         double test_fraction, std::map<std::string, Split>& assigned) {
  SplitStats st;
  std::vector<std::size_t> real, fresh;
  std::vector<int> bucket(tasks.size(), 0);
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    TaskRecord& t = tasks[i];
    if (t.origin == Origin::kDream) {
      t.split = Split::kTrain;
      continue;
    }
    real.push_back(i);
    bucket[i] = split_bucket(seed, t.id);
    if (auto it = assigned.find(t.id); it != assigned.end()) {
      t.split = it->second;
      ++st.kept;
      continue;
    }
    fresh.push_back(i);
    t.split = split_of_bucket(bucket[i], val_fraction, test_fraction);
  }
  auto count = [&](Split s) {
    int n = 0;
    for (auto i : real) n += tasks[i].split == s;
    return n;
  };
  // Lowest (bucket, id) among tonight's new tasks in split `from`.
  auto lowest_fresh = [&](Split from) -> std::optional<std::size_t> {
    std::optional<std::size_t> best;
    for (auto i : fresh)
      if (tasks[i].split == from &&
          (!best || bucket[i] < bucket[*best] || (bucket[i] == bucket[*best] && tasks[i].id < tasks[*best].id)))
        best = i;
    return best;
  };
  if (real.size() >= 2) {
    if (count(Split::kVal) == 0) {
      if (auto i = lowest_fresh(Split::kTrain)) {
        tasks[*i].split = Split::kVal;
        ++st.promoted;
      } else {
        st.unmet.push_back("no validation task: every train task was assigned on an earlier night");
      }
    }
    if (count(Split::kTrain) == 0) {
      if (auto i = lowest_fresh(Split::kVal); i && count(Split::kVal) >= 2) {
        tasks[*i].split = Split::kTrain;
        ++st.promoted;
      } else {
        st.unmet.push_back("no train task: every task is held out and was assigned on an earlier night");
      }
    }
  }
  for (auto i : real) {
    assigned[tasks[i].id] = tasks[i].split;
    switch (tasks[i].split) {
      case Split::kTrain: ++st.train; break;
      case Split::kVal: ++st.val; break;
      case Split::kTest: ++st.test; break;
    }
  }
  return st;
}

}  // namespace skillpipe::mine_tasks
