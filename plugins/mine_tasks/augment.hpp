// augment.hpp - dream variants and associative recall (train-only extras).
//
// Recall: the k archived real tasks most similar (max Jaccard of intent tokens > 0) to
// tonight's train tasks, copied as "recall:<id>", train, tag "recall". Excluded: tonight's
// own tasks, anything held out (val/test) tonight or by its recorded assignment, and tasks
// derived from held-out ones; when the closest train task has a skill hint, a recalled
// task with a different hint is skipped.
// Dream: N rephrasings of each real train task (recalled ones included), "<id>_dream<k>",
// origin dream, train, tag "dream", judge and reference copied. Rephrasings come from fixed
// templates (deterministic) or from a backend's paraphrases when given.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "skillpipe/records.hpp"

namespace skillpipe::mine_tasks {

std::vector<TaskRecord> recall_similar(const std::vector<TaskRecord>& archive, const std::vector<TaskRecord>& tonight,
                                       const std::map<std::string, Split>& assigned, int k);

// The k-th (1-based) template rephrasing of `intent`.
std::string dream_template(const std::string& intent, int k);

// `paraphrases` may be shorter than n (or empty): templates fill the rest.
std::vector<TaskRecord> dream_variants(const TaskRecord& task, int n, const std::vector<std::string>& paraphrases);

}  // namespace skillpipe::mine_tasks
