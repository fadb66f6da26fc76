#include "gate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "text_util.hpp"

namespace skillpipe::consolidate_reflect {
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

namespace {

std::string first_ids(const std::vector<std::string>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size() && i < 5; ++i) s += (i ? ", " : "") + v[i];
  if (v.size() > 5) s += ", ...";
  return s;
}

// Per-sample gate scores of one task (the task's mean when it kept no samples).
std::vector<double> sample_scores(const TaskResult& r, const GateConfig& cfg) {
  std::vector<double> out;
  for (const auto& [h, s] : r.samples) {
    TaskResult one = r;
    one.hard = h;
    one.soft = s;
    out.push_back(task_score(one, cfg));
  }
  if (out.empty()) out.push_back(task_score(r, cfg));
  return out;
}

// Each candidate sample below each baseline sample: a drop no re-labelling of noise explains.
bool every_sample_worse(const PairedSamples& t) {
  return *std::max_element(t.cand.begin(), t.cand.end()) < *std::min_element(t.base.begin(), t.base.end()) - kEps;
}

struct Paired {
  std::vector<double> deltas;
  std::vector<PairedSamples> samples;
  std::vector<std::string> regressed_ids, missing_ids;
};

// Pairs each baseline task with the candidate's, filling the decision's table and counts.
Paired pair_up(const std::vector<TaskResult>& baseline, const std::vector<TaskResult>& candidate,
               const GateConfig& cfg, GateDecision& d) {
  Paired p;
  std::map<std::string, const TaskResult*> cand;
  for (const auto& c : candidate) cand[c.task_id] = &c;
  double sum_b = 0, sum_c = 0;
  const double margin = std::max(0.0, cfg.regression_margin);
  for (const auto& b : baseline) {
    TaskChange ch;
    ch.task_id = b.task_id;
    auto it = cand.find(b.task_id);
    const TaskResult* c = it == cand.end() ? nullptr : it->second;
    if (b.scored) ch.before = task_score(b, cfg);
    // A candidate that lost more of a task's replays to failures than the baseline did is scored
    // on fewer samples, and failures may be what the edit caused on the hard ones: unverifiable.
    if (c && c->scored && c->failed <= b.failed) ch.after = task_score(*c, cfg);
    if (!ch.before) {
      ch.status = "unscored";  // nothing to compare against; left out of the means
    } else if (!ch.after) {
      ch.status = "missing";
      ++d.missing;
      p.missing_ids.push_back(b.task_id);
    } else {
      const double delta = *ch.after - *ch.before;
      p.deltas.push_back(delta);
      p.samples.push_back({sample_scores(b, cfg), sample_scores(*c, cfg)});
      sum_b += *ch.before;
      sum_c += *ch.after;
      ch.status = delta > kEps ? "improved" : delta < -kEps ? "regressed" : "unchanged";
      ++(delta > kEps ? d.improved : delta < -kEps ? d.regressed : d.unchanged);
      if (delta < -(margin + kEps) && (cfg.regression != "consistent" || every_sample_worse(p.samples.back())))
        p.regressed_ids.push_back(b.task_id);
    }
    d.changes.push_back(std::move(ch));
  }
  d.n = static_cast<int>(p.deltas.size());
  if (d.n > 0) {
    d.baseline = sum_b / d.n;
    d.candidate = sum_c / d.n;
    d.effect = bootstrap_mean_ci(p.deltas, cfg.confidence, cfg.resamples, cfg.seed);
  }
  d.strata = p.samples;
  return p;
}

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0 : s / static_cast<double>(v.size());
}

// Tonight's pairs with the earlier nights' strata in front: the evidence the test, the effect
// and gate_min_val see for a carried edit. Regressions stay tonight's.
Paired pool(Paired tonight, const PriorEvidence& prior, const GateConfig& cfg, GateDecision& d) {
  Paired all;
  all.regressed_ids = std::move(tonight.regressed_ids);
  all.missing_ids = std::move(tonight.missing_ids);
  all.samples = prior.strata;
  for (auto& s : tonight.samples) all.samples.push_back(std::move(s));
  for (const auto& s : all.samples) all.deltas.push_back(mean_of(s.cand) - mean_of(s.base));
  d.nights = prior.nights + 1;
  d.n = static_cast<int>(all.deltas.size());
  d.improved = d.regressed = d.unchanged = 0;
  for (double x : all.deltas) ++(x > kEps ? d.improved : x < -kEps ? d.regressed : d.unchanged);
  d.effect = bootstrap_mean_ci(all.deltas, cfg.confidence, cfg.resamples, cfg.seed);
  return all;
}

// Statistical mode, once the candidate is better and hurts nothing: significant at `alpha`?
// Sets d.promising (and the reason) when it is not, or when val is too small to say.
bool significant(const Paired& p, const GateConfig& cfg, const std::string& scores, GateDecision& d) {
  const std::string a = fmt_g(d.alpha);
  if (d.n < cfg.min_val) {
    d.promising = true;
    d.why = RejectionReason::kTooFewTasks;
    const std::string where = d.nights > 1 ? " over " + std::to_string(d.nights) + " nights" : "";
    d.reason = scores + ", but only " + std::to_string(d.n) + " val task(s) could be compared" + where + "; at least " +
               std::to_string(cfg.min_val) + " are needed before any significance is claimed (gate_min_val)";
    return false;
  }
  if (cfg.test == "bootstrap") {
    d.ci = bootstrap_mean_ci(p.deltas, 1 - d.alpha, cfg.resamples, cfg.seed);
    if (d.ci->low > 0) return true;
    d.reason = scores + ", but the " + fmt_g((1 - d.alpha) * 100) + "% bootstrap interval of the mean improvement [" +
               fmt(d.ci->low) + ", " + fmt(d.ci->high) + "] does not lie above zero";
  } else {
    d.p_value = cfg.test == "sign" ? sign_test_p(d.improved, d.regressed)
                                   : permutation_test_p(p.samples, std::max(cfg.resamples, 10000), cfg.seed);
    if (*d.p_value <= d.alpha + kEps) return true;
    d.reason = scores + ", but the " + (cfg.test == "sign" ? "sign" : "permutation") + " test is not significant (" +
               std::to_string(d.improved) + " better, " + std::to_string(d.regressed) + " worse, p=" +
               fmt_g(*d.p_value) + " > alpha " + a + ")";
  }
  d.promising = true;
  d.why = RejectionReason::kNotSignificant;
  return false;
}

}  // namespace

std::string GateDecision::effect_text(const GateConfig& cfg) const {
  char b[160];
  std::snprintf(b, sizeof b, "effect %+.4f, %g%% interval [%.4f, %.4f], n=%d", effect.mean, cfg.confidence * 100,
                effect.low, effect.high, n);
  return std::string(b) + (nights > 1 ? ", pooled over " + std::to_string(nights) + " nights" : "");
}

GateDecision decide(const std::vector<TaskResult>& baseline, const std::vector<TaskResult>& candidate,
                    const GateConfig& cfg, double alpha, const PriorEvidence* prior) {
  GateDecision d;
  if (cfg.mode == "statistical") d.alpha = alpha < 0 ? 1 - cfg.confidence : alpha;
  Paired p = pair_up(baseline, candidate, cfg, d);
  const bool pooled = prior && !prior->strata.empty() && d.missing == 0 && !p.deltas.empty();
  if (pooled) p = pool(std::move(p), *prior, cfg, d);
  const std::string scores = "candidate " + fmt(d.candidate) + " vs baseline " + fmt(d.baseline);
  auto done = [&](std::string reason, RejectionReason why) {
    d.reason = std::move(reason);
    if (!d.accept) d.why = why;
    if (d.n > 0) d.reason += " (" + d.effect_text(cfg) + ")";
    return d;
  };
  if (d.missing > 0)
    return done(std::to_string(d.missing) + " task(s) could not be scored under the candidate, or lost more of " +
                "their replays to failures than under the baseline (" + first_ids(p.missing_ids) +
                "); an unverifiable candidate is never accepted",
                RejectionReason::kUnscoredTasks);
  if (p.deltas.empty())
    return done("no validation task could be scored, so nothing can be verified", RejectionReason::kNothingScored);
  // A carried edit is "better" when its pooled effect is; tonight alone may tie by chance.
  const double effect = pooled ? d.effect.mean : d.candidate - d.baseline;
  if (!(effect > kEps))
    return done(scores + (pooled ? ": the pooled effect is not above zero" : ": not strictly better"),
                RejectionReason::kNotBetter);
  if (cfg.no_regression && !p.regressed_ids.empty())
    return done(scores + ", but per-task no-regression is on and " + std::to_string(p.regressed_ids.size()) +
                " task(s) got worse (" + first_ids(p.regressed_ids) + ")",
                RejectionReason::kRegression);
  if (cfg.min_effect > 0 && effect + kEps < cfg.min_effect)
    return done(scores + ": improvement " + fmt(effect) + " is below the minimum effect " + fmt(cfg.min_effect),
                RejectionReason::kBelowMinEffect);
  if (cfg.mode == "statistical" && !significant(p, cfg, scores, d)) return done(d.reason, d.why);
  d.accept = true;
  std::string why = scores + " (" + std::to_string(d.improved) + " better, " + std::to_string(d.regressed) +
                    " worse, " + std::to_string(d.unchanged) + " unchanged)";
  if (d.ci) why += "; " + fmt_g((1 - d.alpha) * 100) + "% interval [" + fmt(d.ci->low) + ", " + fmt(d.ci->high) + "]";
  if (d.p_value) why += "; " + cfg.test + " test p=" + fmt_g(*d.p_value) + " <= alpha " + fmt_g(d.alpha);
  if (cfg.mode != "statistical") why += "; strict mode: no significance is claimed";
  return done(why, RejectionReason::kNone);
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

}  // namespace skillpipe::consolidate_reflect
