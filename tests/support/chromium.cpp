#include "chromium.hpp"

#include <filesystem>

#include "skillpipe/json.hpp"
#include "test_support.hpp"

namespace skillpipe::testing {
namespace {

namespace fs = std::filesystem;

CommandResult run_chromium(std::vector<std::string> args, const std::string& scratch_dir) {
  const std::vector<std::string> common = {"--headless",           "--no-sandbox",         "--disable-gpu",
                                           "--hide-scrollbars",    "--no-first-run",       "--disable-extensions",
                                           "--disable-dev-shm-usage", "--user-data-dir=" + scratch_dir + "/profile"};
  args.insert(args.begin(), common.begin(), common.end());
  // A hung browser must fail the test, not the CI run.
  const bool have_timeout = fs::exists("/usr/bin/timeout");
  if (have_timeout) args.insert(args.begin(), {"120", Chromium::kPath});
  return run_program(have_timeout ? "/usr/bin/timeout" : Chromium::kPath, args, {"HOME=" + scratch_dir});
}

// The page's Content-Security-Policy forbids every script (rightly); the test's copy drops it.
std::string without_csp(std::string html) {
  const auto at = html.find("Content-Security-Policy");
  if (at == std::string::npos) return html;
  const auto open = html.rfind("<meta", at), close = html.find('>', at);
  return html.erase(open, close + 1 - open);
}

// Runs in the page after layout; writes one line per finding into <pre id="visibility-result">.
constexpr const char* kCheckScript = R"js(
(function () {
  const out = [];
  const seen = (e) => { const b = e.getBoundingClientRect();
    return b.width > 0 && b.height > 0 && e.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}); };
  PROBES.forEach((p, i) => {
    const ok = Array.from(document.querySelectorAll(p.selector)).some((e) =>
      (!p.text || e.textContent.includes(p.text)) && seen(e) && e.getBoundingClientRect().height >= p.min_px);
    if (!ok) out.push('MISSING ' + p.selector + " '" + p.text + "'");
  });
  document.querySelectorAll('svg, .bars').forEach((box, i) => {
    if (!seen(box)) return;
    const marks = Array.from(box.querySelectorAll('rect, circle, polyline, .bbar')).filter(seen);
    if (marks.length === 0) out.push('EMPTY ' + (box.getAttribute('aria-label') || box.className || i));
  });
  const pre = document.createElement('pre');
  pre.id = 'visibility-result';
  pre.textContent = 'CHECKED\n' + out.join('\n');
  document.body.appendChild(pre);
})();
)js";

}  // namespace

bool Chromium::installed() { return fs::exists(kPath); }

std::string Chromium::missing() {
  return std::string(kPath) + " is not installed, so the page is not checked in a browser here (install Debian's "
                              "`chromium` package to run this check; scripts/deps.sh does).";
}

std::string chromium_screenshot(const std::string& page, const std::string& png, int w, int h,
                                const std::string& scratch_dir) {
  const auto r = run_chromium({"--window-size=" + std::to_string(w) + "," + std::to_string(h),
                               "--screenshot=" + png, "file://" + page},
                              scratch_dir);
  if (!fs::exists(png)) return "chromium wrote no screenshot (exit " + std::to_string(r.exit_code) + ")\n" + r.err;
  return "";
}

VisibilityResult chromium_visibility(const std::string& html, const std::vector<VisibleProbe>& probes, int width,
                                     const std::string& scratch_dir) {
  std::string json = "[";
  for (const auto& p : probes)
    json += (json.size() > 1 ? "," : "") + std::string("{\"selector\":") + json_quote(p.selector) +
            ",\"text\":" + json_quote(p.text) + ",\"min_px\":" + std::to_string(p.min_px) + "}";
  json += "]";
  std::string page = without_csp(html);
  std::string script = kCheckScript;
  script.replace(script.find("PROBES"), 6, json);
  page.insert(page.rfind("</body>"), "<script>" + script + "</script>");
  const std::string file = scratch_dir + "/checked.html";
  write_text(file, page);
  const auto r = run_chromium({"--window-size=" + std::to_string(width) + ",1000", "--virtual-time-budget=5000",
                               "--dump-dom", "file://" + file},
                              scratch_dir);
  VisibilityResult v;
  const auto at = r.out.find("<pre id=\"visibility-result\">CHECKED");
  if (at == std::string::npos) {
    v.error = "chromium did not run the check (exit " + std::to_string(r.exit_code) + ")\n" + r.err;
    return v;
  }
  const std::string body = r.out.substr(at, r.out.find("</pre>", at) - at);
  std::size_t pos = 0;
  while ((pos = body.find('\n', pos)) != std::string::npos) {
    const std::string line = body.substr(pos + 1, body.find('\n', pos + 1) - pos - 1);
    ++pos;
    if (line.starts_with("MISSING ")) v.missing.push_back(line.substr(8));
    if (line.starts_with("EMPTY ")) v.empty_charts.push_back(line.substr(6));
  }
  return v;
}

}  // namespace skillpipe::testing
