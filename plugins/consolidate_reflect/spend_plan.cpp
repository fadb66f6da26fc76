#include "spend_plan.hpp"

#include <algorithm>
#include <cstdio>

namespace skillpipe::consolidate_reflect {
namespace {

// One replay of `t` under documents of `docs_chars` characters.
CostEstimate replay_cost(const TaskRecord& t, std::size_t docs_chars, const Backend& b) {
  ChatRequest r;
  r.purpose = "replay";
  r.messages = {{"system", std::string(docs_chars + t.system.size() + 200, 'x')},
                {"user", t.intent + "\n\n" + t.context_excerpt}};
  r.max_tokens = 1024;
  return b.estimate(r);
}

// How many times the night replays a task of each split, at most: baseline, a trial per
// evolving target, the final candidate replay, and one leave-one-out replay per kept edit,
// each with the gate's k samples per task. evaluate_only replays the current documents once.
int val_passes(const Settings& s) {
  if (s.evaluate_only) return std::max(1, s.gate.samples);
  const int targets = (s.evolve_skill ? 1 : 0) + (s.evolve_memory ? 1 : 0);
  int passes = 1 + targets + (s.final_replay ? 1 : 0);
  if (s.prune_edits) passes += s.edit_budget * targets;
  if (s.salvage_edits) passes += s.edit_budget * targets;
  return passes * std::max(1, s.gate.samples);  // k samples per val task for every arm
}

void add(SpendPlan& p, const CostEstimate& e, int times) {
  p.calls += e.calls * times;
  p.tokens += (e.tokens_in + e.tokens_out) * times;
  p.cost_usd += e.cost_usd * times;
}

}  // namespace

std::string SpendPlan::summary() const {
  char buf[256];
  std::snprintf(buf, sizeof buf, "~%lld calls, ~%lld tokens, ~$%.2f for %lld train / %lld val / %lld test task(s)",
                static_cast<long long>(calls), static_cast<long long>(tokens), cost_usd,
                static_cast<long long>(train), static_cast<long long>(val), static_cast<long long>(test));
  return buf;
}

SpendPlan plan_spend(const std::vector<TaskRecord>& tasks, std::size_t docs_chars, const Settings& s,
                     const Backend& replay, const Backend& optimizer) {
  SpendPlan p;
  const int vp = val_passes(s);
  for (const auto& t : tasks) {
    const CostEstimate e = replay_cost(t, docs_chars, replay);
    switch (t.split) {
      case Split::kTrain:
        ++p.train;
        add(p, e, s.evaluate_only ? 0 : std::max(1, s.rollouts_k));  // evaluation replays no train task
        break;
      case Split::kVal:
        ++p.val;
        add(p, e, vp);
        break;
      case Split::kTest:
        ++p.test;
        add(p, e, (s.evaluate_only ? 1 : 2) * std::max(1, s.gate.samples));  // before (and after), k samples each
        break;
    }
  }
  // Reflection: one call per evolving target plus one retry each, with the failures shown.
  ChatRequest reflect;
  reflect.purpose = "reflect";
  reflect.max_tokens = s.reflect_max_tokens;
  reflect.messages = {{"user", std::string(docs_chars + static_cast<std::size_t>(s.max_failures + s.max_successes) *
                                                           static_cast<std::size_t>(3 * s.excerpt_chars + 200),
                                           'x')}};
  const int targets = s.evaluate_only ? 0 : (s.evolve_skill ? 1 : 0) + (s.evolve_memory ? 1 : 0);
  add(p, optimizer.estimate(reflect), 2 * targets);
  return p;
}

std::vector<std::string> fit_to_budget(SpendPlan& plan, const std::vector<TaskRecord>& tasks, std::size_t docs_chars,
                                       const Settings& s, const Backend& replay, const Backend& optimizer, bool fit) {
  // The tighter of the two backends' caps decides (a shared provider key has both).
  std::optional<std::int64_t> max_tokens;
  std::optional<double> max_cost;
  for (const Backend* b : {&replay, &optimizer}) {
    const BudgetState st = b->budget();
    if (st.max_tokens) {
      // Never below zero: a server that over-reports usage can put the spend past the cap.
      const std::int64_t left = std::max<std::int64_t>(0, *st.max_tokens - st.tokens_used);
      max_tokens = max_tokens ? std::min(*max_tokens, left) : left;
    }
    if (st.max_cost) {
      const double left = std::max(0.0, *st.max_cost - st.cost_used);
      max_cost = max_cost ? std::min(*max_cost, left) : left;
    }
  }
  auto over = [&](const SpendPlan& p) -> std::string {
    if (max_tokens && p.tokens > *max_tokens) return "max_tokens (" + std::to_string(*max_tokens) + " left)";
    if (max_cost && p.cost_usd > *max_cost) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "max_cost_usd ($%.2f left)", *max_cost);
      return buf;
    }
    return {};
  };
  std::vector<std::string> dropped;
  plan.cap = over(plan);
  if (plan.cap.empty() || !fit) {
    plan.over = !plan.cap.empty();
    return dropped;
  }
  // Drop the most expensive train tasks first, keeping at least one.
  std::vector<const TaskRecord*> train;
  for (const auto& t : tasks)
    if (t.split == Split::kTrain) train.push_back(&t);
  std::sort(train.begin(), train.end(), [](const TaskRecord* a, const TaskRecord* b) {
    return a->intent.size() + a->context_excerpt.size() > b->intent.size() + b->context_excerpt.size();
  });
  std::vector<TaskRecord> kept = tasks;
  for (const TaskRecord* t : train) {
    if (over(plan).empty() || plan.train <= 1) break;
    std::erase_if(kept, [&](const TaskRecord& k) { return k.id == t->id; });
    dropped.push_back(t->id);
    plan = plan_spend(kept, docs_chars, s, replay, optimizer);
  }
  plan.dropped_train = static_cast<std::int64_t>(dropped.size());
  plan.cap = over(plan);
  plan.over = !plan.cap.empty();
  return dropped;
}

}  // namespace skillpipe::consolidate_reflect
