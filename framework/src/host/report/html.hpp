// report/html.hpp - the night's report.html: one self-contained page (inline CSS and SVG,
// no scripts, no fonts, no network) a person reads on a phone or a wide screen in the
// morning: scores and the gate's decision, the held-out score over past nights, per-task
// changes, the proposed documents as diffs, the edits with their rationales, cost and time,
// harvest counts, and the exact commands to adopt or roll back.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "host/report/adoption_state.hpp"
#include "host/report/test_watch.hpp"
#include "skillpipe/records.hpp"

namespace skillpipe::host {

struct ReportHtmlOptions {
  // The store directory when it is not the default (~/.skillpipe or $SKILLPIPE_STORE): the
  // printed commands then carry --store so they work when copied.
  std::string store_dir;
  // The adopted change in force measures worse on test: the page says so first, with the
  // rollback command (report/test_watch.hpp).
  std::optional<TestRegression> test_regression;
  // The night's replays and verdicts: agentic replays get the "Agent replays" section, with
  // each trajectory's diff from `diffs` (its diff_artifact -> the patch text).
  std::vector<ReplayResult> replays;
  std::vector<Verdict> verdicts;
  std::map<std::string, std::string> diffs;
  // Where the night stands now: `skillpipe report` re-renders a night that was adopted or
  // rolled back since, so the page offers the action that fits (nullopt: just staged).
  std::optional<AdoptionState> adoption;
};

// `history`: this project's earlier nights, oldest first (Store::past_reports). An entry with
// the same night_id as `night` is replaced by `night`; entries are not re-sorted.
std::string render_report_html(const NightReport& night, const std::vector<NightReport>& history,
                               const ReportHtmlOptions& options);
std::string render_report_html(const NightReport& night, const std::vector<NightReport>& history);

// A rendered page with its "what to do now" section replaced by the one for `adoption`, so a
// night adopted or rolled back since shows the action that fits, everything else unchanged.
// nullopt when `page` has no such section (not written by render_report_html).
std::optional<std::string> with_adoption_state(const std::string& page, const NightReport& night,
                                               const std::string& store_dir, const AdoptionState& adoption);

}  // namespace skillpipe::host
