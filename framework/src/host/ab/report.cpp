#include "host/ab/report.hpp"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <cmath>
#include <cstdio>

#include "skillpipe/kit/util.hpp"

namespace skillpipe::host::ab {

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
void test(Writer& w, const char* key, const PairedTest& t) {
  w.Key(key);
  w.StartObject();
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

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string md_cell(std::string s, std::size_t max = 160) {
  for (char& c : s)
    if (c == '\n' || c == '\r' || c == '|') c = c == '|' ? '/' : ' ';
  return truncate_utf8(s, max);
}

// One arm's verdict on one task, for a table cell.
std::string verdict_cell(const ArmTask& t, double threshold) {
  if (!t.hard) return "no score";
  std::string out = std::string(*t.hard >= threshold ? "**pass**" : "**fail**") + " hard " + fmt("%.2f", *t.hard) +
                    ", soft " + fmt("%.2f", *t.soft);
  for (const auto& v : t.verdicts) {
    std::string why = v.rationale;
    for (const auto& c : v.failed_criteria) why += (why.empty() ? "" : "; ") + c;
    if (!why.empty()) out += " - " + v.judge_id + ": " + why;
  }
  return md_cell(out, 300);
}

std::string p_text(const PairedTest& t) {
  return t.n == 0 ? "n/a (no differences)" : fmt("%.4g", t.p_value) + (t.exact ? "" : " (normal approx.)");
}

void arm_json(Writer& w, const ArmResult& a, const ArmSummary& m) {
  w.StartObject();
  str(w, "name", a.name);
  strings(w, "set", a.sets);
  strings(w, "judges", a.judges);
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
  test(w, "hard_sign_test", p.hard_sign);
  test(w, "hard_wilcoxon", p.hard_wilcoxon);
  num(w, "soft_diff", p.soft_diff);
  interval(w, "soft_diff_ci", p.soft_diff_ci);
  test(w, "soft_wilcoxon", p.soft_wilcoxon);
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

std::string ci_cell(bool scored, double v, const Interval& ci) {
  return scored ? fmt("%.3f", v) + " [" + fmt("%.3f", ci.lo) + ", " + fmt("%.3f", ci.hi) + "]" : "n/a";
}

std::string arm_row(const ArmResult& a, const ArmSummary& m) {
  std::string sets, judges;
  for (const auto& x : a.sets) sets += (sets.empty() ? "`" : ", `") + x + "`";
  for (const auto& x : a.judges) judges += (judges.empty() ? "" : ", ") + x;
  const std::string from = a.replays_from.empty()     ? "own (" + a.replay_fingerprint.substr(0, 8) + ")"
                           : a.replays_from == "file" ? "file (" + a.replay_fingerprint.substr(0, 8) + ")"
                                                      : "shared with " + a.replays_from;
  return "| " + md_cell(a.name) + " | " + (sets.empty() ? "(base)" : md_cell(sets, 300)) + " | " + md_cell(judges) +
         " | " + std::to_string(m.scored) + (m.missing ? " (+" + std::to_string(m.missing) + " failed)" : "") + " | " +
         ci_cell(m.scored, m.hard, m.hard_ci) + " | " + ci_cell(m.scored, m.soft, m.soft_ci) + " | " +
         (m.scored ? fmt("%.1f%%", m.pass_rate * 100) : "n/a") + " | " + from + " | " +
         std::to_string(a.replay.tokens.input) + " / " + std::to_string(a.replay.tokens.output) + " | " +
         std::to_string(a.judging.calls) +
         (a.judging.cached_calls ? " (" + std::to_string(a.judging.cached_calls) + " cached)" : "") + " | " +
         std::to_string(a.judging.tokens.input) + " / " + std::to_string(a.judging.tokens.output) + " | " +
         fmt("%.4f", a.replay.cost_usd + a.judging.cost_usd) + " |\n";
}

std::string pair_markdown(const AbRun& run, const PairSummary& p) {
  const AbSpec& s = run.spec;
  const auto& A = run.arms[p.a];
  const auto& B = run.arms[p.b];
  std::string md = "\n## " + md_cell(B.name) + " vs " + md_cell(A.name) + "\n\n";
  md += "- tasks scored by both: " + std::to_string(p.n) +
        "; same replays: " + (p.same_replays ? "yes" : "**no** (the arms replayed differently)") + "\n";
  md += "- hard, " + B.name + " - " + A.name + ": " + fmt("%+.3f", p.hard_diff) + " [" + fmt("%+.3f", p.hard_diff_ci.lo) +
        ", " + fmt("%+.3f", p.hard_diff_ci.hi) + "]; sign test p = " + p_text(p.hard_sign) + " (" +
        std::to_string(p.hard_sign.positive) + " better, " + std::to_string(p.hard_sign.negative) +
        " worse); Wilcoxon p = " + p_text(p.hard_wilcoxon) + "\n";
  md += "- soft: " + fmt("%+.3f", p.soft_diff) + " [" + fmt("%+.3f", p.soft_diff_ci.lo) + ", " +
        fmt("%+.3f", p.soft_diff_ci.hi) + "]; Wilcoxon p = " + p_text(p.soft_wilcoxon) + "\n";
  const auto& g = p.agreement;
  md += "- pass/fail agreement: " + fmt("%.1f%%", g.percent * 100) + ", Cohen's kappa " + fmt("%.3f", g.kappa) +
        (g.kappa_degenerate ? " (every verdict the same on both sides)" : "") + " - both pass " +
        std::to_string(g.both_pass) + ", only " + A.name + " " + std::to_string(g.a_only) + ", only " + B.name + " " +
        std::to_string(g.b_only) + ", both fail " + std::to_string(g.both_fail) + "\n";
  md += "- soft-score correlation (Pearson): " +
        (p.soft_pearson ? fmt("%.3f", *p.soft_pearson) : std::string("n/a (a side is constant)")) + "\n";
  if (p.disagreements.empty()) return md + "\nThe arms agree on every task.\n";
  const std::size_t shown = std::min<std::size_t>(p.disagreements.size(), static_cast<std::size_t>(s.max_disagreements));
  md += "\n### Tasks where they disagree (" + std::to_string(shown) + " of " + std::to_string(p.disagreements.size()) +
        ")\n\n| task | intent | " + md_cell(A.name) + " | " + md_cell(B.name) + " |\n|---|---|---|---|\n";
  for (std::size_t k = 0; k < shown; ++k) {
    const std::size_t t = p.disagreements[k];
    md += "| `" + md_cell(run.tasks[t].id, 80) + "` | " + md_cell(run.tasks[t].intent, 120) + " | " +
          verdict_cell(A.tasks[t], s.pass_threshold) + " | " + verdict_cell(B.tasks[t], s.pass_threshold) + " |\n";
  }
  return md;
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

std::string report_markdown(const AbRun& run, const AbReport& rep) {
  const AbSpec& s = run.spec;
  const std::string conf = fmt("%.0f%%", s.confidence * 100);
  std::string splits;
  for (const auto& x : s.splits) splits += (splits.empty() ? "" : ", ") + x;
  std::string md = "# A/B: " + (s.name.empty() ? s.path : s.name) + "\n\n";
  md += "- base pipeline: `" + s.pipeline + "`\n";
  md += "- tasks: " + std::to_string(run.tasks.size()) + " from `" + s.tasks_file + "`" +
        (s.splits.empty() ? "" : " (splits: " + splits + ")") + "\n";
  md += s.replays_file.empty() ? "- replays: made once per distinct replay setup and shared by the arms that have it\n"
                               : "- replays: recorded, from `" + s.replays_file + "`\n";
  md += "- pass = hard >= " + fmt("%.2f", s.pass_threshold) + "; intervals: " + conf + " percentile bootstrap (" +
        std::to_string(s.bootstrap_samples) + " resamples, seed " + std::to_string(s.seed) + ")\n";
  for (const auto& wmsg : run.warnings) md += "- warning: " + md_cell(wmsg, 400) + "\n";
  md += "\n## Arms\n\n| arm | overrides | judges | scored | hard (" + conf + " CI) | soft (" + conf +
        " CI) | pass rate | replays | replay tokens in/out | judge calls | judge tokens in/out | cost (USD) |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (std::size_t i = 0; i < run.arms.size(); ++i) md += arm_row(run.arms[i], rep.arms[i]);
  for (const auto& p : rep.pairs) md += pair_markdown(run, p);
  return md;
}

}  // namespace skillpipe::host::ab
