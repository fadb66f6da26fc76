// chromium.hpp - headless Chromium (Debian's `chromium` package) for the browser tests of the
// report and A/B pages: a screenshot, and which elements a reader would really see (laid out,
// not hidden, not inside a closed <details>), checked by the browser itself.
#pragma once

#include <string>
#include <vector>

namespace skillpipe::testing {

struct Chromium {
  static constexpr const char* kPath = "/usr/bin/chromium";
  static bool installed();
  // The GTEST_SKIP message where it is not installed.
  static std::string missing();
};

// Screenshots `page` (a file) at w x h CSS pixels into `png`; "" or the reason it failed.
std::string chromium_screenshot(const std::string& page, const std::string& png, int w, int h,
                                const std::string& scratch_dir);

// An element a reader must see: one matching `selector` whose text contains `text` ("" = any),
// rendered at least `min_px` tall (so a 3px axis label fails).
struct VisibleProbe {
  std::string selector;
  std::string text;
  double min_px = 7;
};

struct VisibilityResult {
  std::string error;                 // the browser could not run the check ("" = it ran)
  std::vector<std::string> missing;  // probes no visible element satisfied, as "selector 'text'"
  std::vector<std::string> empty_charts;  // visible <svg> or .bars boxes with no visible mark in them
};

// Renders `html` (a copy with its CSP relaxed so the check's own script may run) at the given
// width and reports what a reader would not see.
VisibilityResult chromium_visibility(const std::string& html, const std::vector<VisibleProbe>& probes, int width,
                                     const std::string& scratch_dir);

}  // namespace skillpipe::testing
