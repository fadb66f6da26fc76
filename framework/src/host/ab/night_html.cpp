// `mode: night` A/B as one self-contained page: what each arm is, its night's test score
// before and after on a labelled axis, and each pair's tests (raw and Holm-adjusted p).
#include "host/ab/html.hpp"
#include "host/ab/night.hpp"
#include "host/report/parts.hpp"

namespace skillpipe::host::ab {
namespace {

using report::esc;
using report::esc_cut;

std::string score(const std::optional<double>& v) {
  return v ? report::fmt_score(*v) : std::string("<span class='na'>not measured</span>");
}

// Test score before (grey) and after (blue) per arm on a 0..1 axis.
std::string test_plot_svg(const NightRun& run) {
  const int row = 30, left = 150, width = 460, top = 24;
  const int height = top + static_cast<int>(run.arms.size()) * row + 42;
  auto x = [&](double v) { return left + static_cast<int>(v * width + 0.5); };
  std::string s = unit_axis_svg({left, width, top, height}, "Test score per arm before and after its night",
                                "held-out test score (0–1)");
  s += "<text x='" + std::to_string(left) + "' y='14' class='legend'><tspan class='soft'>&#9679; before (live "
       "documents)</tspan>  <tspan class='hard'>&#9679; after the arm's night</tspan></text>";
  for (std::size_t a = 0; a < run.arms.size(); ++a) {
    const NightReport& r = run.arms[a].report;
    const int y = top + static_cast<int>(a) * row + row / 2;
    s += "<text x='" + std::to_string(left - 8) + "' y='" + std::to_string(y + 4) + "' class='arm'>" +
         esc_cut(run.arms[a].name, 20) + "</text>";
    if (!r.baseline_test && !r.candidate_test) {
      s += "<text x='" + std::to_string(left + 4) + "' y='" + std::to_string(y + 4) + "' class='na'>not measured</text>";
      continue;
    }
    for (const auto& [v, cls] : {std::pair{r.baseline_test, "soft"}, std::pair{r.candidate_test, "hard"}})
      if (v)
        s += "<g class='" + std::string(cls) + "'><circle cx='" + std::to_string(x(*v)) + "' cy='" + std::to_string(y) +
             "' r='5'/></g>";
  }
  return s + "</svg>";
}

std::string arms_table(const NightRun& run) {
  std::string h = "<div class='wrap'><table><tr><th>arm</th><th>its own overrides</th><th>gate</th>"
                  "<th>val before → after</th><th>test before → after</th><th>edits kept / rejected</th>"
                  "<th>LLM calls (cached)</th><th>cost (USD)</th></tr>";
  for (const auto& a : run.arms) {
    const NightReport& r = a.report;
    std::string sets;
    for (const auto& x : a.sets) sets += (sets.empty() ? "" : "<br>") + esc(x);
    const std::string gate = a.exit_code != 0 ? "<b>failed</b> (exit " + std::to_string(a.exit_code) + ")"
                                              : esc(r.gate_action ? to_string(*r.gate_action) : "none");
    h += "<tr><td><b>" + esc(a.name) + "</b></td><td><code>" + (sets.empty() ? "none" : sets) + "</code></td><td>" +
         gate + "<br><small>" + esc_cut(r.gate_reason, 200) + "</small></td><td>" + score(r.baseline_val) + " → " +
         score(r.candidate_val) + "</td><td>" + esc(test_tasks_text(a)) + "</td><td>" +
         std::to_string(r.accepted_edits.size()) + " / " + std::to_string(r.rejected_edits.size()) + "</td><td>" +
         std::to_string(r.llm_calls) + " (" + std::to_string(r.cached_calls) + ")</td><td>" +
         report::fmt(r.cost_usd, "%.4f") + "</td></tr>";
  }
  return h + "</table></div>";
}

std::string p_cell(const PairedTest& t, const std::optional<double>& holm_p, std::size_t pairs) {
  if (t.n == 0) return "<span class='na'>n/a</span>";
  return format_p(t) + (pairs > 1 && holm_p ? " <small>(Holm " + format_p(*holm_p) + ")</small>" : "");
}

std::string pairs_table(const NightRun& run) {
  std::string h = "<div class='wrap'><table><tr><th>pair (b vs a)</th><th>test tasks in both</th>"
                  "<th>test score diff (b−a)</th><th>sign p</th><th>Wilcoxon p</th></tr>";
  for (const auto& p : run.pairs) {
    h += "<tr><td>" + esc(run.arms[p.b].name) + " vs " + esc(run.arms[p.a].name) + "</td><td>" +
         std::to_string(p.n) + "</td>";
    if (p.n == 0) {
      h += "<td colspan='3' class='na'>no test task is scored by both nights (per-task test scores exist only when "
           "a gate accepted a candidate); compare the test column above</td></tr>";
      continue;
    }
    h += "<td>" + report::fmt(p.diff, "%+.3f") + " [" + report::fmt(p.diff_ci.lo, "%+.3f") + ", " +
         report::fmt(p.diff_ci.hi, "%+.3f") + "]" +
         (p.baseline_from_other.empty() ? ""
                                        : "<br><small>" + esc(p.baseline_from_other) +
                                              " kept its baseline: its scores are the other night's baseline</small>") +
         "</td><td>" + p_cell(p.sign, p.sign_holm, run.pairs.size()) + "</td><td>" +
         p_cell(p.wilcoxon, p.wilcoxon_holm, run.pairs.size()) + "</td></tr>";
  }
  return h + "</table></div>";
}

}  // namespace

std::string night_report_html(const NightRun& run) {
  const AbSpec& s = run.spec;
  const std::string name = s.name.empty() ? s.path : s.name;
  std::string sets;
  for (const auto& x : s.sets) sets += (sets.empty() ? "" : ", ") + x;
  std::string h = page_open("skillpipe A/B of nights: " + name);
  h += "<h1>A/B of nights: " + esc(name) + "</h1><div class='wrap'><table class='kv'>";
  h += "<tr><th>experiment</th><td>" + esc(s.path) + "</td></tr><tr><th>base pipeline</th><td><code>" +
       esc(s.pipeline) + "</code></td></tr><tr><th>overrides for every arm</th><td>" +
       (sets.empty() ? std::string("none") : "<code>" + esc(sets) + "</code>") + "</td></tr>";
  h += "<tr><th>how</th><td>each arm ran its own night (stores under <code>" + esc(run.work_dir) +
       "/arms/</code>, one shared response cache); nothing was adopted. Compared on the held-out test split, task by "
       "task where both nights report test scores.</td></tr>";
  h += "<tr><th>intervals</th><td>" + report::fmt(s.confidence * 100, "%.0f%%") + " paired bootstrap, " +
       std::to_string(s.bootstrap_samples) + " resamples, seed " + std::to_string(s.seed) + "</td></tr>";
  h += "<tr><th>multiple comparisons</th><td>" + esc(multiple_comparisons_text(run.pairs.size())) + "</td></tr>";
  h += "</table></div><h2>Arms</h2>" + test_plot_svg(run) + arms_table(run);
  for (const auto& a : run.arms)
    for (const auto& e : a.errors) h += "<p><b>arm " + esc(a.name) + ":</b> " + esc_cut(e, 400) + "</p>";
  h += "<h2>Between arms</h2>" + pairs_table(run);
  return h + "</body></html>\n";
}

}  // namespace skillpipe::host::ab
