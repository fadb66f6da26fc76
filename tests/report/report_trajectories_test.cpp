// report.html's "Agent replays" section: trigger rates per skill and, per agentic replay,
// the commands with their exit codes, skills listed vs invoked, the checks, the files changed
// and the diff - escaped, well formed, and absent for a night of chat replays.
#include <gtest/gtest.h>

#include "host/report/html.hpp"
#include "html_check.hpp"

using namespace skillpipe;
using skillpipe::host::render_report_html;
using skillpipe::host::ReportHtmlOptions;

namespace {

ReplayResult agentic_replay(const std::string& task, const std::string& variant, bool invoked) {
  ReplayResult r;
  r.task_id = task;
  r.variant = variant;
  r.response = "Regenerated <generated/fields.txt>.";
  r.latency_ms = 4200;
  Trajectory t;
  t.agent = "claude";
  t.agent_version = "2.1.197";
  t.workspace_commit = "0123456789abcdef";
  t.ended = "completed";
  t.confinement = "bubblewrap";
  t.skills_listed = {"schema-regen", "verify"};
  if (invoked) t.skills_invoked = {"schema-regen"};
  ToolCallRecord skill{"Skill", R"({"skill":"schema-regen"})", true, std::nullopt, ""};
  ToolCallRecord run{"Bash", "sh tools/regen.sh && echo '<script>'", true, 0, ""};
  ToolCallRecord bad{"Bash", "sh tests/check.sh", false, 1, ""};
  t.tool_calls = invoked ? std::vector<ToolCallRecord>{skill, run} : std::vector<ToolCallRecord>{bad};
  if (invoked) t.files_changed = {"generated/fields.txt"};
  t.diff_artifact = "artifacts/agentic/" + task + "-" + variant + "/diff.patch";
  CheckRecord c;
  c.command = "sh tests/check.sh";
  c.exit_code = invoked ? 0 : 1;
  t.checks = {c};
  r.trajectory = t;
  return r;
}

Verdict verdict(const std::string& task, const std::string& variant, double hard) {
  Verdict v;
  v.task_id = task;
  v.variant = variant;
  v.judge_id = "rules";
  v.hard = hard;
  v.rationale = hard > 0 ? "passed 1 of 1" : "failed 1 of 1: check_command=sh tests/check.sh [exit 1]";
  return v;
}

NightReport night() {
  NightReport r;
  r.night_id = "0001-20261206T000000Z";
  r.project = "/src/fields";
  return r;
}

TEST(ReportTrajectories, EachReplayShowsCommandsExitCodesSkillsFilesAndTheDiff) {
  ReportHtmlOptions o;
  o.replays = {agentic_replay("regen-3", "baseline", false), agentic_replay("regen-3", "candidate", true)};
  o.verdicts = {verdict("regen-3", "baseline", 0.0), verdict("regen-3", "candidate", 1.0)};
  o.diffs["artifacts/agentic/regen-3-candidate/diff.patch"] = "--- a/generated/fields.txt\n+++ b/generated/fields.txt\n+email\n";
  const std::string html = render_report_html(night(), {}, o);
  const auto check = skillpipe::testing::check_html(html);
  EXPECT_TRUE(check.errors.empty()) << check.errors.front();
  EXPECT_NE(html.find("<section id=\"replays\"><h2>Agent replays</h2>"), std::string::npos);
  EXPECT_NE(html.find("href=\"#replays\""), std::string::npos);
  // trigger rates: schema-regen listed in both replays of each variant, invoked only by the candidate
  EXPECT_NE(html.find("<td><code>schema-regen</code></td><td>baseline</td><td class=\"num\">1</td><td "
                      "class=\"num\">0</td><td class=\"num\">0.00</td>"),
            std::string::npos);
  EXPECT_NE(html.find("<td><code>schema-regen</code></td><td>candidate</td><td class=\"num\">1</td><td "
                      "class=\"num\">1</td><td class=\"num\">1.00</td>"),
            std::string::npos);
  // commands with exit codes, escaped
  EXPECT_NE(html.find("sh tools/regen.sh &amp;&amp; echo &#39;&lt;script&gt;&#39;"), std::string::npos) << html;
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num down\">1</td>"), std::string::npos);
  EXPECT_NE(html.find("Check <code>sh tests/check.sh</code>: exit 1"), std::string::npos);
  EXPECT_NE(html.find("Files changed: generated/fields.txt"), std::string::npos);
  EXPECT_NE(html.find("+email"), std::string::npos);
  EXPECT_NE(html.find("Skills invoked: schema-regen"), std::string::npos);
  // the CLI's bundled skill, listed everywhere and never used, is one line, not a row per variant
  EXPECT_NE(html.find("Listed but never invoked: verify"), std::string::npos);
  EXPECT_EQ(html.find("<td><code>verify</code>"), std::string::npos);
  EXPECT_NE(html.find("Verdict: failed 1 of 1: check_command=sh tests/check.sh [exit 1]"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"up\">passed</span>"), std::string::npos);
}

TEST(ReportTrajectories, ANightOfChatReplaysHasNoAgentSection) {
  ReportHtmlOptions o;
  ReplayResult chat;
  chat.task_id = "t1";
  chat.variant = "baseline";
  chat.response = "42";
  o.replays = {chat};
  const std::string html = render_report_html(night(), {}, o);
  EXPECT_EQ(html.find("Agent replays"), std::string::npos);
  EXPECT_EQ(html.find("#replays"), std::string::npos);
}

}  // namespace
