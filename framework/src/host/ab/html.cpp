#include "host/ab/html.hpp"

#include "host/report/parts.hpp"

namespace skillpipe::host::ab {
namespace {

using report::esc;
using report::esc_cut;
using report::fmt_score;

// Each arm's mean hard and soft score as a dot with its interval as a bar, on a 0..1 axis.
std::string interval_plot_svg(const AbRun& run, const AbReport& rep) {
  const int row = 34, left = 150, width = 460, top = 26;
  const int height = top + static_cast<int>(run.arms.size()) * row + 24;
  auto x = [&](double v) { return left + static_cast<int>(v * width + 0.5); };
  std::string s = "<svg viewBox='0 0 " + std::to_string(left + width + 30) + " " + std::to_string(height) +
                  "' role='img' aria-label='Scores per arm with bootstrap intervals'>";
  for (int i = 0; i <= 10; ++i) {
    const int gx = x(i / 10.0);
    s += "<line x1='" + std::to_string(gx) + "' y1='" + std::to_string(top - 6) + "' x2='" + std::to_string(gx) +
         "' y2='" + std::to_string(height - 20) + "' class='grid'/>";
    if (i % 2 == 0)
      s += "<text x='" + std::to_string(gx) + "' y='" + std::to_string(height - 6) + "' class='tick'>" +
           fmt_score(i / 10.0).substr(0, 3) + "</text>";
  }
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

}  // namespace

std::string report_html(const AbRun& run, const AbReport& rep) {
  std::string h =
      "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
      "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">"
      "<meta name='viewport' content='width=device-width,initial-scale=1'><title>skillpipe A/B</title><style>"
      "body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:980px;padding:12px;color:#1d232a}"
      "table{border-collapse:collapse;width:100%;margin:8px 0 18px}td,th{border-bottom:1px solid #dde2e8;"
      "padding:5px 6px;text-align:left;vertical-align:top}th{background:#f2f4f7}small{color:#5b6573}"
      "svg{width:100%;height:auto;max-width:700px}.grid{stroke:#e4e8ee}.tick{font-size:11px;text-anchor:middle;"
      "fill:#5b6573}.arm{font-size:12px;text-anchor:end}.legend{font-size:12px}.hard line,.hard circle{"
      "stroke:#2458c6;fill:#2458c6;stroke-width:3}.soft line,.soft circle{stroke:#d9822b;fill:#d9822b;"
      "stroke-width:3}tspan.hard{fill:#2458c6}tspan.soft{fill:#d9822b}.na{color:#8a94a3;font-style:italic}"
      ".wrap{overflow-x:auto}@media (prefers-color-scheme:dark){body{background:#14181d;color:#e3e7ec}"
      "th{background:#1f252c}td,th{border-color:#2c333b}.arm,.legend,.tick{fill:#c9d1da}}</style></head><body>";
  h += "<h1>A/B comparison</h1><p>" + std::to_string(run.tasks.size()) + " task(s), " +
       std::to_string(run.arms.size()) + " arm(s). Scores are means over tasks with a score; intervals are "
       "bootstrap intervals of the mean.</p>";
  h += "<h2>Scores per arm</h2>" + interval_plot_svg(run, rep);
  h += "<div class='wrap'><table><tr><th>arm</th><th>hard</th><th>soft</th><th>pass rate</th><th>scored</th>"
       "<th>replays</th><th>judge tokens</th></tr>";
  for (std::size_t a = 0; a < run.arms.size(); ++a) {
    const auto& arm = run.arms[a];
    const auto& s = rep.arms[a];
    h += "<tr><td>" + esc(arm.name) + "<br><small>" + esc_cut([&] {
           std::string j;
           for (const auto& x : arm.judges) j += (j.empty() ? "" : ", ") + x;
           return j;
         }(), 200) + "</small></td>";
    if (s.scored > 0) {
      h += "<td>" + fmt_score(s.hard) + " [" + fmt_score(s.hard_ci.lo) + ", " + fmt_score(s.hard_ci.hi) + "]</td>";
      h += "<td>" + fmt_score(s.soft) + " [" + fmt_score(s.soft_ci.lo) + ", " + fmt_score(s.soft_ci.hi) + "]</td>";
      h += "<td>" + fmt_score(s.pass_rate) + "</td>";
    } else {
      h += "<td class='na' colspan='3'>not measured</td>";
    }
    h += "<td>" + std::to_string(s.scored) + (s.missing ? " (" + std::to_string(s.missing) + " failed)" : "") +
         "</td><td>" + esc(arm.replays_from.empty() ? "fresh" : arm.replays_from) + "<br><small>" +
         esc(arm.replay_fingerprint) + "</small></td><td>" + report::fmt_int(arm.judging.tokens.total()) +
         "</td></tr>";
  }
  h += "</table></div><h2>Between arms</h2><div class='wrap'><table><tr><th>pair</th><th>n</th>"
       "<th>hard diff (b−a)</th><th>soft diff</th><th>sign / Wilcoxon p</th><th>agreement</th>"
       "<th>Cohen's κ</th><th>soft r</th></tr>";
  for (const auto& p : rep.pairs) {
    h += "<tr><td>" + esc(run.arms[p.a].name) + " → " + esc(run.arms[p.b].name) +
         (p.same_replays ? "<br><small>same replays</small>" : "") + "</td><td>" + std::to_string(p.n) + "</td>";
    h += "<td>" + report::fmt(p.hard_diff, "%+.3f") + " [" + report::fmt(p.hard_diff_ci.lo, "%+.3f") + ", " +
         report::fmt(p.hard_diff_ci.hi, "%+.3f") + "]</td>";
    h += "<td>" + report::fmt(p.soft_diff, "%+.3f") + " [" + report::fmt(p.soft_diff_ci.lo, "%+.3f") + ", " +
         report::fmt(p.soft_diff_ci.hi, "%+.3f") + "]</td>";
    h += "<td>" + report::fmt(p.hard_sign.p_value, "%.3f") + " / " + report::fmt(p.hard_wilcoxon.p_value, "%.3f") +
         "</td><td>" + report::fmt(100 * p.agreement.percent, "%.1f") + "%</td><td>" +
         report::fmt(p.agreement.kappa, "%.3f") + "</td><td>" +
         (p.soft_pearson ? report::fmt(*p.soft_pearson, "%.3f") : std::string("<span class='na'>n/a</span>")) +
         "</td></tr>";
  }
  h += "</table></div>";
  for (const auto& p : rep.pairs) {
    if (p.disagreements.empty()) continue;
    h += "<h2>Where " + esc(run.arms[p.a].name) + " and " + esc(run.arms[p.b].name) + " disagree (" +
         std::to_string(p.disagreements.size()) + ")</h2><div class='wrap'><table><tr><th>task</th><th>" +
         esc(run.arms[p.a].name) + " (hard / soft)</th><th>" + esc(run.arms[p.b].name) + "</th></tr>";
    for (std::size_t t : p.disagreements)
      h += "<tr><td>" + esc(run.tasks[t].id) + "<br><small>" + esc_cut(run.tasks[t].intent, 160) + "</small></td>" +
           verdict_cell(run.arms[p.a].tasks[t]) + verdict_cell(run.arms[p.b].tasks[t]) + "</tr>";
    h += "</table></div>";
  }
  return h + "</body></html>\n";
}

}  // namespace skillpipe::host::ab
