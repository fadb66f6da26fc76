// The report's bar charts: per-task changes (HTML bars, so task names wrap and stay readable
// on a phone without hovering) and wall time per phase (SVG, sub-phases nested under their stage).
#include <algorithm>
#include <cmath>

#include "host/report/parts.hpp"

namespace skillpipe::host::report {
namespace {

std::string num(double v) { return fmt(v, "%.1f"); }

std::string change_row(const TaskDelta& d, double scale) {
  const double delta = std::isfinite(d.after - d.before) ? d.after - d.before : 0;
  const DeltaKind k = delta_kind(d);
  const char* cls = k == DeltaKind::kImproved ? "b-up" : "b-down";
  // Half the track is one direction; `scale` maps the largest change to the full half.
  const double half = std::min(50.0, std::fabs(delta) * scale * 50.0);
  const double left = k == DeltaKind::kImproved ? 50.0 : 50.0 - half;
  return "<div class=\"brow\"><div class=\"blabel\"><span class=\"id\">" + esc_cut(d.task_id, 120) +
         "</span> <span class=\"tag\">" + esc(to_string(d.split)) + "</span></div><div class=\"btrack\">"
         "<span class=\"bzero\"></span><span class=\"bbar " + cls + "\" style=\"left:" + fmt(left, "%.2f") +
         "%;width:" + fmt(std::max(half, 0.6), "%.2f") + "%\"></span></div><div class=\"bval\">" +
         fmt_score(d.before) + " → " + fmt_score(d.after) + " <span class=\"" +
         (k == DeltaKind::kImproved ? "up" : "down") + "\">(" + fmt(delta, "%+.3f") + ")</span></div></div>";
}

struct Phase {
  std::string name;
  double seconds = 0;
  bool sub = false;  // a part of the stage listed just above it
};

// Stages by time, largest first, each followed by its own "stage.part" rows.
std::vector<Phase> nested_phases(const std::map<std::string, double>& timings) {
  std::vector<Phase> top;
  std::map<std::string, std::vector<Phase>> parts;
  for (const auto& [k, v] : timings) {
    if (k == "total" || !std::isfinite(v) || v < 0) continue;
    const auto dot = k.find('.');
    if (dot != std::string::npos && timings.count(k.substr(0, dot)))
      parts[k.substr(0, dot)].push_back({k.substr(dot + 1), v, true});
    else
      top.push_back({k, v, false});
  }
  auto by_time = [](const Phase& a, const Phase& b) { return a.seconds > b.seconds; };
  std::stable_sort(top.begin(), top.end(), by_time);
  std::vector<Phase> rows;
  for (const auto& t : top) {
    rows.push_back(t);
    auto& p = parts[t.name];
    std::stable_sort(p.begin(), p.end(), by_time);
    rows.insert(rows.end(), p.begin(), p.end());
  }
  return rows;
}

}  // namespace

std::string deltas_chart_html(const std::vector<TaskDelta>& deltas) {
  std::vector<TaskDelta> changed;
  double maxabs = 0;
  for (const auto& d : deltas) {
    if (delta_kind(d) == DeltaKind::kUnchanged) continue;
    changed.push_back(d);
    if (std::isfinite(d.after - d.before)) maxabs = std::max(maxabs, std::fabs(d.after - d.before));
  }
  if (changed.empty()) return "";
  // Regressions first (what a reviewer must look at), then the biggest gains.
  std::stable_sort(changed.begin(), changed.end(),
                   [](const TaskDelta& a, const TaskDelta& b) { return (a.after - a.before) < (b.after - b.before); });
  constexpr std::size_t kMaxRows = 40;
  const double scale = 1.0 / std::max(maxabs, 0.1);
  std::string s = "<div class=\"bars\" role=\"img\" aria-label=\"change in score per task\">";
  s += "<div class=\"brow bhead\"><div class=\"blabel\">task · split</div><div class=\"btrack baxis\">"
       "<span>−" + fmt(1.0 / scale, "%.2f") + "</span><span>0</span><span>+" + fmt(1.0 / scale, "%.2f") +
       "</span></div><div class=\"bval\">before → after (change)</div></div>";
  for (std::size_t i = 0; i < changed.size() && i < kMaxRows; ++i) s += change_row(changed[i], scale);
  s += "<p class=\"axcap\">x axis: change in score, after − before (scores run 0–1; left worse, right better)</p>";
  if (changed.size() > kMaxRows)
    s += "<p class=\"muted\">The " + std::to_string(kMaxRows) + " largest of " + std::to_string(changed.size()) +
         " changes; the table below lists all.</p>";
  return s + "</div>";
}

std::string timings_chart_svg(const std::map<std::string, double>& timings) {
  const std::vector<Phase> rows = nested_phases(timings);
  if (rows.empty()) return "";
  double maxv = 0;
  for (const auto& r : rows) maxv = std::max(maxv, r.seconds);
  constexpr double W = 640, row = 24, label_w = 190, value_w = 90;
  const double H = row * static_cast<double>(rows.size()) + 30;
  const double bar_w = W - label_w - value_w;
  std::string s = "<svg class=\"chart\" viewBox=\"0 0 " + num(W) + " " + num(H) +
                  "\" role=\"img\" aria-label=\"wall time per phase\" preserveAspectRatio=\"xMidYMid meet\">";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Phase& p = rows[i];
    const double y = 4 + row * static_cast<double>(i);
    const double w = maxv > 0 ? std::max(1.0, bar_w * p.seconds / maxv) : 1.0;
    const std::string label = p.sub ? "↳ " + esc_cut(p.name, 22) : esc_cut(p.name, 24);
    s += "<text x=\"" + num(label_w - 8) + "\" y=\"" + num(y + 15) + "\" class=\"" +
         (p.sub ? "tick sub" : "tick") + "\" text-anchor=\"end\">" + label + "</text>";
    s += "<rect class=\"" + std::string(p.sub ? "b-sub" : "b-time") + "\" x=\"" + num(label_w) + "\" y=\"" +
         num(y + (p.sub ? 6 : 3)) + "\" width=\"" + num(w) + "\" height=\"" + num(p.sub ? row - 14 : row - 8) +
         "\"><title>" + esc(p.name + ": " + fmt_seconds(p.seconds)) + "</title></rect>";
    s += "<text x=\"" + num(label_w + w + 6) + "\" y=\"" + num(y + 15) + "\" class=\"tick\" text-anchor=\"start\">" +
         esc(fmt_seconds(p.seconds)) + "</text>";
  }
  s += "<text x=\"" + num(label_w + bar_w / 2) + "\" y=\"" + num(H - 6) +
       "\" class=\"axlabel\" text-anchor=\"middle\">wall time (seconds, longest stage = full bar)</text></svg>";
  bool nested = false;
  for (const auto& r : rows) nested = nested || r.sub;
  if (nested)
    s += "<p class=\"legend\">↳ rows are parts of the stage above them (already inside its time), not extra time.</p>";
  return s;
}

}  // namespace skillpipe::host::report
