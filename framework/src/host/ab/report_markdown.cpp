// The A/B comparison as Markdown (report_markdown), and the sentences the HTML page shares
// with it (arm_document, multiple_comparisons_text, agreement_sentence).
#include <cstdio>

#include "host/ab/report.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::host::ab {
namespace {

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

// "0.031 (Holm 0.094)": the raw p, and the Holm-adjusted one when several pairs were compared.
std::string p_text(const PairedTest& t, const std::optional<double>& holm_p, std::size_t pairs) {
  if (t.n == 0) return "n/a (no differences)";
  std::string s = format_p(t) + (t.exact ? "" : " (normal approx.)");
  if (pairs > 1 && holm_p) s += " (Holm " + format_p(*holm_p) + ")";
  return s;
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
  return "| " + md_cell(a.name) + " | " + (sets.empty() ? "none" : md_cell(sets, 300)) + " | " +
         md_cell(arm_document(a.skill_file, a.skill_sha256), 300) + " | " +
         md_cell(arm_document(a.memory_file, a.memory_sha256), 300) + " | " + md_cell(judges) + " | " +
         std::to_string(m.scored) + (m.missing ? " (+" + std::to_string(m.missing) + " failed)" : "") + " | " +
         ci_cell(m.scored, m.hard, m.hard_ci) + " | " + ci_cell(m.scored, m.soft, m.soft_ci) + " | " +
         (m.scored ? fmt("%.1f%%", m.pass_rate * 100) : "n/a") + " | " + from + " | " +
         std::to_string(a.replay.tokens.input) + " / " + std::to_string(a.replay.tokens.output) + " | " +
         std::to_string(a.judging.calls) +
         (a.judging.cached_calls ? " (" + std::to_string(a.judging.cached_calls) + " cached)" : "") + " | " +
         std::to_string(a.judging.tokens.input) + " / " + std::to_string(a.judging.tokens.output) + " | " +
         fmt("%.4f", a.replay.cost_usd + a.judging.cost_usd) + " |\n";
}

std::string join_sets(const std::vector<std::string>& sets) {
  std::string out;
  for (const auto& x : sets) out += (out.empty() ? "" : "`, `") + x;
  return out;
}

std::string pair_markdown(const AbRun& run, const PairSummary& p, std::size_t pairs) {
  const AbSpec& s = run.spec;
  const auto& A = run.arms[p.a];
  const auto& B = run.arms[p.b];
  std::string md = "\n## " + md_cell(B.name) + " vs " + md_cell(A.name) + "\n\n";
  md += "- tasks scored by both: " + std::to_string(p.n) +
        "; same replays: " + (p.same_replays ? "yes" : "**no** (the arms replayed differently)") + "\n";
  md += "- hard, " + B.name + " - " + A.name + ": " + fmt("%+.3f", p.hard_diff) + " [" + fmt("%+.3f", p.hard_diff_ci.lo) +
        ", " + fmt("%+.3f", p.hard_diff_ci.hi) + "]; sign test p = " + p_text(p.hard_sign, p.hard_sign_holm, pairs) + " (" +
        std::to_string(p.hard_sign.positive) + " better, " + std::to_string(p.hard_sign.negative) +
        " worse); Wilcoxon p = " + p_text(p.hard_wilcoxon, p.hard_wilcoxon_holm, pairs) + "\n";
  md += "- soft: " + fmt("%+.3f", p.soft_diff) + " [" + fmt("%+.3f", p.soft_diff_ci.lo) + ", " +
        fmt("%+.3f", p.soft_diff_ci.hi) + "]; Wilcoxon p = " + p_text(p.soft_wilcoxon, p.soft_wilcoxon_holm, pairs) + "\n";
  const auto& g = p.agreement;
  md += "- pass/fail agreement: " + fmt("%.1f%%", g.percent * 100) + ", Cohen's kappa " + fmt("%.3f", g.kappa) +
        (g.kappa_degenerate ? " (every verdict the same on both sides)" : "") + " - both pass " +
        std::to_string(g.both_pass) + ", only " + A.name + " " + std::to_string(g.a_only) + ", only " + B.name + " " +
        std::to_string(g.b_only) + ", both fail " + std::to_string(g.both_fail) + "\n";
  md += "- soft-score correlation (Pearson): " +
        (p.soft_pearson ? fmt("%.3f", *p.soft_pearson) : std::string("n/a (a side is constant)")) + "\n";
  if (p.disagreements.empty()) return md + "\n" + agreement_sentence(p) + "\n";
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

std::string arm_document(const std::string& path, const std::string& sha256) {
  if (path.empty()) return "none";
  return path + " (sha256 " + sha256.substr(0, 12) + ")";
}

std::string multiple_comparisons_text(std::size_t pairs) {
  if (pairs <= 1) return "one pair of arms, so no correction is needed";
  return std::to_string(pairs) +
         " pairs of arms; each test's p-values are also given Holm-adjusted across the pairs (\"Holm\"), "
         "which keeps the chance of any false positive at the stated level";
}

std::string agreement_sentence(const PairSummary& p) {
  std::string s = "Pass/fail verdicts agree on every task";
  if (p.soft_wilcoxon.n > 0)
    s += "; soft scores still differ on " + std::to_string(p.soft_wilcoxon.n) + " task" +
         (p.soft_wilcoxon.n == 1 ? "" : "s") + " (Wilcoxon p = " + format_p(p.soft_wilcoxon) + ")";
  return s + ".";
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
  md += "- multiple comparisons: " + multiple_comparisons_text(rep.pairs.size()) + "\n";
  md += "\n## Arms\n\nEach arm is the base pipeline with the overrides for every arm (" +
        (s.sets.empty() ? std::string("none") : "`" + join_sets(s.sets) + "`") +
        ") and then its own; skill and memory are the documents its replays ran under.\n\n"
        "| arm | overrides | skill | memory | judges | scored | hard (" + conf + " CI) | soft (" + conf +
        " CI) | pass rate | replays | replay tokens in/out | judge calls | judge tokens in/out | cost (USD) |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (std::size_t i = 0; i < run.arms.size(); ++i) md += arm_row(run.arms[i], rep.arms[i]);
  for (const auto& p : rep.pairs) md += pair_markdown(run, p, rep.pairs.size());
  return md;
}


}  // namespace skillpipe::host::ab
