// ab/report.hpp - compares the arms of an A/B run and writes the comparison as JSON and
// Markdown: per arm scores with bootstrap intervals, pass rate, tokens and cost; per pair
// of arms the paired difference with its interval, sign and Wilcoxon tests, pass/fail
// agreement (percent, Cohen's kappa), soft-score correlation, and the tasks they disagree on.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "host/ab/runner.hpp"
#include "host/ab/stats.hpp"

namespace skillpipe::host::ab {

struct ArmSummary {
  int scored = 0;             // tasks with a score
  int missing = 0;            // tasks whose every replay failed
  double hard = 0, soft = 0;  // means over scored tasks
  Interval hard_ci, soft_ci;
  double pass_rate = 0;  // share of scored tasks with hard >= threshold
};

struct Disagreement {
  std::size_t task = 0;  // index into AbRun::tasks
};

struct PairSummary {
  std::size_t a = 0, b = 0;   // arm indexes; differences are b - a
  int n = 0;                  // tasks both arms scored
  bool same_replays = false;  // identical replay fingerprints
  double hard_diff = 0, soft_diff = 0;
  Interval hard_diff_ci, soft_diff_ci;
  PairedTest hard_sign, hard_wilcoxon, soft_wilcoxon;
  // Holm-adjusted over every pair, one family per test (nullopt: the test had no difference).
  std::optional<double> hard_sign_holm, hard_wilcoxon_holm, soft_wilcoxon_holm;
  Agreement agreement;  // on pass/fail
  std::optional<double> soft_pearson;
  std::vector<std::size_t> disagreements;  // task indexes where pass/fail differs (all of them)
};

struct AbReport {
  std::vector<ArmSummary> arms;
  std::vector<PairSummary> pairs;  // every pair (i < j)
};

AbReport compare(const AbRun& run);
std::string report_json(const AbRun& run, const AbReport& report);
std::string report_markdown(const AbRun& run, const AbReport& report);

// Shared by the Markdown and HTML pages, so both say the same thing:
// "path (sha256 0123456789ab)" or "none".
std::string arm_document(const std::string& path, const std::string& sha256);
// How p-values across several pairs are corrected (Holm), in one sentence (after "multiple comparisons: ").
std::string multiple_comparisons_text(std::size_t pairs);
// "Pass/fail verdicts agree on every task; soft scores still differ on 3 tasks (Wilcoxon p = 0.031)."
std::string agreement_sentence(const PairSummary& p);

}  // namespace skillpipe::host::ab
