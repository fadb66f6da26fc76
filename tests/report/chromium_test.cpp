// The report renders in a real browser: headless Chromium (Debian's `chromium` package)
// screenshots it at a phone's width, and the screenshot must not be blank.
// Skipped, with a message saying why, where Chromium is not installed. The PNG decoder the
// check relies on is tested on fixtures here too, so it runs everywhere.
#include <gtest/gtest.h>

#include <filesystem>

#include "host/report/html.hpp"
#include "png_check.hpp"
#include "report_fixture.hpp"
#include "test_support.hpp"

using namespace skillpipe;
using namespace skillpipe::testing;

namespace {

constexpr const char* kChromium = "/usr/bin/chromium";

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
  if (!std::filesystem::exists(kChromium)) {
    GTEST_SKIP() << kChromium << " is not installed, so the report is not rendered in a browser here "
                 << "(install Debian's `chromium` package to run this check; scripts/deps.sh does).";
  }
  TempDir dir;
  const std::string page = dir.file("report.html");
  write_text(page, host::render_report_html(fixture_night(), fixture_history()));
  // One launch (Chromium's start-up is most of the cost), at a phone's width: the harder layout.
  for (const auto& [w, h] : {std::pair{412, 915}}) {
    const std::string shot = dir.file("shot-" + std::to_string(w) + ".png");
    std::vector<std::string> args = {"--headless",
                                     "--no-sandbox",
                                     "--disable-gpu",
                                     "--hide-scrollbars",
                                     "--no-first-run",
                                     "--disable-extensions",
                                     "--disable-dev-shm-usage",
                                     "--user-data-dir=" + dir.file("profile"),
                                     "--window-size=" + std::to_string(w) + "," + std::to_string(h),
                                     "--screenshot=" + shot,
                                     "file://" + page};
    const bool have_timeout = std::filesystem::exists("/usr/bin/timeout");
    if (have_timeout) args.insert(args.begin(), {"120", kChromium});
    const auto r = run_program(have_timeout ? "/usr/bin/timeout" : kChromium, args, {"HOME=" + dir.path()});
    ASSERT_TRUE(std::filesystem::exists(shot)) << "chromium wrote no screenshot (exit " << r.exit_code << ")\n"
                                               << r.err;
    std::string err;
    const auto img = load_png(shot, &err);
    ASSERT_TRUE(img) << err;
    EXPECT_EQ(img->width, w);
    const Ink ink = measure_ink(*img);
    EXPECT_GT(ink.fraction, 0.02) << "screenshot at width " << w << " is (nearly) blank";
    EXPECT_GT(ink.colours, 20u) << "screenshot at width " << w << " has almost no distinct colours";
  }
}
