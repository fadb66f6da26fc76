#include "task_splits.hpp"

#include <set>

#include "text_util.hpp"

namespace skillpipe::consolidate_reflect {

namespace {

// Test tasks a night has seen in another split (the same id, or a train/val task derived from
// it) are not held out: scored, they would report what the night fitted, so they leave the
// test split with a note. Train and val are untouched; they decide nothing about test.
void hold_out_test(Splits& s) {
  std::set<std::string> seen;
  for (const auto* split : {&s.train, &s.val})
    for (const auto& t : *split) {
      seen.insert(t.id);
      if (!t.derived_from.empty()) seen.insert(t.derived_from);
    }
  std::vector<TaskRecord> held;
  std::vector<std::string> out;
  for (auto& t : s.test)
    if (seen.count(t.id) || (!t.derived_from.empty() && seen.count(t.derived_from)))
      out.push_back(t.id);
    else
      held.push_back(std::move(t));
  s.test = std::move(held);
  if (!out.empty())
    s.notes.push_back(std::to_string(out.size()) + " test task(s) also occur in train or val (" + join(out, ", ") +
                      "); they are left out of the held-out test score");
}

}  // namespace

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
  hold_out_test(s);
  return s;
}

}  // namespace skillpipe::consolidate_reflect
