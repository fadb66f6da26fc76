#include "host/report/test_watch.hpp"

#include <cstdio>

#include "host/report/parts.hpp"

namespace skillpipe::host {
namespace {

constexpr double kEps = 1e-9;  // scores are means of small fractions; ignore float dust

// The latest adoption still in force: not undone by a rollback, nor by a restore to an
// earlier version.
const AdoptionVersion* in_force(const std::vector<AdoptionVersion>& versions) {
  for (auto it = versions.rbegin(); it != versions.rend(); ++it) {
    if (it->action != AdoptionAction::kAdopt || it->undone_by != 0) continue;
    bool restored_away = false;
    for (auto later = versions.rbegin(); later != it; ++later)
      restored_away = restored_away || (later->to_version >= 0 && later->to_version < it->version);
    if (!restored_away) return &*it;
  }
  return nullptr;
}

}  // namespace

std::string TestRegression::text() const {
  char nums[96];
  std::snprintf(nums, sizeof nums, "%.3f before it, %.3f", before, after);
  return "the adopted change (version " + std::to_string(version) + ", from night " + adopted_night +
         ") measures worse on the held-out test split: " + nums +
         (measured_night == adopted_night ? " with it on that night" : " on night " + measured_night);
}

std::optional<TestRegression> adopted_change_worse_on_test(const std::vector<AdoptionVersion>& versions,
                                                           const std::vector<NightReport>& nights) {
  const AdoptionVersion* v = in_force(versions);
  if (!v) return std::nullopt;
  const NightReport* adopted = nullptr;
  for (const auto& n : nights)
    if (n.night_id == v->night_id) adopted = &n;
  if (!adopted || !adopted->baseline_test) return std::nullopt;
  TestRegression r{v->version, v->night_id, *adopted->baseline_test, adopted->night_id,
                   adopted->candidate_test.value_or(*adopted->baseline_test)};
  // The latest night that finished after the adoption scored test under the adopted documents
  // (its baseline). finished_at and the adoption time are both the wall clock, to the second.
  for (const auto& n : nights)
    if (n.night_id != v->night_id && n.baseline_test && !n.finished_at.empty() && n.finished_at >= v->at) {
      r.measured_night = n.night_id;
      r.after = *n.baseline_test;
    }
  if (!(r.after < r.before - kEps)) return std::nullopt;
  return r;
}

std::string test_regression_html(const std::optional<TestRegression>& r, const std::string& rollback_command) {
  if (!r) return "";
  std::string text = r->text();
  text[0] = 'T';  // a sentence of its own here
  return "<section id=\"test-regression\"><h2>An adopted change measures worse on test</h2><p class=\"warnbox\">" +
         report::esc(text) + ". Roll it back with:</p><pre><code>" + report::esc(rollback_command) + "</code></pre></section>";
}

}  // namespace skillpipe::host
