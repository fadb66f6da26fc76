// report/sections.hpp - the lower sections of the HTML report (sections.cpp): edits,
// cost and time, harvest counts, and the commands to adopt or roll back.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "host/report/adoption_state.hpp"
#include "skillpipe/records.hpp"

namespace skillpipe::host::report {

std::string edits_html(const NightReport& r);
std::string cost_html(const NightReport& r);
std::string harvest_html(const NightReport& r);
std::string commands_html(const NightReport& r, const std::string& store_dir,
                          const std::optional<AdoptionState>& adoption = std::nullopt);
// Agentic replays (trajectories.cpp): trigger rates per skill, then each replay's commands
// with exit codes, skills listed vs invoked, checks, files changed and diff ("" when the
// night had no agentic replay). `diffs`: a trajectory's diff_artifact -> the patch text.
std::string trajectories_html(const std::vector<ReplayResult>& replays, const std::vector<Verdict>& verdicts,
                              const std::map<std::string, std::string>& diffs);

// A harvest figure from the night's counts: the key itself when present (the runner's
// totals), else the sum of every "<stage>.<key>" (per-stage counts); nullopt when neither.
std::optional<std::int64_t> count_total(const std::map<std::string, std::int64_t>& counts, const std::string& key);
// Tasks mined: the sum of the task miners' "<stage>.tasks" (not patterns), else the total.
std::optional<std::int64_t> mined_tasks(const std::map<std::string, std::int64_t>& counts);
// Whether a count name reports something that went wrong while reading transcripts.
bool is_anomaly_count(const std::string& name);

}  // namespace skillpipe::host::report
