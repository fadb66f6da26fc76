#include "task_splits.hpp"

#include <set>

#include "text_util.hpp"

namespace skillpipe::consolidate_reflect {

Splits split_tasks(const std::vector<TaskRecord>& tasks) {
  Splits s;
  int moved = 0;
  for (auto t : tasks) {
    if (t.origin == Origin::kDream && t.split != Split::kTrain) {
      t.split = Split::kTrain;  // synthetic variants never judge the night
      ++moved;
    }
    (t.split == Split::kVal ? s.val : t.split == Split::kTest ? s.test : s.train).push_back(std::move(t));
  }
  if (moved)
    s.notes.push_back(std::to_string(moved) + " dream task(s) were marked val/test; they were used as train only");
  std::set<std::string> train_ids, val_ids;
  for (const auto& t : s.train) train_ids.insert(t.id);
  for (const auto& t : s.val) val_ids.insert(t.id);
  std::vector<std::string> overlap;
  for (const auto& t : s.val)
    if (train_ids.count(t.id)) overlap.push_back(t.id);
  for (const auto& t : s.train)
    if (!t.derived_from.empty() && val_ids.count(t.derived_from))
      overlap.push_back(t.id + " (derived from val task " + t.derived_from + ")");
  if (s.val.empty())
    s.leak = "there is no val split";
  else if (!overlap.empty())
    s.leak = "val overlaps train (" + join(overlap, ", ") + ")";
  return s;
}

}  // namespace skillpipe::consolidate_reflect
