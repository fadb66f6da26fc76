// Inline SVG charts of the HTML report. Colours come from CSS classes on the page (so the
// dark theme applies); sizes come from the viewBox (so a chart fills a phone or a monitor).
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "host/report/parts.hpp"

namespace skillpipe::host::report {
namespace {

std::string num(double v) { return fmt(v, "%.1f"); }

std::string svg_open(double w, double h, const std::string& label) {
  return "<svg class=\"chart\" viewBox=\"0 0 " + num(w) + " " + num(h) + "\" role=\"img\" aria-label=\"" + esc(label) +
         "\" preserveAspectRatio=\"xMidYMid meet\">";
}

std::string text_el(double x, double y, const char* cls, const char* anchor, const std::string& content) {
  return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" class=\"" + cls + "\" text-anchor=\"" + anchor + "\">" +
         content + "</text>";
}

// "0007-20261123T031700Z" -> "7"; anything else is shown cut short.
std::string night_label(const std::string& id) {
  const auto dash = id.find('-');
  if (dash != std::string::npos && dash > 0 &&
      std::all_of(id.begin(), id.begin() + static_cast<long>(dash), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::to_string(std::strtol(id.substr(0, dash).c_str(), nullptr, 10));
  }
  return esc_cut(id, 8);
}

std::string point_title(const NightReport& n, const char* what, const std::optional<double>& before,
                        const std::optional<double>& after) {
  std::string t = "night " + n.night_id + " (" + n.finished_at + "): " + what + " ";
  t += before ? fmt_score(*before) : std::string("not measured");
  t += " → ";
  t += after ? fmt_score(*after) : std::string("not measured");
  if (n.gate_action) t += std::string("; gate: ") + to_string(*n.gate_action);
  return "<title>" + esc(t) + "</title>";
}

bool finite(const std::optional<double>& v) { return v && std::isfinite(*v); }

// The history chart's geometry: one x position per night, scores mapped to y.
struct HistoryPlot {
  static constexpr double W = 640, H = 246, L = 64, R = 14, T = 12, B = 42;
  const std::vector<NightReport>& nights;
  bool test;  // plot the held-out test score (else validation)
  double lo = 0, hi = 1;

  std::optional<double> before(const NightReport& n) const { return test ? n.baseline_test : n.baseline_val; }
  std::optional<double> after(const NightReport& n) const { return test ? n.candidate_test : n.candidate_val; }
  std::size_t n() const { return nights.size(); }
  double pw() const { return W - L - R; }
  double ph() const { return H - T - B; }
  double x(std::size_t i) const {
    return n() == 1 ? L + pw() / 2 : L + pw() * static_cast<double>(i) / static_cast<double>(n() - 1);
  }
  double y(double v) const { return T + ph() * (1 - (v - lo) / (hi - lo)); }

  std::string grid() const {
    std::string s;
    for (int g = 0; g <= 4; ++g) {
      const double v = lo + (hi - lo) * g / 4.0;
      s += "<line class=\"grid\" x1=\"" + num(L) + "\" x2=\"" + num(W - R) + "\" y1=\"" + num(y(v)) + "\" y2=\"" +
           num(y(v)) + "\"/>";
      s += text_el(L - 6, y(v) + 4, "tick", "end", fmt(v, "%.2f"));
    }
    return s;
  }

  // Both axes say what they measure, in the chart itself (a screenshot keeps them).
  std::string axis_labels() const {
    const std::string what = test ? "test score (0–1)" : "validation score (0–1)";
    return "<text class=\"axlabel\" text-anchor=\"middle\" transform=\"translate(14 " + num(T + ph() / 2) +
           ") rotate(-90)\">" + what + "</text>" + text_el(L + pw() / 2, H - 4, "axlabel", "middle", "night number");
  }

  // A band behind the night this report is about.
  std::string current_band(const std::string& current_id) const {
    std::string s;
    for (std::size_t i = 0; i < n(); ++i) {
      if (nights[i].night_id != current_id) continue;
      const double band = n() == 1 ? 40 : std::max(8.0, pw() / static_cast<double>(n() - 1));
      const double x0 = std::max(L, x(i) - band / 2), x1 = std::min(W - R, x(i) + band / 2);  // inside the plot
      s += "<rect class=\"cur\" x=\"" + num(x0) + "\" y=\"" + num(T) + "\" width=\"" + num(x1 - x0) +
           "\" height=\"" + num(ph()) + "\"><title>this night</title></rect>";
    }
    return s;
  }

  // A line through the before (or after) scores, broken where a night measured nothing.
  std::string series(bool after_side, const char* cls) const {
    std::string out, pts;
    int count = 0;
    auto flush = [&] {
      if (count >= 2) out += "<polyline class=\"" + std::string(cls) + "\" points=\"" + pts + "\"/>";
      pts.clear();
      count = 0;
    };
    for (std::size_t i = 0; i < n(); ++i) {
      const auto v = after_side ? after(nights[i]) : before(nights[i]);
      if (!finite(v)) {
        flush();
        continue;
      }
      pts += (pts.empty() ? "" : " ") + num(x(i)) + "," + num(y(*v));
      ++count;
    }
    flush();
    return out;
  }

  std::string points(const char* what) const {
    std::string s;
    const std::size_t step = std::max<std::size_t>(1, (n() + 11) / 12);
    for (std::size_t i = 0; i < n(); ++i) {
      const auto& night = nights[i];
      const auto b = before(night), a = after(night);
      const std::string title = point_title(night, what, b, a);
      if (finite(b))
        s += "<circle class=\"pt-before\" cx=\"" + num(x(i)) + "\" cy=\"" + num(y(*b)) + "\" r=\"3.5\">" + title +
             "</circle>";
      if (finite(a)) {
        const char* cls = night.gate_action == GateAction::kAccept ? "pt-acc" : "pt-after";
        s += "<circle class=\"" + std::string(cls) + "\" cx=\"" + num(x(i)) + "\" cy=\"" + num(y(*a)) +
             "\" r=\"4.5\">" + title + "</circle>";
      }
      if (!finite(b) && !finite(a))
        s += "<text x=\"" + num(x(i)) + "\" y=\"" + num(T + ph() - 4) + "\" class=\"nmark\" text-anchor=\"middle\">×" +
             title + "</text>";
      if (i % step == 0 || i + 1 == n()) s += text_el(x(i), H - B + 16, "tick", "middle", night_label(night.night_id));
    }
    return s;
  }
};

}  // namespace

bool history_has_test(const std::vector<NightReport>& nights) {
  for (const auto& n : nights)
    if (finite(n.baseline_test) || finite(n.candidate_test)) return true;
  return false;
}

std::string history_chart_svg(const std::vector<NightReport>& all, const std::string& current_id) {
  constexpr std::size_t kMaxNights = 60;
  const std::size_t skip = all.size() > kMaxNights ? all.size() - kMaxNights : 0;
  const std::vector<NightReport> nights(all.begin() + static_cast<long>(skip), all.end());
  const bool has_test = history_has_test(all);  // the same choice as the section's heading
  bool has_val = false;
  for (const auto& n : nights) has_val = has_val || finite(n.baseline_val) || finite(n.candidate_val);
  if (!has_test && !has_val) {
    return "<p class=\"muted\">No night has measured a score yet (offline nights draft skills without replaying "
           "tasks), so there is nothing to plot.</p>";
  }
  HistoryPlot plot{nights, has_test, 0, 1};
  for (const auto& n : nights)
    for (const auto& v : {plot.before(n), plot.after(n)})
      if (finite(v)) plot.lo = std::min(plot.lo, *v), plot.hi = std::max(plot.hi, *v);
  const char* what = has_test ? "held-out test score" : "validation score";
  std::string s = svg_open(HistoryPlot::W, HistoryPlot::H,
                           std::string(what) + " over the last " + std::to_string(plot.n()) + " nights");
  s += plot.grid() + plot.axis_labels() + plot.current_band(current_id) + plot.series(false, "ln-before") + plot.series(true, "ln-after") +
       plot.points(what) + "</svg>";
  // The legend is HTML so it wraps on a phone instead of shrinking with the chart.
  s += "<p class=\"legend\"><span><span class=\"key k-before\"></span>live skill (before)</span> "
       "<span><span class=\"key k-after\"></span>candidate (after)</span> "
       "<span><span class=\"key k-acc\"></span>accepted by the gate</span> </p>";
  if (has_test)
    s += "<p class=\"muted\">× marks a night that measured no test score.</p>";
  if (skip)
    s += "<p class=\"muted\">The last " + std::to_string(plot.n()) + " of " + std::to_string(all.size()) + " nights.</p>";
  return s;
}

}  // namespace skillpipe::host::report
