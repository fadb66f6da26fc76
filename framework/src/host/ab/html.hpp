// ab/html.hpp - the A/B comparison as one self-contained HTML page (no network): per-arm
// scores with their bootstrap intervals drawn as an SVG interval plot, paired differences,
// every test computed (raw and Holm-adjusted p), judge agreement, each arm's definition
// (overrides, skill and memory with hashes, judges), and the tasks the arms disagree on with both verdicts side by side.
#pragma once

#include <string>

#include "host/ab/report.hpp"

namespace skillpipe::host::ab {

std::string report_html(const AbRun& run, const AbReport& report);

// An interval plot's frame: a 0..1 x axis with grid lines, ticks and its label, in an <svg>
// left open for the marks (rows start at `top`; `height` includes the axis).
struct PlotBox {
  int left = 0, width = 0, top = 0, height = 0;
};
std::string unit_axis_svg(const PlotBox& box, const std::string& aria_label, const std::string& axis_label);

// The pages' shared <head> and stylesheet, up to and including <body> (title escaped here).
std::string page_open(const std::string& title);

}  // namespace skillpipe::host::ab
