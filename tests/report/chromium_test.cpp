// The report renders in a real browser: headless Chromium (Debian's `chromium` package)
// screenshots it at a phone's width (the screenshot must not be blank), and the browser
// itself says whether a reader sees the key elements: labelled axes, task names without
// hovering, the per-task change or "no per-task change", and no empty chart box.
// Skipped, with a message saying why, where Chromium is not installed. The PNG decoder the
// check relies on is tested on fixtures here too, so it runs everywhere.
#include <gtest/gtest.h>

#include <filesystem>

#include "host/report/html.hpp"
#include "png_check.hpp"
#include "report_fixture.hpp"
#include "chromium.hpp"
#include "test_support.hpp"

using namespace skillpipe;
using namespace skillpipe::testing;

namespace {

std::optional<Image> load_png(const std::string& path, std::string* error) {
  const auto bytes = skillpipe::read_file(path);
  if (!bytes) {
    *error = "cannot read " + path;
    return std::nullopt;
  }
  return decode_png(*bytes, error);
}

}  // namespace

TEST(PngCheck, DecodesEveryFilterTypeAndMeasuresInk) {
  std::string err;
  const auto drawn = load_png(test_data_dir() + "/report/drawn.png", &err);
  ASSERT_TRUE(drawn) << err;
  EXPECT_EQ(drawn->width, 40);
  EXPECT_EQ(drawn->height, 30);
  // Pixels as make_test_pngs.py drew them; rows 4..6 and 12..20 use Paeth/None/Sub... filters.
  EXPECT_EQ(drawn->rgba[0], 0xF6F7F9FFu);
  EXPECT_EQ(drawn->rgba[5 * 40 + 5], 0x1E2328FFu);
  EXPECT_EQ(drawn->rgba[5 * 40 + 4], 0xF6F7F9FFu);    // x % 4 == 0: background
  EXPECT_EQ(drawn->rgba[19 * 40 + 20], 0x1A7F37FFu);  // the green bar
  EXPECT_EQ(drawn->rgba[13 * 40 + 20], 0xF6F7F9FFu);  // past the bar's end (5 + y)
  const Ink ink = measure_ink(*drawn);
  EXPECT_EQ(ink.colours, 3u);
  EXPECT_GT(ink.fraction, 0.05);

  const auto blank = load_png(test_data_dir() + "/report/blank.png", &err);
  ASSERT_TRUE(blank) << err;
  EXPECT_EQ(measure_ink(*blank).colours, 1u);
  EXPECT_EQ(measure_ink(*blank).fraction, 0.0);

  std::string bytes = *skillpipe::read_file(test_data_dir() + "/report/drawn.png");
  bytes[40] ^= 0x01;  // inside IHDR/IDAT: the CRC must catch it
  EXPECT_FALSE(decode_png(bytes, &err));
  EXPECT_NE(err.find("CRC"), std::string::npos) << err;
  EXPECT_FALSE(decode_png("GIF89a", &err));
}

TEST(ReportChromium, RendersToANonBlankScreenshotAtPhoneWidth) {
  if (!Chromium::installed()) GTEST_SKIP() << Chromium::missing();
  TempDir dir;
  const std::string page = dir.file("report.html");
  write_text(page, host::render_report_html(fixture_night(), fixture_history()));
  // One launch (Chromium's start-up is most of the cost), at a phone's width: the harder layout.
  const int w = 412;
  const std::string shot = dir.file("shot.png");
  const std::string failed = chromium_screenshot(page, shot, w, 915, dir.path());
  ASSERT_EQ(failed, "");
  std::string err;
  const auto img = load_png(shot, &err);
  ASSERT_TRUE(img) << err;
  EXPECT_EQ(img->width, w);
  const Ink ink = measure_ink(*img);
  EXPECT_GT(ink.fraction, 0.02) << "screenshot at width " << w << " is (nearly) blank";
  EXPECT_GT(ink.colours, 20u) << "screenshot at width " << w << " has almost no distinct colours";
}

namespace {

// What a reader of the fixture night must see without hovering or opening anything.
const std::vector<VisibleProbe> kReportProbes = {
    {"#history h2", "Held-out test score over nights"},
    {"#history svg text.axlabel", "test score (0–1)"},
    {"#history svg text.axlabel", "night number"},
    {"#tasks .bars .blabel .id", "task-regress"},
    {"#tasks .bars .blabel .id", "task-test-up"},
    {"#tasks .bars .bval", "0.200 → 0.600"},
    {"#tasks .bars .axcap", "change in score"},
    {"#cost svg text.axlabel", "wall time"},
    {"#edits .why.rejected", "Why rejected"},
    {"#notes li", "note with"},
    {"#next h2", "Adopt or roll back"}};

void expect_seen(const VisibilityResult& v, const std::string& where) {
  ASSERT_EQ(v.error, "") << where;
  for (const auto& m : v.missing) ADD_FAILURE() << where << ": a reader does not see " << m;
  for (const auto& e : v.empty_charts) ADD_FAILURE() << where << ": an empty chart box: " << e;
}

}  // namespace

TEST(ReportChromium, AReaderSeesLabelledChartsAndTaskNamesOnAWideScreenAndAPhone) {
  if (!Chromium::installed()) GTEST_SKIP() << Chromium::missing();
  TempDir dir;
  const std::string html = host::render_report_html(fixture_night(), fixture_history());
  for (int width : {1100, 412}) expect_seen(chromium_visibility(html, kReportProbes, width, dir.path()),
                                            "width " + std::to_string(width));
  // A probe that must fail does: the check is not blind (the unchanged task is in a closed <details>).
  const auto blind = chromium_visibility(html, {{"#tasks td.id", "task-same"}}, 1100, dir.path());
  ASSERT_EQ(blind.error, "");
  EXPECT_EQ(blind.missing.size(), 1u);
}

TEST(ReportChromium, ANightWithoutPerTaskChangeSaysSoAndDrawsNoEmptyBox) {
  if (!Chromium::installed()) GTEST_SKIP() << Chromium::missing();
  TempDir dir;
  NightReport r = fixture_night();
  for (auto& d : r.deltas) d.after = d.before;
  r.baseline_test.reset();
  std::vector<NightReport> history = fixture_history();
  for (auto& n : history) {
    n.baseline_test.reset();
    n.candidate_test.reset();
    n.baseline_val = 0.5;
  }
  const auto v = chromium_visibility(host::render_report_html(r, history),
                                     {{"#tasks .nochange", "No per-task change"},
                                      {"#history h2", "Validation score over nights"},
                                      {"#history p strong", "shows the validation score"},
                                      {"#history svg text.axlabel", "validation score (0–1)"}},
                                     1100, dir.path());
  expect_seen(v, "no change");
}
