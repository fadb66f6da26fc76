#include "evaluator.hpp"

#include <algorithm>
#include <chrono>

#include "skillpipe/errors.hpp"
#include "text_util.hpp"

namespace skillpipe::consolidate_reflect {

Scored Evaluator::run(const std::vector<TaskRecord>& tasks, const std::string& skill, const std::string& memory,
                      const std::string& variant, const std::string& phase, int rollouts, int first_sample) {
  rollouts = std::max(1, rollouts);
  first_sample = std::max(0, first_sample);
  EvaluationService* svc = ctx_.evaluator();
  if (!svc) throw Error("consolidate_reflect: the host offers no evaluation service");
  const auto t0 = std::chrono::steady_clock::now();
  EvalRequest req;
  req.tasks = tasks;
  req.skill_text = skill;
  req.memory_text = memory;
  req.backend_id = backend_;
  req.rollouts = first_sample + rollouts;
  req.variant = variant;
  Scored s;
  s.raw = svc->evaluate(req, ctx_);
  usage_.tokens += s.raw.tokens;
  usage_.cost_usd += s.raw.cost_usd;
  usage_.calls += s.raw.calls;
  usage_.cached += s.raw.cached_calls;
  usage_.seconds[phase] += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::map<std::string, std::pair<double, double>> cost;  // task -> (tokens, latency) sums
  std::map<std::string, int> n, failed;
  for (const auto& r : s.raw.replays) {
    if (r.sample < first_sample) continue;
    if (!r.error.empty()) {
      ++failed[r.task_id];
      continue;
    }
    auto& c = cost[r.task_id];
    c.first += static_cast<double>(r.tokens_in + r.tokens_out);
    c.second += r.latency_ms;
    ++n[r.task_id];
  }
  for (const auto& ts : s.raw.per_task) {
    TaskResult t;
    t.task_id = ts.task_id;
    t.scored = ts.samples > 0;
    t.hard = ts.hard;
    t.soft = ts.soft;
    t.failed = failed[ts.task_id];
    for (int k = first_sample; k < first_sample + rollouts; ++k) {
      double h = 0, so = 0;
      if (sample_scores(s.raw, ts.task_id, k, h, so)) t.samples.emplace_back(h, so);
    }
    if (first_sample > 0) {  // the host's means cover every sample: these are the scored ones'
      t.scored = !t.samples.empty();
      t.hard = t.soft = 0;
      for (const auto& [h, so] : t.samples) {
        t.hard += h / static_cast<double>(t.samples.size());
        t.soft += so / static_cast<double>(t.samples.size());
      }
    }
    if (const int k = n[ts.task_id]; k > 0) {
      t.tokens = cost[ts.task_id].first / k;
      t.latency_ms = cost[ts.task_id].second / k;
    }
    s.results.push_back(t);
  }
  return s;
}

std::string response_of(const EvalResult& r, const std::string& task_id, int sample) {
  for (const auto& rr : r.replays)
    if (rr.task_id == task_id && rr.error.empty() && (sample < 0 || rr.sample == sample)) return rr.response;
  return {};
}

int first_failing_sample(const EvalResult& r, const std::string& task_id) {
  int best = -1;
  for (const auto& v : r.verdicts)
    if (v.task_id == task_id && v.hard < 1.0 && (best < 0 || v.sample < best)) best = v.sample;
  return best;
}

std::string why_failed(const EvalResult& r, const std::string& task_id, int sample) {
  if (sample < 0) sample = first_failing_sample(r, task_id);
  std::vector<std::string> criteria, rationales;
  for (const auto& v : r.verdicts) {
    if (v.task_id != task_id || v.sample != sample || v.hard >= 1.0) continue;
    for (const auto& c : v.failed_criteria) criteria.push_back(c);
    if (!v.rationale.empty()) rationales.push_back(v.rationale);
  }
  return criteria.empty() ? join(rationales, "; ") : join(criteria, "; ");
}

bool sample_scores(const EvalResult& r, const std::string& task_id, int sample, double& hard, double& soft) {
  double h = 0, s = 0;
  int k = 0;
  for (const auto& v : r.verdicts) {
    if (v.task_id != task_id || v.sample != sample) continue;
    h += v.hard;
    s += v.soft;
    ++k;
  }
  if (k == 0) return false;
  hard = h / k;
  soft = s / k;
  return true;
}

}  // namespace skillpipe::consolidate_reflect
