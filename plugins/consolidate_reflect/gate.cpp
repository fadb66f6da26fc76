#include "gate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "text_util.hpp"

namespace skillpipe::reflect {
namespace {

constexpr double kEps = 1e-9;  // scores are means of small fractions; ignore float dust

std::string fmt(double v) { return format_score(v); }

std::string fmt_g(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%g", v);
  return b;
}

}  // namespace

double accuracy_score(double hard, double soft, const GateConfig& cfg) {
  if (cfg.metric == "hard") return hard;
  if (cfg.metric == "soft") return soft;
  const double w = std::clamp(cfg.mixed_weight, 0.0, 1.0);
  return (1 - w) * hard + w * soft;
}

double task_score(const TaskResult& r, const GateConfig& cfg) {
  const double acc = accuracy_score(r.hard, r.soft, cfg);
  const auto& m = cfg.multi;
  if (!m.enabled) return acc;
  const double wa = std::max(0.0, m.w_accuracy), wt = std::max(0.0, m.w_tokens), wl = std::max(0.0, m.w_latency);
  const double total = wa + wt + wl;
  if (total <= 0) return acc;
  const double tok = m.token_ref > 0 ? std::max(0.0, 1 - r.tokens / m.token_ref) : 0;
  const double lat = m.latency_ref_ms > 0 ? std::max(0.0, 1 - r.latency_ms / m.latency_ref_ms) : 0;
  return (wa * acc + wt * tok + wl * lat) / total;
}

std::optional<double> mean_score(const std::vector<TaskResult>& results, const GateConfig& cfg) {
  double sum = 0;
  int n = 0;
  for (const auto& r : results) {
    if (!r.scored) continue;
    sum += task_score(r, cfg);
    ++n;
  }
  if (n == 0) return std::nullopt;
  return sum / n;
}

GateDecision decide(const std::vector<TaskResult>& baseline, const std::vector<TaskResult>& candidate,
                    const GateConfig& cfg) {
  GateDecision d;
  std::map<std::string, const TaskResult*> cand;
  for (const auto& c : candidate) cand[c.task_id] = &c;
  std::vector<double> deltas;
  double sum_b = 0, sum_c = 0;
  std::vector<std::string> regressed_ids, missing_ids;
  for (const auto& b : baseline) {
    TaskChange ch;
    ch.task_id = b.task_id;
    auto it = cand.find(b.task_id);
    const TaskResult* c = it == cand.end() ? nullptr : it->second;
    if (b.scored) ch.before = task_score(b, cfg);
    if (c && c->scored) ch.after = task_score(*c, cfg);
    if (!ch.before) {
      ch.status = "unscored";  // nothing to compare against; left out of the means
    } else if (!ch.after) {
      ch.status = "missing";
      ++d.missing;
      missing_ids.push_back(b.task_id);
    } else {
      const double delta = *ch.after - *ch.before;
      deltas.push_back(delta);
      sum_b += *ch.before;
      sum_c += *ch.after;
      if (delta > kEps) {
        ch.status = "improved";
        ++d.improved;
      } else if (delta < -kEps) {
        ch.status = "regressed";
        ++d.regressed;
        regressed_ids.push_back(b.task_id);
      } else {
        ch.status = "unchanged";
        ++d.unchanged;
      }
    }
    d.changes.push_back(std::move(ch));
  }
  if (!deltas.empty()) {
    d.baseline = sum_b / static_cast<double>(deltas.size());
    d.candidate = sum_c / static_cast<double>(deltas.size());
  }
  if (cfg.mode == "statistical" && !deltas.empty()) {
    if (cfg.test == "sign")
      d.p_value = sign_test_p(d.improved, d.regressed);
    else
      d.ci = bootstrap_mean_ci(deltas, cfg.confidence, cfg.resamples, cfg.seed);
  }
  const std::string scores = "candidate " + fmt(d.candidate) + " vs baseline " + fmt(d.baseline);
  auto ids = [](const std::vector<std::string>& v) {
    std::string s;
    for (std::size_t i = 0; i < v.size() && i < 5; ++i) s += (i ? ", " : "") + v[i];
    if (v.size() > 5) s += ", ...";
    return s;
  };
  if (d.missing > 0) {
    d.reason = std::to_string(d.missing) + " task(s) could not be scored under the candidate (" + ids(missing_ids) +
               "); an unverifiable candidate is never accepted";
    return d;
  }
  if (deltas.empty()) {
    d.reason = "no validation task could be scored, so nothing can be verified";
    return d;
  }
  if (!(d.candidate > d.baseline + kEps)) {
    d.reason = scores + ": not strictly better";
    return d;
  }
  if (cfg.no_regression && d.regressed > 0) {
    d.reason = scores + ", but per-task no-regression is on and " + std::to_string(d.regressed) +
               " task(s) got worse (" + ids(regressed_ids) + ")";
    return d;
  }
  const double effect = d.candidate - d.baseline;
  if (cfg.min_effect > 0 && effect + kEps < cfg.min_effect) {
    d.reason = scores + ": improvement " + fmt(effect) + " is below the minimum effect " + fmt(cfg.min_effect);
    return d;
  }
  const std::string level = fmt_g(cfg.confidence * 100) + "%";
  if (d.ci && !(d.ci->low > 0)) {
    d.reason = scores + ", but the " + level + " bootstrap interval of the mean per-task improvement [" +
               fmt(d.ci->low) + ", " + fmt(d.ci->high) +
               "] does not lie above zero (n=" + std::to_string(deltas.size()) + ")";
    return d;
  }
  if (d.p_value && *d.p_value > 1 - cfg.confidence + kEps) {
    d.reason = scores + ", but the sign test is not significant (" + std::to_string(d.improved) + " better, " +
               std::to_string(d.regressed) + " worse, p=" + fmt(*d.p_value) + " > " + fmt(1 - cfg.confidence) + ")";
    return d;
  }
  d.accept = true;
  d.reason = scores + " (" + std::to_string(d.improved) + " better, " + std::to_string(d.regressed) + " worse, " +
             std::to_string(d.unchanged) + " unchanged)";
  if (d.ci) d.reason += "; " + level + " interval [" + fmt(d.ci->low) + ", " + fmt(d.ci->high) + "]";
  if (d.p_value) d.reason += "; sign test p=" + fmt(*d.p_value);
  return d;
}

std::string metric_label(const GateConfig& cfg) { return cfg.multi.enabled ? "multi" : cfg.metric; }

std::string score_formula(const GateConfig& cfg) {
  std::string acc;
  if (cfg.metric == "hard")
    acc = "hard";
  else if (cfg.metric == "soft")
    acc = "soft";
  else {
    const double w = std::clamp(cfg.mixed_weight, 0.0, 1.0);
    acc = "(1-" + fmt_g(w) + ")*hard + " + fmt_g(w) + "*soft";
  }
  if (!cfg.multi.enabled) return "score = " + acc;
  const auto& m = cfg.multi;
  return "score = (" + fmt_g(m.w_accuracy) + "*[" + acc + "] + " + fmt_g(m.w_tokens) + "*max(0, 1-tokens/" +
         fmt_g(m.token_ref) + ") + " + fmt_g(m.w_latency) + "*max(0, 1-latency_ms/" + fmt_g(m.latency_ref_ms) +
         ")) / " + fmt_g(m.w_accuracy + m.w_tokens + m.w_latency);
}

}  // namespace skillpipe::reflect
