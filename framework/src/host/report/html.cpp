// The HTML night report: assembles the sections (see parts.hpp for the pieces).
#include "host/report/html.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

#include "host/report/parts.hpp"
#include "host/report/sections.hpp"
#include "host/report/style.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::host {
namespace {

using namespace report;

struct GateView {
  const char* cls;  // ok | bad | warn | "" (neutral)
  const char* title;
  const char* meaning;
  std::string badge() const {
    const std::string c = cls;
    return c == "ok" ? "st-ok" : c == "bad" ? "st-bad" : c == "warn" ? "st-warn" : "st-other";
  }
};

GateView gate_view(const std::optional<GateAction>& action) {
  if (!action) return {"", "Gate", ""};
  switch (*action) {
    case GateAction::kAccept:
      return {"ok", "Accepted",
              "The candidate beat the live skill on the validation tasks; its proposals are ready to adopt."};
    case GateAction::kReject:
      return {"bad", "Rejected",
              "The candidate did not beat the live skill on the validation tasks; the live skill stays as it is."};
    case GateAction::kRejectUnverified:
      return {"warn", "Not verified",
              "The proposals could not be checked on held-out tasks. They are staged as unverified suggestions and "
              "are never adopted automatically."};
    case GateAction::kNoEdits: return {"", "No edits", "Nothing was worth proposing this night."};
    case GateAction::kOffline:
      return {"warn", "Offline draft",
              "No LLM was used to replay tasks: skills were drafted from the evidence in your sessions and not scored."};
    case GateAction::kBudgetStopped:
      return {"warn", "Stopped by the budget",
              "The night reached its token or cost budget before the gate could decide; nothing was accepted."};
    default: return {"", "Gate", ""};
  }
}

std::string header_html(const NightReport& r, bool replays) {
  const GateView g = gate_view(r.gate_action);
  std::string s = "<header><h1>skillpipe night " + esc(r.night_id) + "</h1>";
  s += "<p>Project <code>" + esc(r.project) + "</code></p><p>";
  if (!r.started_at.empty()) s += "Started " + esc(r.started_at);
  if (!r.finished_at.empty()) s += ", finished " + esc(r.finished_at);
  if (auto it = r.timings_s.find("total"); it != r.timings_s.end()) s += " (" + esc(fmt_seconds(it->second)) + ")";
  s += "</p><p><span class=\"badge " + g.badge() + "\">" +
       (!r.gate_action ? std::string("no gate") : esc(g.title)) + "</span></p></header>";
  s += "<nav class=\"toc\"><a href=\"#result\">Result</a><a href=\"#history\">Over time</a><a href=\"#tasks\">Tasks</a>"
       "<a href=\"#proposals\">Proposals</a>";
  if (replays) s += "<a href=\"#replays\">Agent replays</a>";
  s += "<a href=\"#edits\">Edits</a><a href=\"#cost\">Cost &amp; time</a>"
       "<a href=\"#harvest\">Harvest</a><a href=\"#next\">Adopt or roll back</a></nav>";
  return s;
}

std::string result_html(const NightReport& r) {
  std::string s = "<section id=\"result\"><h2>Result</h2>";
  s += "<div class=\"scroll\"><table><thead><tr><th>score</th><th class=\"num\">before<span class=\"wide\"> "
       "(live)</span>"
       "</th><th class=\"num\">after<span class=\"wide\"> (candidate)</span></th><th class=\"num\">change</th></tr>"
       "</thead><tbody>";
  auto row = [&](const char* name, const std::optional<double>& b, const std::optional<double>& a) {
    s += "<tr><td>" + std::string(name) + "</td><td class=\"num\">" + fmt_score_html(b) + "</td><td class=\"num\">" +
         fmt_score_html(a) + "</td><td class=\"num\">" + fmt_change_html(b, a) + "</td></tr>";
  };
  row("validation", r.baseline_val, r.candidate_val);
  row("held-out test", r.baseline_test, r.candidate_test);
  s += "</tbody></table></div>";
  const GateView g = gate_view(r.gate_action);
  s += "<div class=\"gate " + std::string(g.cls) +
       "\"><p><strong>Gate: " + (!r.gate_action ? std::string("none") : esc(g.title)) + "</strong>";
  if (r.gate_action && std::string(g.title) == "Gate") s += " (" + esc(to_string(r.gate_action)) + ")";
  if (!r.gate_metric.empty()) s += " <span class=\"tag\">metric: " + esc(r.gate_metric) + "</span>";
  s += "</p>";
  if (*g.meaning) s += "<p>" + std::string(g.meaning) + "</p>";
  if (!r.gate_reason.empty()) s += "<p>Why: " + esc_cut(r.gate_reason, 4000) + "</p>";
  s += "</div>";
  if (!r.metrics.empty()) {
    s += "<details><summary>Gate statistics</summary><div class=\"scroll\"><table><tbody>";
    for (const auto& [k, v] : r.metrics) {
      s += "<tr><td>" + esc(k) + "</td><td class=\"num\">" + (std::isfinite(v) ? fmt(v, "%.4g") : std::string("—")) +
           "</td></tr>";
    }
    s += "</tbody></table></div></details>";
  }
  return s + "</section>";
}

std::string history_html(const NightReport& r, const std::vector<NightReport>& nights) {
  // The heading says which score is plotted: a validation chart must never pass for a test one.
  if (history_has_test(nights))
    return "<section id=\"history\"><h2>Held-out test score over nights</h2>" + history_chart_svg(nights, r.night_id) +
           "<p class=\"muted\">Each night scores the live skill (before) and its candidate (after) on test tasks "
           "the gate never saw. Hover or tap a point for the numbers.</p></section>";
  return "<section id=\"history\"><h2>Validation score over nights</h2><p><strong>No night has measured a held-out "
         "test score yet, so this chart shows the validation score</strong> (the tasks the gate decides on), not a "
         "held-out test.</p>" +
         history_chart_svg(nights, r.night_id) + "</section>";
}

std::string deltas_row(const TaskDelta& d) {
  const DeltaKind k = delta_kind(d);
  const char* word = k == DeltaKind::kImproved ? "improved" : (k == DeltaKind::kRegressed ? "regressed" : "unchanged");
  const char* cls = k == DeltaKind::kImproved ? "up" : (k == DeltaKind::kRegressed ? "down" : "flat");
  return "<tr><td class=\"id\">" + esc_cut(d.task_id, 160) + "</td><td>" + esc(to_string(d.split)) + "</td><td class=\"num\">" +
         fmt_score_html(d.before) + "</td><td class=\"num\">" + fmt_score_html(d.after) + "</td><td class=\"num\">" +
         fmt_change_html(d.before, d.after) + "</td><td class=\"" + cls + "\">" + word + "</td></tr>";
}

std::string deltas_html(const NightReport& r) {
  std::string s = "<section id=\"tasks\"><h2>Per-task changes</h2>";
  if (r.deltas.empty()) return s + "<p class=\"muted\">No task was replayed and scored this night.</p></section>";
  std::map<std::string, std::array<int, 3>> per_split;
  for (const auto& d : r.deltas) ++per_split[to_string(d.split)][static_cast<int>(delta_kind(d))];
  s += "<p>";
  for (const auto& [split, c] : per_split) {
    s += "<strong>" + esc(split) + "</strong>: <span class=\"up\">" + std::to_string(c[0]) +
         " improved</span>, <span class=\"down\">" + std::to_string(c[1]) + " regressed</span>, " +
         std::to_string(c[2]) + " unchanged. ";
  }
  const std::string chart = deltas_chart_html(r.deltas);
  s += "</p>" + (chart.empty() ? "<p class=\"nochange\">No per-task change: every task scored the same before and "
                                 "after.</p>"
                               : chart);
  // Regressions first: they are what a reviewer must look at.
  std::vector<TaskDelta> changed, same;
  for (const auto& d : r.deltas) (delta_kind(d) == DeltaKind::kUnchanged ? same : changed).push_back(d);
  std::stable_sort(changed.begin(), changed.end(),
                   [](const TaskDelta& a, const TaskDelta& b) { return (a.after - a.before) < (b.after - b.before); });
  const std::string head =
      "<div class=\"scroll\"><table><thead><tr><th>task</th><th>split</th><th class=\"num\">before</th>"
      "<th class=\"num\">after</th><th class=\"num\">change</th><th>result</th></tr></thead><tbody>";
  if (!changed.empty()) {
    s += head;
    for (const auto& d : changed) s += deltas_row(d);
    s += "</tbody></table></div>";
  }
  if (!same.empty()) {
    s += std::string("<details") + (changed.empty() ? " open" : "") + "><summary>" + std::to_string(same.size()) +
         " unchanged task" + (same.size() == 1 ? "" : "s") + "</summary>" + head;
    for (const auto& d : same) s += deltas_row(d);
    s += "</tbody></table></div></details>";
  }
  return s + "</section>";
}

std::string proposals_html(const NightReport& r) {
  std::string s = "<section id=\"proposals\"><h2>Proposed documents</h2>";
  if (r.proposals.empty()) return s + "<p class=\"muted\">Nothing was proposed this night.</p></section>";
  if (r.proposals.size() > 1) {
    s += "<nav class=\"toc\">";
    for (std::size_t i = 0; i < r.proposals.size(); ++i) {
      s += "<a href=\"#proposal-" + std::to_string(i + 1) + "\">" + esc_cut(r.proposals[i].name, 60) + "</a>";
    }
    s += "</nav>";
  }
  for (std::size_t i = 0; i < r.proposals.size(); ++i) s += proposal_html(r.proposals[i], i);
  return s + "</section>";
}

std::string notes_html(const NightReport& r) {
  if (r.notes.empty()) return "";
  std::string s = "<section id=\"notes\"><h2>Notes</h2><ul>";
  for (const auto& n : r.notes) s += "<li>" + esc_cut(n, 4000) + "</li>";
  return s + "</ul></section>";
}

}  // namespace

std::string render_report_html(const NightReport& night, const std::vector<NightReport>& history,
                               const ReportHtmlOptions& options) {
  std::vector<NightReport> nights;
  bool placed = false;
  for (const auto& h : history) {
    if (!night.night_id.empty() && h.night_id == night.night_id) {
      nights.push_back(night);
      placed = true;
    } else {
      nights.push_back(h);
    }
  }
  if (!placed) nights.push_back(night);

  std::string page;
  page.reserve(64 * 1024);
  page += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  // Even if something slipped through escaping, the browser may load nothing at all.
  page += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">";
  page += "<meta name=\"referrer\" content=\"no-referrer\"><meta name=\"color-scheme\" content=\"light dark\">";
  page += "<title>skillpipe night " + esc(night.night_id) + "</title><style>";
  page += stylesheet();
  page += "</style></head><body><main>";
  const std::string replays = report::trajectories_html(options.replays, options.verdicts, options.diffs);
  page += header_html(night, !replays.empty());
  page += result_html(night);
  page += test_regression_html(options.test_regression,
                               "skillpipe rollback" +
                                   (night.project.empty() ? "" : " --project " + shell_quote(night.project)) +
                                   (options.store_dir.empty() ? "" : " --store " + shell_quote(options.store_dir)));
  page += history_html(night, nights);
  page += deltas_html(night);
  page += proposals_html(night);
  page += replays;
  page += report::edits_html(night);
  page += report::cost_html(night);
  page += report::harvest_html(night);
  page += notes_html(night);
  page += report::commands_html(night, options.store_dir, options.adoption);
  page += "</main><footer>Written by skillpipe";
  if (!night.finished_at.empty()) page += " at " + esc(night.finished_at);
  page += ". This page is self-contained: it loads nothing from the network.</footer></body></html>\n";
  return page;
}

std::string render_report_html(const NightReport& night, const std::vector<NightReport>& history) {
  return render_report_html(night, history, ReportHtmlOptions{});
}

std::optional<std::string> with_adoption_state(const std::string& page, const NightReport& night,
                                               const std::string& store_dir, const AdoptionState& adoption) {
  const auto begin = page.find("<section id=\"next\">");
  const auto end = begin == std::string::npos ? begin : page.find("</section>", begin);
  if (end == std::string::npos) return std::nullopt;
  return page.substr(0, begin) + report::commands_html(night, store_dir, adoption) +
         page.substr(end + std::string_view("</section>").size());
}

}  // namespace skillpipe::host
