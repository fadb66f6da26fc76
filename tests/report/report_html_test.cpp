#include "host/report/html.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include "host/report/parts.hpp"
#include "host/report/sections.hpp"
#include "html_check.hpp"
#include "report_fixture.hpp"
#include "skillpipe/kit/util.hpp"

using namespace skillpipe;
using namespace skillpipe::testing;
using skillpipe::host::render_report_html;

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The page between `from` and the next `to` (empty when `from` is absent).
std::string between(const std::string& s, const std::string& from, const std::string& to) {
  const auto a = s.find(from);
  if (a == std::string::npos) return "";
  const auto b = s.find(to, a + from.size());
  return s.substr(a, b == std::string::npos ? std::string::npos : b - a);
}

std::size_t count_class(const HtmlCheck& h, const std::string& tag, const std::string& cls) {
  return static_cast<std::size_t>(std::count_if(h.tags.begin(), h.tags.end(), [&](const HtmlTag& t) {
    auto it = t.attrs.find("class");
    return t.name == tag && it != t.attrs.end() && it->second == cls;
  }));
}

// Everything that could make a browser load something from anywhere.
void expect_self_contained(const std::string& html) {
  const std::string low = lower(html);
  EXPECT_EQ(low.find("http://"), std::string::npos);
  EXPECT_EQ(low.find("https://"), std::string::npos);
  EXPECT_EQ(low.find("url("), std::string::npos);
  EXPECT_EQ(low.find("@import"), std::string::npos);
  EXPECT_EQ(low.find("javascript:"), std::string::npos);
  const auto h = check_html(html);
  for (const auto& t : h.tags) {
    for (const char* bad : {"script", "link", "img", "iframe", "object", "embed", "base", "form", "audio", "video",
                            "source", "use", "image", "frame", "foreignobject"}) {
      EXPECT_NE(t.name, bad) << "the page has a <" << bad << "> element";
    }
    for (const auto& [name, value] : t.attrs) {
      EXPECT_FALSE(name.rfind("on", 0) == 0) << "event handler attribute " << name << " on <" << t.name << ">";
      for (const char* bad : {"src", "srcset", "action", "formaction", "xlink:href", "background", "poster", "data"}) {
        EXPECT_NE(name, bad) << "<" << t.name << "> has " << name << "=\"" << value << "\"";
      }
      if (name == "href") {
        EXPECT_EQ(value.rfind('#', 0), 0u) << "non-local link " << value;
      }
    }
  }
  EXPECT_NE(html.find("Content-Security-Policy\" content=\"default-src 'none'"), std::string::npos);
}

}  // namespace

TEST(ReportHtml, FullNightIsWellFormedAndSelfContained) {
  const std::string html = render_report_html(fixture_night(), fixture_history());
  const auto h = check_html(html);
  for (const auto& e : h.errors) ADD_FAILURE() << e;
  EXPECT_TRUE(utf8_valid(html));
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"), std::string::npos);
  expect_self_contained(html);
}

TEST(ReportHtml, HostileTranscriptTextIsEscapedEverywhere) {
  const std::string html = render_report_html(fixture_night(), fixture_history());
  const auto h = check_html(html);
  ASSERT_TRUE(h.errors.empty()) << h.errors.front();
  EXPECT_EQ(h.count("script"), 0u);
  EXPECT_EQ(h.count("img"), 0u);
  EXPECT_EQ(h.count("b"), 0u);  // from the task id "task-<b>bold</b>"
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &quot;quoted&quot; &#39;single&#39; &amp; "
                      "&lt;img src=x onerror=alert(1)&gt;"),
            std::string::npos);
  EXPECT_NE(html.find("task-&lt;b&gt;bold&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(html.find("## Missing &lt;/section&gt;"), std::string::npos);
  // In the per-task bars' labels (visible text, not a tooltip) too.
  EXPECT_NE(html.find("<span class=\"id\">task-&lt;b&gt;bold&lt;/b&gt;</span>"), std::string::npos);
}

TEST(ReportHtml, ControlCharactersAndBrokenUtf8NeverReachThePage) {
  NightReport r = fixture_night();
  r.proposals[0].reasons.push_back(std::string("bell\x07 nul-less \x1b[31m red \xff\xfe end"));
  r.notes.push_back(std::string("cut \xe2\x82 here"));
  const std::string html = render_report_html(r, {});
  EXPECT_TRUE(utf8_valid(html));
  EXPECT_EQ(html.find('\x07'), std::string::npos);
  EXPECT_EQ(html.find('\x1b'), std::string::npos);
  EXPECT_NE(html.find("bell nul-less [31m red \xef\xbf\xbd\xef\xbf\xbd end"), std::string::npos);
  EXPECT_TRUE(check_html(html).errors.empty());
}

TEST(ReportHtml, ScoresBeforeAfterAndMissingOnesAreNotMeasuredNeverZero) {
  const std::string html = render_report_html(fixture_night(), {});
  const std::string val = between(html, "<td>validation</td>", "</tr>");
  EXPECT_NE(val.find("0.550"), std::string::npos) << val;
  EXPECT_NE(val.find("0.700"), std::string::npos) << val;
  EXPECT_NE(val.find("+0.150"), std::string::npos) << val;
  const std::string test = between(html, "<td>held-out test</td>", "</tr>");
  EXPECT_NE(test.find("0.600"), std::string::npos) << test;
  EXPECT_NE(test.find("not measured"), std::string::npos) << test;
  EXPECT_EQ(test.find("0.000"), std::string::npos) << test;
  // The gate: decision, meaning and why.
  const std::string gate = between(html, "<div class=\"gate", "</div>");
  EXPECT_NE(gate.find("Gate: Accepted"), std::string::npos) << gate;
  EXPECT_NE(gate.find("metric: hard"), std::string::npos) << gate;
  EXPECT_NE(gate.find("Why: candidate +0.15 on val"), std::string::npos) << gate;
  EXPECT_NE(html.find("<td>ci_low</td><td class=\"num\">0.02</td>"), std::string::npos);
}

TEST(ReportHtml, OfflineNightWithNothingMeasuredSaysSo) {
  NightReport r;
  r.project = "/p";
  r.night_id = "0001-20260101T000000Z";
  r.gate_action = GateAction::kOffline;
  const std::string html = render_report_html(r, {});
  const auto h = check_html(html);
  ASSERT_TRUE(h.errors.empty()) << h.errors.front();
  expect_self_contained(html);
  std::size_t n = 0;
  for (auto at = html.find("not measured"); at != std::string::npos; at = html.find("not measured", at + 1)) ++n;
  EXPECT_EQ(n, 4u);
  EXPECT_EQ(html.find(">0.000<"), std::string::npos);
  EXPECT_NE(html.find("Offline draft"), std::string::npos);
  EXPECT_NE(html.find("No night has measured a score yet"), std::string::npos);
  EXPECT_NE(html.find("Nothing was proposed this night."), std::string::npos);
  EXPECT_NE(html.find("Nothing from this night can be adopted."), std::string::npos);
  EXPECT_NE(html.find("No task was replayed and scored this night."), std::string::npos);
}

TEST(ReportHtml, HistoryChartPlotsEveryNightAndBreaksLinesWhereNothingWasMeasured) {
  const NightReport night = fixture_night();
  const std::string html = render_report_html(night, fixture_history());
  const auto h = check_html(html);
  ASSERT_TRUE(h.errors.empty());
  const std::string chart = between(html, "<section id=\"history\">", "</section>");
  const auto c = check_html(chart);
  // Baseline (before) measured on all 4 nights: one unbroken line with 4 points.
  EXPECT_EQ(count_class(c, "circle", "pt-before"), 4u);
  EXPECT_EQ(count_class(c, "polyline", "ln-before"), 1u);
  // Candidate (after) measured on nights 1 (accepted) and 3 only: points, no line through the gap.
  EXPECT_EQ(count_class(c, "circle", "pt-acc"), 1u);  // night 1
  EXPECT_EQ(count_class(c, "circle", "pt-after"), 1u);
  EXPECT_EQ(count_class(c, "polyline", "ln-after"), 0u);
  EXPECT_EQ(count_class(c, "rect", "cur"), 1u);
  EXPECT_NE(chart.find("night 0002-20260103T031700Z (2026-01-03T03:40:00Z): held-out test score 0.450 → not measured"),
            std::string::npos);
  EXPECT_NE(chart.find("night 0004-20260105T031700Z"), std::string::npos);
  // The current night replaces an entry of the same id instead of being plotted twice.
  auto hist = fixture_history();
  hist.push_back(night);
  const std::string again = between(render_report_html(night, hist), "<section id=\"history\">", "</section>");
  EXPECT_EQ(count_class(check_html(again), "circle", "pt-before"), 4u);
}

TEST(ReportHtml, PerTaskDeltasChartAndTable) {
  const std::string html = render_report_html(fixture_night(), {});
  const std::string sec = between(html, "<section id=\"tasks\">", "</section>");
  EXPECT_NE(sec.find("<strong>val</strong>: <span class=\"up\">1 improved</span>, <span class=\"down\">1 "
                     "regressed</span>, 1 unchanged"),
            std::string::npos)
      << sec;
  EXPECT_NE(sec.find("<strong>test</strong>: <span class=\"up\">1 improved</span>"), std::string::npos);
  const auto c = check_html(sec);
  // One labelled bar per changed task (the unchanged one has none), its name as text.
  EXPECT_EQ(count_class(c, "span", "bbar b-up"), 2u);
  EXPECT_EQ(count_class(c, "span", "bbar b-down"), 1u);
  EXPECT_NE(sec.find("<span class=\"id\">task-regress</span> <span class=\"tag\">val</span>"), std::string::npos);
  EXPECT_NE(sec.find("0.200 → 0.600 <span class=\"up\">(+0.400)</span>"), std::string::npos) << sec;
  EXPECT_EQ(sec.find("<span class=\"id\">task-same</span>"), std::string::npos);
  EXPECT_NE(sec.find("x axis: change in score, after − before"), std::string::npos);
  // Regressions are listed first.
  const std::string table = sec.substr(sec.find("<thead>"));
  EXPECT_LT(table.find("task-regress"), table.find("task-test-up"));
  EXPECT_NE(sec.find("<td class=\"num\"><span class=\"down\">-1.000</span></td><td class=\"down\">regressed</td>"),
            std::string::npos);
}

TEST(ReportHtml, ProposalsShowAHighlightedUnifiedDiff) {
  const std::string html = render_report_html(fixture_night(), {});
  const std::string sec = between(html, "<section id=\"proposals\">", "</section>");
  EXPECT_NE(sec.find("<span class=\"up\">+3</span> <span class=\"down\">−0</span> lines"), std::string::npos) << sec;
  // The added list item: marker, inline code and bold highlighted.
  EXPECT_NE(sec.find("<tr class=\"add\"><td class=\"ln\"></td><td class=\"ln\">8</td><td class=\"code\"><span "
                     "class=\"sg\">+</span>"
                     "<span class=\"mk\">- </span>Always run <span class=\"mi\">`ninja -C build`</span> before "
                     "<span class=\"mb\">**claiming**</span> success</td></tr>"),
            std::string::npos)
      << sec;
  // Inside the fenced block: code, not markdown.
  EXPECT_NE(sec.find("<span class=\"sg\">+</span><span class=\"mc\">ninja -C build</span>"), std::string::npos);
  EXPECT_NE(sec.find("<span class=\"sg\">+</span><span class=\"mh\">## Notes from "
                     "&lt;script&gt;document.cookie&lt;/script&gt;</span>"),
            std::string::npos);
  EXPECT_NE(sec.find("@@ -5,6 +5,9 @@"), std::string::npos) << sec;
  // The new memory file: every line added, no final newline flagged, unverified warning.
  EXPECT_NE(sec.find("<span class=\"tag\">new file</span>"), std::string::npos);
  EXPECT_NE(sec.find("no newline at end of file"), std::string::npos);
  EXPECT_NE(sec.find("Not verified on held-out tasks"), std::string::npos);
  EXPECT_NE(sec.find("<a href=\"#proposal-2\">CLAUDE.md</a>"), std::string::npos);
}

TEST(ReportHtml, EditsCostTimeHarvestAndCommands) {
  host::ReportHtmlOptions opt;
  opt.store_dir = "/tmp/my store";
  const std::string html = render_report_html(fixture_night(), {}, opt);
  const std::string edits = between(html, "<section id=\"edits\">", "</section>");
  EXPECT_NE(edits.find("Accepted <span class=\"tag\">1</span>"), std::string::npos);
  EXPECT_NE(edits.find("Rejected <span class=\"tag\">1</span>"), std::string::npos);
  EXPECT_NE(edits.find("Unmatched <span class=\"tag\">1</span>"), std::string::npos);
  EXPECT_NE(edits.find("<strong>Why:</strong> Three failed tasks skipped the build."), std::string::npos);
  EXPECT_NE(edits.find("skill · insert_after"), std::string::npos);
  EXPECT_NE(edits.find("anchor_not_found"), std::string::npos);

  const std::string cost = between(html, "<section id=\"cost\">", "</section>");
  EXPECT_NE(cost.find("120,000"), std::string::npos);
  EXPECT_NE(cost.find("$0.4213"), std::string::npos);
  EXPECT_NE(cost.find("(25% cached)"), std::string::npos);
  EXPECT_NE(cost.find("24 min 09 s"), std::string::npos);
  EXPECT_NE(cost.find("11 min 41 s"), std::string::npos);          // replay 700.5 s
  EXPECT_EQ(count_class(check_html(cost), "rect", "b-time"), 4u);  // every phase but the total

  const std::string harvest = between(html, "<section id=\"harvest\">", "</section>");
  EXPECT_NE(harvest.find("<div class=\"v\">42</div><div class=\"k\">sessions</div>"), std::string::npos) << harvest;
  EXPECT_NE(harvest.find("<div class=\"v\">311</div><div class=\"k\">prompts</div>"), std::string::npos);
  EXPECT_NE(harvest.find("<div class=\"v\">5</div><div class=\"k\">secrets redacted</div>"), std::string::npos);
  EXPECT_NE(harvest.find("<div class=\"v\">3</div><div class=\"k\">anomalies</div>"), std::string::npos);

  const std::string next = between(html, "<section id=\"next\">", "</section>");
  const std::string base = " --project /home/dev/src/app --store &#39;/tmp/my store&#39;";
  EXPECT_NE(next.find("skillpipe adopt" + base + " --night 0004-20260105T031700Z</code>"), std::string::npos) << next;
  EXPECT_NE(next.find("skillpipe adopt" + base + " --night 0004-20260105T031700Z --skill CLAUDE.md --allow-unverified"),
            std::string::npos);
  EXPECT_NE(next.find("skillpipe rollback" + base + "</code>"), std::string::npos);
  EXPECT_NE(next.find("skillpipe report" + base + " --night 0004-20260105T031700Z --open"), std::string::npos);
}

TEST(ReportHtml, HarvestCountHelpers) {
  const std::map<std::string, std::int64_t> c = {
      {"h1.prompts", 3}, {"h2.prompts", 4}, {"sessions", 9}, {"h1.sessions", 5}};
  EXPECT_EQ(host::report::count_total(c, "prompts"), 7);
  EXPECT_EQ(host::report::count_total(c, "sessions"), 9);  // the runner's total wins
  EXPECT_EQ(host::report::count_total(c, "redactions"), std::nullopt);
  EXPECT_TRUE(host::report::is_anomaly_count("harvest.lines_malformed"));
  EXPECT_TRUE(host::report::is_anomaly_count("codex.files_unreadable"));
  EXPECT_FALSE(host::report::is_anomaly_count("harvest.files_read"));
  EXPECT_FALSE(host::report::is_anomaly_count("harvest.prompts"));
  EXPECT_FALSE(host::report::is_anomaly_count("patterns.sessions_unknown"));  // an outcome, not a problem
  EXPECT_TRUE(host::report::is_anomaly_count("codex.files_unsupported_json"));
  // Harvested sessions without a redaction count: none was needed (zero counts are not kept).
  NightReport r;
  r.counts = {{"sessions", 3}, {"h.sessions", 3}, {"patterns.sessions_unknown", 2}};
  const std::string html = host::report::harvest_html(r);
  EXPECT_NE(html.find("<div class=\"v\">0</div><div class=\"k\">secrets redacted</div>"), std::string::npos) << html;
  EXPECT_NE(html.find("<div class=\"v\">0</div><div class=\"k\">anomalies</div>"), std::string::npos) << html;
  EXPECT_NE(html.find("not counted</span></div><div class=\"k\">prompts</div>"), std::string::npos) << html;
}

TEST(ReportHtml, ManyTasksAndALongDocumentStayWellFormedAndBounded) {
  NightReport r = fixture_night();
  r.deltas.clear();
  for (int i = 0; i < 600; ++i)
    r.deltas.push_back({"t" + std::to_string(i), i % 2 ? Split::kVal : Split::kTest, (i % 7) / 7.0, (i % 5) / 5.0});
  std::string big;
  for (int i = 0; i < 6000; ++i) big += "line " + std::to_string(i) + " <x>\n";
  r.proposals[0].base_text.clear();
  r.proposals[0].base_sha256.clear();
  r.proposals[0].proposed_text = big;
  const std::string html = render_report_html(r, fixture_history());
  const auto h = check_html(html);
  ASSERT_TRUE(h.errors.empty()) << h.errors.front();
  EXPECT_NE(html.find("The diff is longer than 2500 rows"), std::string::npos);
  EXPECT_LT(html.size(), 2u * 1024 * 1024);
}

TEST(ReportHtml, MarkdownLineHighlighter) {
  using host::report::markdown_line_html;
  EXPECT_EQ(markdown_line_html("# Title <x>", false), "<span class=\"mh\"># Title &lt;x&gt;</span>");
  EXPECT_EQ(markdown_line_html("#hashtag", false), "#hashtag");
  EXPECT_EQ(markdown_line_html("  1. step `a<b`", false),
            "  <span class=\"mk\">1. </span>step <span class=\"mi\">`a&lt;b`</span>");
  EXPECT_EQ(markdown_line_html("- [x] done", false), "<span class=\"mk\">- </span><span class=\"mk\">[x] </span>done");
  EXPECT_EQ(markdown_line_html("> quote", false), "<span class=\"mq\">&gt;</span> quote");
  EXPECT_EQ(markdown_line_html("see [docs](x.md) now", false), "see <span class=\"ml\">[docs](x.md)</span> now");
  EXPECT_EQ(markdown_line_html("```bash", false), "<span class=\"mf\">```bash</span>");
  EXPECT_EQ(markdown_line_html("# not a heading in code", true), "<span class=\"mc\"># not a heading in code</span>");
  EXPECT_EQ(markdown_line_html("name: build-helper", false), "<span class=\"my\">name:</span> build-helper");
  EXPECT_EQ(markdown_line_html("---", false), "<span class=\"mr\">---</span>");
  EXPECT_EQ(markdown_line_html("unclosed `tick and **bold", false), "unclosed `tick and **bold");
  EXPECT_EQ(markdown_line_html("héllo `ü`", false), "héllo <span class=\"mi\">`ü`</span>");
}
