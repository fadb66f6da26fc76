// augment.cpp - recall from the archive and dream rephrasings (augment.hpp).
#include "augment.hpp"

#include <algorithm>
#include <array>
#include <set>

#include "skillpipe/kit/similarity.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::mine_tasks {

std::vector<TaskRecord> recall_similar(const std::vector<TaskRecord>& archive, const std::vector<TaskRecord>& tonight,
                                       const std::map<std::string, Split>& assigned, int k) {
  if (k <= 0) return {};
  std::set<std::string> tonight_ids, held_out;
  std::vector<const TaskRecord*> train;
  for (const auto& t : tonight) {
    tonight_ids.insert(t.id);
    if (t.split != Split::kTrain) held_out.insert(t.id);
    else if (t.origin == Origin::kReal) train.push_back(&t);
  }
  for (const auto& [id, s] : assigned)
    if (s != Split::kTrain) held_out.insert(id);
  if (train.empty()) return {};
  std::vector<std::vector<std::string>> train_tokens;
  for (const auto* t : train) train_tokens.push_back(intent_tokens(t->intent));

  struct Scored {
    double score;
    const TaskRecord* task;
  };
  std::vector<Scored> scored;
  for (const auto& a : archive) {
    if (a.origin != Origin::kReal || a.split != Split::kTrain) continue;
    if (tonight_ids.count(a.id) || held_out.count(a.id) || held_out.count(a.derived_from)) continue;
    const auto tokens = intent_tokens(a.intent);
    double best = 0;
    const TaskRecord* closest = nullptr;
    for (std::size_t i = 0; i < train.size(); ++i) {
      const double s = jaccard(tokens, train_tokens[i]);
      if (s > best) {
        best = s;
        closest = train[i];
      }
    }
    if (best <= 0) continue;
    if (!closest->skill_hint.empty() && !a.skill_hint.empty() && a.skill_hint != closest->skill_hint) continue;
    scored.push_back({best, &a});
  }
  std::stable_sort(scored.begin(), scored.end(), [](const Scored& x, const Scored& y) {
    return x.score != y.score ? x.score > y.score : x.task->id < y.task->id;
  });
  std::vector<TaskRecord> out;
  for (std::size_t i = 0; i < scored.size() && static_cast<int>(i) < k; ++i) {
    TaskRecord t = *scored[i].task;
    t.derived_from = t.id;
    t.id = "recall:" + t.id;
    t.split = Split::kTrain;
    t.origin = Origin::kReal;
    if (std::find(t.tags.begin(), t.tags.end(), "recall") == t.tags.end()) t.tags.push_back("recall");
    t.attrs["recall_score"] = std::to_string(scored[i].score);
    out.push_back(std::move(t));
  }
  return out;
}

std::string dream_template(const std::string& intent, int k) {
  // SkillOpt's three first, so dream_factor <= 3 rephrases exactly as SkillOpt does.
  static constexpr std::array<const char*, 6> kTemplates = {
      "(quick one) {q}",        "Please handle this request: {q}", "For the daily report: {q}",
      "Can you take care of this? {q}", "Next up: {q}",             "When you get a moment: {q}"};
  const std::size_t i = static_cast<std::size_t>(k - 1) % kTemplates.size();
  std::string s = kTemplates[i];
  s.replace(s.find("{q}"), 3, intent);
  const int round = (k - 1) / static_cast<int>(kTemplates.size());
  if (round > 0) s += " (variant " + std::to_string(round + 1) + ")";
  return s;
}

std::vector<TaskRecord> dream_variants(const TaskRecord& task, int n, const std::vector<std::string>& paraphrases) {
  std::vector<TaskRecord> out;
  for (int k = 1; k <= n; ++k) {
    TaskRecord d = task;
    const std::size_t pi = static_cast<std::size_t>(k - 1);
    d.intent = pi < paraphrases.size() ? paraphrases[pi] : dream_template(task.intent, k);
    d.id = task.id + "_dream" + std::to_string(k);
    d.origin = Origin::kDream;
    d.split = Split::kTrain;
    d.derived_from = task.id;
    if (std::find(d.tags.begin(), d.tags.end(), "dream") == d.tags.end()) d.tags.push_back("dream");
    d.attrs["dream_source"] = pi < paraphrases.size() ? "llm" : "template";
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace skillpipe::mine_tasks
