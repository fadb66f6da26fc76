#include "host/ab/report.hpp"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <cmath>

#include "skillpipe/kit/util.hpp"

namespace skillpipe::host::ab {

namespace {

// One Holm family per test, across the pairs: with three arms, three comparisons.
void adjust_holm(std::vector<PairSummary>& pairs) {
  const std::vector<std::pair<PairedTest PairSummary::*, std::optional<double> PairSummary::*>> tests = {
      {&PairSummary::hard_sign, &PairSummary::hard_sign_holm},
      {&PairSummary::hard_wilcoxon, &PairSummary::hard_wilcoxon_holm},
      {&PairSummary::soft_wilcoxon, &PairSummary::soft_wilcoxon_holm}};
  for (const auto& [test, adjusted] : tests) {
    std::vector<std::optional<double>> raw;
    for (const auto& p : pairs) raw.push_back((p.*test).n ? std::optional<double>((p.*test).p_value) : std::nullopt);
    const auto holm_p = holm(raw);
    for (std::size_t i = 0; i < pairs.size(); ++i) pairs[i].*adjusted = holm_p[i];
  }
}

}  // namespace

AbReport compare(const AbRun& run) {
  const AbSpec& s = run.spec;
  AbReport rep;
  for (const auto& arm : run.arms) {
    ArmSummary a;
    std::vector<double> hard, soft;
    for (const auto& t : arm.tasks) {
      if (!t.hard) {
        ++a.missing;
        continue;
      }
      hard.push_back(*t.hard);
      soft.push_back(*t.soft);
    }
    a.scored = static_cast<int>(hard.size());
    a.hard = mean(hard);
    a.soft = mean(soft);
    a.hard_ci = bootstrap_mean_ci(hard, s.bootstrap_samples, s.confidence, s.seed);
    a.soft_ci = bootstrap_mean_ci(soft, s.bootstrap_samples, s.confidence, s.seed);
    int pass = 0;
    for (double h : hard) pass += h >= s.pass_threshold;
    a.pass_rate = hard.empty() ? 0 : static_cast<double>(pass) / static_cast<double>(hard.size());
    rep.arms.push_back(a);
  }
  for (std::size_t i = 0; i < run.arms.size(); ++i)
    for (std::size_t j = i + 1; j < run.arms.size(); ++j) {
      PairSummary p;
      p.a = i;
      p.b = j;
      const auto& A = run.arms[i];
      const auto& B = run.arms[j];
      p.same_replays = A.replay_fingerprint == B.replay_fingerprint;
      std::vector<double> ah, bh, as, bs;
      std::vector<std::size_t> idx;
      for (std::size_t t = 0; t < run.tasks.size(); ++t) {
        if (!A.tasks[t].hard || !B.tasks[t].hard) continue;
        ah.push_back(*A.tasks[t].hard);
        bh.push_back(*B.tasks[t].hard);
        as.push_back(*A.tasks[t].soft);
        bs.push_back(*B.tasks[t].soft);
        idx.push_back(t);
      }
      p.n = static_cast<int>(idx.size());
      p.hard_diff = mean(bh) - mean(ah);
      p.soft_diff = mean(bs) - mean(as);
      p.hard_diff_ci = paired_bootstrap_ci(ah, bh, s.bootstrap_samples, s.confidence, s.seed);
      p.soft_diff_ci = paired_bootstrap_ci(as, bs, s.bootstrap_samples, s.confidence, s.seed);
      p.hard_sign = sign_test(ah, bh);
      p.hard_wilcoxon = wilcoxon_signed_rank(ah, bh);
      p.soft_wilcoxon = wilcoxon_signed_rank(as, bs);
      p.agreement = agreement(ah, bh, s.pass_threshold);
      p.soft_pearson = pearson(as, bs);
      for (std::size_t k = 0; k < idx.size(); ++k)
        if ((ah[k] >= s.pass_threshold) != (bh[k] >= s.pass_threshold)) p.disagreements.push_back(idx[k]);
      rep.pairs.push_back(std::move(p));
    }
  adjust_holm(rep.pairs);
  return rep;
}

namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void str(Writer& w, const char* key, const std::string& v) {
  w.Key(key);
  w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
}
void num(Writer& w, const char* key, double v) {
  w.Key(key);
  if (std::isfinite(v))
    w.Double(v);
  else
    w.Null();
}
void interval(Writer& w, const char* key, const Interval& ci) {
  w.Key(key);
  w.StartArray();
  w.Double(ci.lo);
  w.Double(ci.hi);
  w.EndArray();
}
void usage(Writer& w, const char* key, const Usage& u) {
  w.Key(key);
  w.StartObject();
  w.Key("calls");
  w.Int64(u.calls);
  w.Key("cached_calls");
  w.Int64(u.cached_calls);
  w.Key("tokens_in");
  w.Int64(u.tokens.input);
  w.Key("tokens_out");
  w.Int64(u.tokens.output);
  num(w, "cost_usd", u.cost_usd);
  w.EndObject();
}
void test(Writer& w, const char* key, const PairedTest& t, const std::optional<double>& holm_p) {
  w.Key(key);
  w.StartObject();
  w.Key("p_holm");
  if (holm_p)
    w.Double(*holm_p);
  else
    w.Null();
  w.Key("n");
  w.Int(t.n);
  w.Key("positive");
  w.Int(t.positive);
  w.Key("negative");
  w.Int(t.negative);
  num(w, "statistic", t.statistic);
  num(w, "p_value", t.p_value);
  w.Key("exact");
  w.Bool(t.exact);
  w.EndObject();
}
void strings(Writer& w, const char* key, const std::vector<std::string>& v) {
  w.Key(key);
  w.StartArray();
  for (const auto& s : v) w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
  w.EndArray();
}
void verdict(Writer& w, const char* key, const ArmTask& t) {
  w.Key(key);
  w.StartObject();
  num(w, "hard", t.hard.value_or(NAN));
  num(w, "soft", t.soft.value_or(NAN));
  w.Key("verdicts");
  w.StartArray();
  for (const auto& v : t.verdicts) {
    w.StartObject();
    str(w, "judge_id", v.judge_id);
    w.Key("sample");
    w.Int(v.sample);
    num(w, "hard", v.hard);
    num(w, "soft", v.soft);
    str(w, "rationale", v.rationale);
    strings(w, "failed_criteria", v.failed_criteria);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void arm_json(Writer& w, const ArmResult& a, const ArmSummary& m) {
  w.StartObject();
  str(w, "name", a.name);
  strings(w, "set", a.sets);
  strings(w, "judges", a.judges);
  str(w, "skill_file", a.skill_file);
  str(w, "skill_sha256", a.skill_sha256);
  str(w, "memory_file", a.memory_file);
  str(w, "memory_sha256", a.memory_sha256);
  str(w, "backend", a.backend);
  str(w, "replays_from", a.replays_from);
  str(w, "replay_fingerprint", a.replay_fingerprint);
  w.Key("scored");
  w.Int(m.scored);
  w.Key("missing");
  w.Int(m.missing);
  // No scored task: no score, rather than a fake zero.
  num(w, "hard", m.scored ? m.hard : NAN);
  interval(w, "hard_ci", m.hard_ci);
  num(w, "soft", m.scored ? m.soft : NAN);
  interval(w, "soft_ci", m.soft_ci);
  num(w, "pass_rate", m.scored ? m.pass_rate : NAN);
  usage(w, "replay", a.replay);
  usage(w, "judging", a.judging);
  num(w, "seconds", a.seconds);
  w.EndObject();
}

void agreement_json(Writer& w, const Agreement& g) {
  w.Key("agreement");
  w.StartObject();
  w.Key("n");
  w.Int(g.n);
  num(w, "percent", g.percent);
  num(w, "kappa", g.kappa);
  w.Key("kappa_degenerate");
  w.Bool(g.kappa_degenerate);
  w.Key("both_pass");
  w.Int(g.both_pass);
  w.Key("a_only");
  w.Int(g.a_only);
  w.Key("b_only");
  w.Int(g.b_only);
  w.Key("both_fail");
  w.Int(g.both_fail);
  w.EndObject();
}

void pair_json(Writer& w, const AbRun& run, const PairSummary& p) {
  const auto& A = run.arms[p.a];
  const auto& B = run.arms[p.b];
  w.StartObject();
  str(w, "a", A.name);
  str(w, "b", B.name);
  w.Key("n");
  w.Int(p.n);
  w.Key("same_replays");
  w.Bool(p.same_replays);
  num(w, "hard_diff", p.hard_diff);
  interval(w, "hard_diff_ci", p.hard_diff_ci);
  test(w, "hard_sign_test", p.hard_sign, p.hard_sign_holm);
  test(w, "hard_wilcoxon", p.hard_wilcoxon, p.hard_wilcoxon_holm);
  num(w, "soft_diff", p.soft_diff);
  interval(w, "soft_diff_ci", p.soft_diff_ci);
  test(w, "soft_wilcoxon", p.soft_wilcoxon, p.soft_wilcoxon_holm);
  agreement_json(w, p.agreement);
  w.Key("soft_pearson");
  if (p.soft_pearson)
    w.Double(*p.soft_pearson);
  else
    w.Null();
  w.Key("disagreements");
  w.StartArray();
  for (std::size_t t : p.disagreements) {
    w.StartObject();
    str(w, "task_id", run.tasks[t].id);
    str(w, "intent", truncate_utf8(run.tasks[t].intent, 400));
    verdict(w, "a", A.tasks[t]);
    verdict(w, "b", B.tasks[t]);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

}  // namespace

std::string report_json(const AbRun& run, const AbReport& rep) {
  const AbSpec& s = run.spec;
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.SetIndent(' ', 2);
  w.StartObject();
  str(w, "name", s.name);
  str(w, "experiment", s.path);
  str(w, "pipeline", s.pipeline);
  str(w, "tasks_file", s.tasks_file);
  str(w, "replays_file", s.replays_file);
  w.Key("tasks");
  w.Int64(static_cast<std::int64_t>(run.tasks.size()));
  num(w, "pass_threshold", s.pass_threshold);
  w.Key("bootstrap");
  w.StartObject();
  w.Key("samples");
  w.Int(s.bootstrap_samples);
  num(w, "confidence", s.confidence);
  w.Key("seed");
  w.Uint64(s.seed);
  w.EndObject();
  strings(w, "set", s.sets);
  str(w, "multiple_comparisons", rep.pairs.size() > 1 ? "holm" : "none");
  strings(w, "warnings", run.warnings);
  w.Key("arms");
  w.StartArray();
  for (std::size_t i = 0; i < run.arms.size(); ++i) arm_json(w, run.arms[i], rep.arms[i]);
  w.EndArray();
  w.Key("pairs");
  w.StartArray();
  for (const auto& p : rep.pairs) pair_json(w, run, p);
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

}  // namespace skillpipe::host::ab
