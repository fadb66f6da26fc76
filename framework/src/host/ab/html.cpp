#include "host/ab/html.hpp"

#include "host/report/parts.hpp"

namespace skillpipe::host::ab {
namespace {

using report::esc;
using report::esc_cut;
using report::fmt_score;


// Each arm's mean hard and soft score as a dot with its interval as a bar, on a 0..1 axis.
std::string interval_plot_svg(const AbRun& run, const AbReport& rep) {
  const std::string conf = report::fmt(run.spec.confidence * 100, "%.0f%%");
  const int row = 34, left = 150, width = 460, top = 26;
  const int height = top + static_cast<int>(run.arms.size()) * row + 42;
  auto x = [&](double v) { return left + static_cast<int>(v * width + 0.5); };
  std::string s = unit_axis_svg({left, width, top, height}, "Scores per arm with bootstrap intervals",
                                "mean score per arm (0–1); bar: " + conf + " bootstrap interval");
  s += "<text x='" + std::to_string(left) + "' y='14' class='legend'><tspan class='hard'>&#9679; hard</tspan>"
       "  <tspan class='soft'>&#9679; soft</tspan></text>";
  for (std::size_t a = 0; a < run.arms.size(); ++a) {
    const auto& sum = rep.arms[a];
    const int y = top + static_cast<int>(a) * row + row / 2;
    s += "<text x='" + std::to_string(left - 8) + "' y='" + std::to_string(y + 4) + "' class='arm'>" +
         esc_cut(run.arms[a].name, 20) + "</text>";
    auto mark = [&](double mean, const Interval& ci, int dy, const char* cls, const char* what) {
      const int yy = y + dy;
      s += "<g class='" + std::string(cls) + "'><title>" + esc(run.arms[a].name) + " " + what + ": " +
           fmt_score(mean) + " [" + fmt_score(ci.lo) + ", " + fmt_score(ci.hi) + "]</title>";
      s += "<line x1='" + std::to_string(x(ci.lo)) + "' y1='" + std::to_string(yy) + "' x2='" +
           std::to_string(x(ci.hi)) + "' y2='" + std::to_string(yy) + "'/>";
      s += "<circle cx='" + std::to_string(x(mean)) + "' cy='" + std::to_string(yy) + "' r='4'/></g>";
    };
    if (sum.scored > 0) {
      mark(sum.hard, sum.hard_ci, -5, "hard", "hard");
      mark(sum.soft, sum.soft_ci, 5, "soft", "soft");
    } else {
      s += "<text x='" + std::to_string(left + 4) + "' y='" + std::to_string(y + 4) + "' class='na'>not measured</text>";
    }
  }
  return s + "</svg>";
}

std::string verdict_cell(const ArmTask& t) {
  if (!t.hard) return "<td class='na'>no score</td>";
  std::string why;
  for (const auto& v : t.verdicts) {
    for (const auto& c : v.failed_criteria) why += (why.empty() ? "" : "; ") + c;
    if (why.empty() && !v.rationale.empty()) why = v.rationale;
  }
  return "<td><b>" + fmt_score(*t.hard) + "</b> / " + fmt_score(t.soft.value_or(0)) + "<br><small>" +
         esc_cut(why, 240) + "</small></td>";
}

// "0.031", "0.031 (Holm 0.094)" when several pairs were compared, or "n/a".
std::string p_cell(const PairedTest& t, const std::optional<double>& holm_p, std::size_t pairs) {
  if (t.n == 0) return "<span class='na'>n/a</span>";
  std::string s = format_p(t);
  if (pairs > 1 && holm_p) s += " <small>(Holm " + format_p(*holm_p) + ")</small>";
  return s;
}

std::string setting_rows(const AbRun& run, std::size_t pairs) {
  const AbSpec& s = run.spec;
  std::string sets;
  for (const auto& x : s.sets) sets += (sets.empty() ? "" : ", ") + x;
  auto row = [](const std::string& k, const std::string& v) { return "<tr><th>" + k + "</th><td>" + v + "</td></tr>"; };
  std::string h = "<div class='wrap'><table class='kv'>";
  h += row("experiment", esc(s.name.empty() ? "(unnamed)" : s.name) + "<br><small>" + esc(s.path) + "</small>");
  h += row("base pipeline", "<code>" + esc(s.pipeline) + "</code>");
  h += row("tasks", std::to_string(run.tasks.size()) + " from <code>" + esc(s.tasks_file) + "</code>");
  h += row("replays", s.replays_file.empty() ? "made once per distinct replay setup, shared by the arms that have it"
                                             : "recorded, from <code>" + esc(s.replays_file) + "</code>");
  h += row("overrides for every arm", sets.empty() ? "none" : "<code>" + esc(sets) + "</code>");
  h += row("pass threshold", "a task passes when its hard score ≥ " + report::fmt(s.pass_threshold, "%.2f"));
  h += row("intervals", report::fmt(s.confidence * 100, "%.0f%%") + " percentile bootstrap, " +
                            std::to_string(s.bootstrap_samples) + " resamples, seed " + std::to_string(s.seed));
  h += row("multiple comparisons", esc(multiple_comparisons_text(pairs)));
  for (const auto& w : run.warnings) h += row("warning", esc_cut(w, 400));
  return h + "</table></div>";
}

std::string definitions_table(const AbRun& run) {
  std::string h = "<div class='wrap'><table><tr><th>arm</th><th>its own overrides</th><th>skill</th><th>memory</th>"
                  "<th>judges</th><th>replays</th></tr>";
  for (const auto& arm : run.arms) {
    std::string sets, judges;
    for (const auto& x : arm.sets) sets += (sets.empty() ? "" : "<br>") + esc(x);
    for (const auto& x : arm.judges) judges += (judges.empty() ? "" : "<br>") + esc(x);
    h += "<tr><td><b>" + esc(arm.name) + "</b></td><td><code>" + (sets.empty() ? "none" : sets) + "</code></td><td>" +
         esc(arm_document(arm.skill_file, arm.skill_sha256)) + "</td><td>" +
         esc(arm_document(arm.memory_file, arm.memory_sha256)) + "</td><td>" + judges + "</td><td>" +
         esc(arm.replays_from.empty() ? "own" : arm.replays_from == "file" ? "file" : "shared with " + arm.replays_from) +
         "<br><small>" + esc(arm.replay_fingerprint) + "</small></td></tr>";
  }
  return h + "</table></div>";
}

std::string scores_table(const AbRun& run, const AbReport& rep) {
  std::string h = "<div class='wrap'><table><tr><th>arm</th><th>hard</th><th>soft</th><th>pass rate</th>"
                  "<th>scored</th><th>judge tokens</th></tr>";
  for (std::size_t a = 0; a < run.arms.size(); ++a) {
    const auto& arm = run.arms[a];
    const auto& s = rep.arms[a];
    h += "<tr><td>" + esc(arm.name) + "</td>";
    if (s.scored > 0) {
      h += "<td>" + fmt_score(s.hard) + " [" + fmt_score(s.hard_ci.lo) + ", " + fmt_score(s.hard_ci.hi) + "]</td>";
      h += "<td>" + fmt_score(s.soft) + " [" + fmt_score(s.soft_ci.lo) + ", " + fmt_score(s.soft_ci.hi) + "]</td>";
      h += "<td>" + report::fmt(100 * s.pass_rate, "%.1f%%") + "</td>";
    } else {
      h += "<td class='na' colspan='3'>not measured</td>";
    }
    h += "<td>" + std::to_string(s.scored) + (s.missing ? " (" + std::to_string(s.missing) + " failed)" : "") +
         "</td><td>" + report::fmt_int(arm.judging.tokens.total()) + "</td></tr>";
  }
  return h + "</table></div>";
}

std::string diff_cell(double d, const Interval& ci) {
  return report::fmt(d, "%+.3f") + " [" + report::fmt(ci.lo, "%+.3f") + ", " + report::fmt(ci.hi, "%+.3f") + "]";
}

std::string pairs_table(const AbRun& run, const AbReport& rep) {
  const std::size_t np = rep.pairs.size();
  std::string h = "<div class='wrap'><table><tr><th>pair (b vs a)</th><th>n</th><th>hard diff (b−a)</th>"
                  "<th>hard: sign p</th><th>hard: Wilcoxon p</th><th>soft diff</th><th>soft: Wilcoxon p</th>"
                  "<th>pass/fail agreement</th><th>Cohen's κ</th><th>soft r</th></tr>";
  for (const auto& p : rep.pairs) {
    const Agreement& g = p.agreement;
    h += "<tr><td>" + esc(run.arms[p.b].name) + " vs " + esc(run.arms[p.a].name) +
         (p.same_replays ? "<br><small>same replays</small>" : "<br><small>different replays</small>") + "</td><td>" +
         std::to_string(p.n) + "</td><td>" + diff_cell(p.hard_diff, p.hard_diff_ci) + "</td><td>" +
         p_cell(p.hard_sign, p.hard_sign_holm, np) + "</td><td>" + p_cell(p.hard_wilcoxon, p.hard_wilcoxon_holm, np) +
         "</td><td>" + diff_cell(p.soft_diff, p.soft_diff_ci) + "</td><td>" +
         p_cell(p.soft_wilcoxon, p.soft_wilcoxon_holm, np) + "</td><td>" +
         (g.n ? report::fmt(100 * g.percent, "%.1f%%") : std::string("<span class='na'>n/a</span>")) + "</td><td>" +
         (g.n && !g.kappa_degenerate ? report::fmt(g.kappa, "%.3f")
                                     : std::string("<span class='na'>n/a</span>") +
                                           (g.kappa_degenerate ? "<br><small>every verdict the same</small>" : "")) +
         "</td><td>" +
         (p.soft_pearson ? report::fmt(*p.soft_pearson, "%.3f") : std::string("<span class='na'>n/a</span>")) +
         "</td></tr>";
  }
  return h + "</table></div>";
}

std::string disagreements_html(const AbRun& run, const AbReport& rep) {
  std::string h;
  for (const auto& p : rep.pairs) {
    const std::string a = esc(run.arms[p.a].name), b = esc(run.arms[p.b].name);
    if (p.disagreements.empty()) {
      h += "<p><b>" + b + " vs " + a + ":</b> " + esc(agreement_sentence(p)) + "</p>";
      continue;
    }
    h += "<h2>Where " + a + " and " + b + " disagree on pass/fail (" + std::to_string(p.disagreements.size()) +
         ")</h2><div class='wrap'><table><tr><th>task</th><th>" + a + " (hard / soft)</th><th>" + b + "</th></tr>";
    for (std::size_t t : p.disagreements)
      h += "<tr><td>" + esc(run.tasks[t].id) + "<br><small>" + esc_cut(run.tasks[t].intent, 160) + "</small></td>" +
           verdict_cell(run.arms[p.a].tasks[t]) + verdict_cell(run.arms[p.b].tasks[t]) + "</tr>";
    h += "</table></div>";
  }
  return h;
}

}  // namespace

std::string unit_axis_svg(const PlotBox& b, const std::string& aria_label, const std::string& axis_label) {
  auto x = [&](double v) { return b.left + static_cast<int>(v * b.width + 0.5); };
  std::string s = "<svg viewBox='0 0 " + std::to_string(b.left + b.width + 30) + " " + std::to_string(b.height) +
                  "' role='img' aria-label='" + esc(aria_label) + "'>";
  for (int i = 0; i <= 10; ++i) {
    const int gx = x(i / 10.0);
    s += "<line x1='" + std::to_string(gx) + "' y1='" + std::to_string(b.top - 6) + "' x2='" + std::to_string(gx) +
         "' y2='" + std::to_string(b.height - 38) + "' class='grid'/>";
    if (i % 2 == 0)
      s += "<text x='" + std::to_string(gx) + "' y='" + std::to_string(b.height - 24) + "' class='tick'>" +
           report::fmt(i / 10.0, "%.1f") + "</text>";
  }
  return s + "<text x='" + std::to_string(b.left + b.width / 2) + "' y='" + std::to_string(b.height - 4) +
         "' class='axlabel'>" + esc(axis_label) + "</text>";
}

std::string page_open(const std::string& title) {
  return "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
         "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">"
         "<meta name='viewport' content='width=device-width,initial-scale=1'><title>" +
         esc(title) +
         "</title><style>"
         "body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1080px;padding:12px;color:#1d232a}"
         "table{border-collapse:collapse;width:100%;margin:8px 0 18px}td,th{border-bottom:1px solid #dde2e8;"
         "padding:5px 6px;text-align:left;vertical-align:top}th{background:#f2f4f7}small{color:#5b6573}"
         "table.kv th{width:13em}code{overflow-wrap:anywhere}"
         "svg{width:100%;height:auto;max-width:700px}.grid{stroke:#e4e8ee}.tick{font-size:11px;text-anchor:middle;"
         "fill:#5b6573}.axlabel{font-size:12px;font-weight:600;text-anchor:middle;fill:#1d232a}"
         ".arm{font-size:12px;text-anchor:end}.legend{font-size:12px}.hard line,.hard circle{"
         "stroke:#2458c6;fill:#2458c6;stroke-width:3}.soft line,.soft circle{stroke:#d9822b;fill:#d9822b;"
         "stroke-width:3}tspan.hard{fill:#2458c6}tspan.soft{fill:#d9822b}.na{color:#8a94a3;font-style:italic}"
         ".wrap{overflow-x:auto}@media (prefers-color-scheme:dark){body{background:#14181d;color:#e3e7ec}"
         "th{background:#1f252c}td,th{border-color:#2c333b}.arm,.legend,.tick,.axlabel{fill:#c9d1da}}</style></head>"
         "<body>";
}

std::string report_html(const AbRun& run, const AbReport& rep) {
  std::string h = page_open("skillpipe A/B: " + (run.spec.name.empty() ? run.spec.path : run.spec.name));
  h += "<h1>A/B comparison: " + esc(run.spec.name.empty() ? run.spec.path : run.spec.name) + "</h1><p>" +
       std::to_string(run.tasks.size()) + " task(s), " + std::to_string(run.arms.size()) +
       " arm(s). Scores are means over tasks with a score; intervals are bootstrap intervals of the mean.</p>";
  h += setting_rows(run, rep.pairs.size());
  h += "<h2>What each arm is</h2>" + definitions_table(run);
  h += "<h2>Scores per arm</h2>" + interval_plot_svg(run, rep) + scores_table(run, rep);
  h += "<h2>Between arms</h2>" + pairs_table(run, rep) + disagreements_html(run, rep);
  return h + "</body></html>\n";
}

}  // namespace skillpipe::host::ab
