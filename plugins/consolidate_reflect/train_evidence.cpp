#include "train_evidence.hpp"

#include <algorithm>
#include <set>

#include "skillpipe/kit/util.hpp"

namespace skillpipe::consolidate_reflect {
namespace {

constexpr std::size_t kMaxContrasts = 6;

const TaskRecord* by_id(const std::vector<TaskRecord>& tasks, const std::string& id) {
  for (const auto& t : tasks)
    if (t.id == id) return &t;
  return nullptr;
}

// With k > 1 rollouts: the train tasks whose best and worst samples differ most, best first.
std::vector<Evidence::Contrast> contrasts_of(const std::vector<TaskRecord>& train, const Scored& sc,
                                             const GateConfig& gate, int rollouts) {
  struct Spread {
    double spread;
    Evidence::Contrast c;
  };
  std::vector<Spread> spreads;
  for (const auto& t : train) {
    int best = -1, worst = -1;
    double best_s = 0, worst_s = 0;
    for (int k = 0; k < rollouts; ++k) {
      double h = 0, so = 0;
      if (!sample_scores(sc.raw, t.id, k, h, so)) continue;
      const double v = accuracy_score(h, so, gate);
      if (best < 0 || v > best_s) {
        best = k;
        best_s = v;
      }
      if (worst < 0 || v < worst_s) {
        worst = k;
        worst_s = v;
      }
    }
    if (best < 0 || best_s - worst_s <= 1e-9) continue;
    Evidence::Contrast ct{t.intent,
                          response_of(sc.raw, t.id, best),
                          response_of(sc.raw, t.id, worst),
                          why_failed(sc.raw, t.id, worst),
                          best_s,
                          worst_s};
    spreads.push_back({best_s - worst_s, std::move(ct)});
  }
  std::stable_sort(spreads.begin(), spreads.end(), [](const Spread& a, const Spread& b) { return a.spread > b.spread; });
  std::vector<Evidence::Contrast> out;
  for (std::size_t i = 0; i < spreads.size() && i < kMaxContrasts; ++i) out.push_back(spreads[i].c);
  return out;
}

}  // namespace

std::string tags_of(const std::vector<const TaskRecord*>& tasks) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto* t : tasks)
    for (const auto& tag : t->tags)
      if (seen.insert(tag).second) out.push_back(tag);
  return join(out, ",");
}

TrainEvidence collect_evidence(const std::vector<TaskRecord>& train, const Scored& sc,
                               const std::vector<TaskRecord>& all, const GateConfig& gate, int rollouts) {
  TrainEvidence c;
  for (const auto& r : sc.results) {
    const TaskRecord* t = by_id(train, r.task_id);
    if (!t) continue;
    if (!r.scored) {
      ++c.unscored;
      continue;
    }
    if (r.hard < 1.0 - 1e-9) {
      c.failed.push_back(t);
      Evidence::Failure f;
      f.task_id = t->id;
      f.intent = t->intent;
      const int s = first_failing_sample(sc.raw, t->id);
      f.response = response_of(sc.raw, t->id, s);
      f.why = why_failed(sc.raw, t->id, s);
      f.tags = t->tags;
      c.evidence.failures.push_back(std::move(f));
      for (const auto& ts : sc.raw.per_task)
        if (ts.task_id == t->id) add_criteria(c.evidence.criteria, ts.failed_criteria);
    } else {
      c.evidence.successes.push_back({t->intent, response_of(sc.raw, t->id)});
    }
  }
  for (const auto& t : all)
    if (!t.system.empty()) {
      c.evidence.contract = t.system;
      break;
    }
  if (rollouts > 1) c.evidence.contrasts = contrasts_of(train, sc, gate, rollouts);
  return c;
}

}  // namespace skillpipe::consolidate_reflect
