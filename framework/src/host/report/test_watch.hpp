// report/test_watch.hpp - watching an adopted change on the held-out test split.
//
// The gate accepts on val; the test split is scored every night it exists. When the change in
// force (the latest adoption not undone) scores worse on test than the night that proposed it
// measured before it - on a later night, whose baseline runs under the live, adopted documents,
// or else on that night itself - `skillpipe status` and report.html say so and print the
// rollback command. Means over each night's test split: new test tasks can shift them, so the
// message shows both numbers and lets the user judge.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "skillpipe/records.hpp"
#include "skillpipe/store.hpp"

namespace skillpipe::host {

struct TestRegression {
  int version = 0;              // the adoption version in force
  std::string adopted_night;    // the night whose proposal it adopted
  double before = 0;            // that night's test score under the documents before the change
  std::string measured_night;   // the night that measured `after`
  double after = 0;             // test score with the change
  // "the adopted change (version 2, from night N) measures worse on the held-out test split: 0.833 before it, 0.625 on night M"
  std::string text() const;
};

// `nights`: the project's published reports, oldest first (the night being written may be last).
std::optional<TestRegression> adopted_change_worse_on_test(const std::vector<AdoptionVersion>& versions,
                                                           const std::vector<NightReport>& nights);

// The report.html section (a warning box and the rollback command), "" without a regression.
std::string test_regression_html(const std::optional<TestRegression>& r, const std::string& rollback_command);

}  // namespace skillpipe::host
