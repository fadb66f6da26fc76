// ab/html.hpp - the A/B comparison as one self-contained HTML page (no network): per-arm
// scores with their bootstrap intervals drawn as an SVG interval plot, paired differences,
// judge agreement, and the tasks the arms disagree on with both verdicts side by side.
#pragma once

#include <string>

#include "host/ab/report.hpp"

namespace skillpipe::host::ab {

std::string report_html(const AbRun& run, const AbReport& report);

}  // namespace skillpipe::host::ab
