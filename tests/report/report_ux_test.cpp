// What the night report must make plain without hovering: which score the history chart
// plots (test, or plainly val), labelled axes, per-task changes as named bars or "no per-task
// change" (never an empty box), sub-phases nested under their stage, why a rejected edit was
// rejected, a task count that counts tasks, the store's notes, and the action that fits the
// night's state (pending, adopted, rolled back).
#include <gtest/gtest.h>

#include "host/report/html.hpp"
#include "host/report/parts.hpp"
#include "host/report/sections.hpp"
#include "html_check.hpp"
#include "report_fixture.hpp"
#include "skillpipe/kit/staging_notes.hpp"
#include "test_support.hpp"

using namespace skillpipe;
using namespace skillpipe::testing;
using skillpipe::host::render_report_html;

namespace {

std::string section(const std::string& html, const std::string& id) {
  const auto at = html.find("<section id=\"" + id + "\">");
  if (at == std::string::npos) return "";
  return html.substr(at, html.find("</section>", at) - at);
}

}  // namespace

TEST(ReportUx, HistoryChartSaysWhichScoreItPlotsAndLabelsBothAxes) {
  const std::string with_test = section(render_report_html(fixture_night(), fixture_history()), "history");
  EXPECT_NE(with_test.find("<h2>Held-out test score over nights</h2>"), std::string::npos);
  EXPECT_NE(with_test.find(">test score (0–1)</text>"), std::string::npos) << with_test;
  EXPECT_NE(with_test.find(">night number</text>"), std::string::npos);

  NightReport night = fixture_night();
  night.baseline_test.reset();
  std::vector<NightReport> history = fixture_history();
  for (auto& n : history) {
    n.baseline_val = n.baseline_test;
    n.baseline_test.reset();
    n.candidate_test.reset();
  }
  const std::string val_only = section(render_report_html(night, history), "history");
  EXPECT_NE(val_only.find("<h2>Validation score over nights</h2>"), std::string::npos) << val_only;
  EXPECT_NE(val_only.find("this chart shows the validation score"), std::string::npos);
  EXPECT_NE(val_only.find(">validation score (0–1)</text>"), std::string::npos);
  EXPECT_EQ(val_only.find("Held-out"), std::string::npos);
}

TEST(ReportUx, NoPerTaskChangeIsSaidInWordsNotDrawnAsAnEmptyBox) {
  NightReport r = fixture_night();
  for (auto& d : r.deltas) d.after = d.before;
  const std::string tasks = section(render_report_html(r, {}), "tasks");
  EXPECT_NE(tasks.find("No per-task change: every task scored the same before and after."), std::string::npos);
  EXPECT_EQ(tasks.find("class=\"bars\""), std::string::npos);
  EXPECT_EQ(tasks.find("<svg"), std::string::npos);
  EXPECT_EQ(host::report::deltas_chart_html(r.deltas), "");
}

TEST(ReportUx, SubPhasesAreNestedUnderTheirStageNotListedAsExtraTime) {
  const std::map<std::string, double> t = {
      {"consolidate", 400}, {"consolidate.rollouts", 250}, {"consolidate.gate", 120}, {"replay", 700}, {"total", 1100}};
  const std::string svg = host::report::timings_chart_svg(t);
  const auto h = check_html(svg);
  ASSERT_TRUE(h.errors.empty()) << h.errors.front();
  std::size_t top = 0, sub = 0;
  for (const auto& tag : h.tags) {
    if (tag.name != "rect") continue;
    top += tag.attrs.at("class") == "b-time";
    sub += tag.attrs.at("class") == "b-sub";
  }
  EXPECT_EQ(top, 2u);  // replay, consolidate
  EXPECT_EQ(sub, 2u);
  // replay (largest) first, then consolidate with its parts right under it.
  const auto replay = svg.find(">replay</text>"), cons = svg.find(">consolidate</text>"),
             roll = svg.find(">↳ rollouts</text>"), gate = svg.find(">↳ gate</text>");
  ASSERT_NE(roll, std::string::npos) << svg;
  EXPECT_LT(replay, cons);
  EXPECT_LT(cons, roll);
  EXPECT_LT(roll, gate);
  EXPECT_NE(svg.find("not extra time"), std::string::npos);
  EXPECT_NE(svg.find(">wall time (seconds, longest stage = full bar)</text>"), std::string::npos);
}

TEST(ReportUx, ARejectedEditSaysWhyItWasRejected) {
  NightReport r = fixture_night();
  // The typed reason (Edit::rejection) is what the page says; a note's prose is not parsed.
  r.rejected_edits[0].rejection = RejectionReason::kRegression;
  r.rejected_edits[0].rejection_detail = "candidate 0.40 vs baseline 0.55, but 1 task(s) got worse (t3)";
  r.notes.push_back("trial skill (1 edit): rejected - some other sentence");
  std::string edits = section(render_report_html(r, {}), "edits");
  EXPECT_NE(edits.find("<strong>Why rejected:</strong> Rejected: a held-out task got worse (per-task no-regression): "
                       "candidate 0.40 vs baseline 0.55, but 1 task(s) got worse (t3)"),
            std::string::npos)
      << edits;
  EXPECT_EQ(edits.find("some other sentence"), std::string::npos) << edits;
  EXPECT_NE(edits.find("<strong>Why it was proposed:</strong> Style nit"), std::string::npos);
  // A record written before Edit schema 3 (no reason): the gate's own reason when it rejected the night.
  r = fixture_night();
  r.gate_action = GateAction::kReject;
  r.gate_reason = "no gain on val";
  edits = section(render_report_html(r, {}), "edits");
  EXPECT_NE(edits.find("<strong>Why rejected:</strong> Rejected by the gate: no gain on val"), std::string::npos);
  // A carried edit was not rejected: it is re-tested.
  r.rejected_edits[0].status = EditStatus::kCarried;
  edits = section(render_report_html(r, {}), "edits");
  EXPECT_NE(edits.find("the next night re-tests it"), std::string::npos);
  r.rejected_edits[0].rejection = RejectionReason::kTooFewTasks;
  edits = section(render_report_html(r, {}), "edits");
  EXPECT_NE(edits.find("Not kept yet: too few held-out tasks to claim a gain (gate_min_val); the next night re-tests it."),
            std::string::npos)
      << edits;
}

TEST(ReportUx, TasksMinedCountsTasksNotPatterns) {
  // The host's "tasks" adds every miner's output (10 patterns + 11 tasks).
  const std::map<std::string, std::int64_t> c = {{"tasks", 21}, {"mine.tasks", 11}, {"patterns.patterns_ready", 10}};
  EXPECT_EQ(host::report::mined_tasks(c), 11);
  EXPECT_EQ(host::report::mined_tasks({{"tasks", 7}}), 7);
  NightReport r;
  r.counts = c;
  EXPECT_NE(host::report::harvest_html(r).find("<div class=\"v\">11</div><div class=\"k\">tasks mined</div>"),
            std::string::npos);
}

TEST(ReportUx, TheLiveFileChangedNoteIsMadeOnceForBothPages) {
  TempDir dir;
  Proposal p;
  p.name = "helper";
  p.live_path = dir.file("SKILL.md");
  p.base_text = "old\n";
  p.base_sha256 = sha256_hex(p.base_text);
  write_text(p.live_path, p.base_text);
  EXPECT_FALSE(kit::live_changed_note(p));
  write_text(p.live_path, "edited by the user\n");
  const auto note = kit::live_changed_note(p);
  ASSERT_TRUE(note);
  EXPECT_NE(note->find("The live file " + p.live_path + " changed while the night ran"), std::string::npos);
  NightReport r = fixture_night();
  r.notes = {*note};
  EXPECT_NE(section(render_report_html(r, {}), "notes").find("changed while the night ran"), std::string::npos);
}

TEST(ReportUx, TheActionOfferedMatchesTheNightsState) {
  const NightReport r = fixture_night();
  const std::string pending = render_report_html(r, {});
  EXPECT_NE(section(pending, "next").find("adopt the accepted proposal"), std::string::npos);

  host::AdoptionState adopted{host::NightAdoption::kAdopted, 3, "2026-01-05T08:00:00Z", 0, ""};
  const auto now = host::with_adoption_state(pending, r, "", adopted);
  ASSERT_TRUE(now);
  const std::string next = section(*now, "next");
  EXPECT_NE(next.find("This night was adopted</strong> (version 3, 2026-01-05T08:00:00Z)"), std::string::npos) << next;
  EXPECT_EQ(next.find("skillpipe adopt"), std::string::npos);
  EXPECT_NE(next.find("skillpipe rollback --project /home/dev/src/app"), std::string::npos);
  EXPECT_EQ(now->substr(0, now->find("<section id=\"next\">")), pending.substr(0, pending.find("<section id=\"next\">")));
  EXPECT_TRUE(check_html(*now).errors.empty());

  host::AdoptionState back{host::NightAdoption::kRolledBack, 3, "a", 4, "2026-01-06T09:00:00Z"};
  const std::string rolled = section(*host::with_adoption_state(pending, r, "", back), "next");
  EXPECT_NE(rolled.find("and rolled back</strong> by version 4"), std::string::npos) << rolled;
  EXPECT_NE(rolled.find("skillpipe adopt --project /home/dev/src/app --night 0004-20260105T031700Z"), std::string::npos);
  EXPECT_FALSE(host::with_adoption_state("<html>no section</html>", r, "", back));

  AdoptionHistory h;
  h.versions = {{1, AdoptionAction::kAdopt, "n1", "t1", -1, 2, {}}, {2, AdoptionAction::kRollback, "n1", "t2", -1, 0, {}},
                {3, AdoptionAction::kAdopt, "n2", "t3", -1, 0, {}}};
  EXPECT_EQ(host::adoption_state(h, "n1").state, host::NightAdoption::kRolledBack);
  EXPECT_EQ(host::adoption_state(h, "n1").undone_at, "t2");
  EXPECT_EQ(host::adoption_state(h, "n2").state, host::NightAdoption::kAdopted);
  EXPECT_EQ(host::adoption_state(h, "n3").state, host::NightAdoption::kPending);
}
