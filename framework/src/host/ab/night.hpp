// ab/night.hpp - A/B of whole nights (`mode: night`): arms that swap a consolidator or gate
// settings each run their own night, and are compared on the held-out test split.
//
// Each arm gets its own store under the work directory, so its harvest cursors, task
// archive, nights and staged proposals are its own; with store_files the arms still share
// one response cache (the arm stores' cache/ directories link to one), so a replay both arms
// make is paid once. Nothing is adopted (auto_adopt is forced off): the live skills and
// memory are only read, which makes every arm start from the same documents.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "host/ab/runner.hpp"
#include "host/ab/stats.hpp"

namespace skillpipe::host::ab {

struct NightArm {
  std::string name;
  std::vector<std::string> sets;
  int exit_code = 0;
  std::vector<std::string> errors;
  NightReport report;
  std::string night_dir;
  std::string store_root;
  double seconds = 0;
  std::map<std::string, double> test_before;  // task id -> score, from the report's test deltas
  std::map<std::string, double> test_after;
};

struct NightPair {
  std::size_t a = 0, b = 0;
  int n = 0;        // test tasks both arms report
  double diff = 0;  // mean of after_b - after_a
  Interval diff_ci;
  PairedTest sign, wilcoxon;
  std::optional<double> sign_holm, wilcoxon_holm;  // Holm-adjusted across the pairs
  std::vector<std::string> task_ids;  // the paired tasks, in order
  // An arm whose gate kept the baseline ships the baseline documents; when both nights
  // measured the same baseline (same test score and test task count), its per-task test
  // scores are the other arm's per-task "before" scores. Names that arm, if so.
  std::string baseline_from_other;
};

struct NightRun {
  AbSpec spec;
  std::string work_dir;
  std::vector<NightArm> arms;
  std::vector<NightPair> pairs;
  std::vector<std::string> errors;  // set-up problems; arm failures are per arm
  int exit_code = 0;
};

// Runs every arm's night one after the other in `work_dir` (created if needed).
NightRun run_night_ab(const AbSpec& spec, const RunOptions& options, const std::string& work_dir);

std::string night_report_json(const NightRun& run);
std::string night_report_markdown(const NightRun& run);
// The same as one self-contained page (night_html.cpp): arms, test scores on a labelled
// axis, and each pair's tests.
std::string night_report_html(const NightRun& run);
// "0.500 -> 0.667 (3 tasks)", or "not measured"; the per-task count says how many test
// tasks have their own score (0 when only the mean was reported).
std::string test_tasks_text(const NightArm& a);

}  // namespace skillpipe::host::ab
