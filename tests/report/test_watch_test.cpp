// Watching an adopted change on the held-out test split (report/test_watch.hpp): which
// adoption is in force, which night measured it, and when it counts as worse.
#include "host/report/test_watch.hpp"

#include <gtest/gtest.h>

namespace skillpipe::host {
namespace {

NightReport night(const std::string& id, const std::string& finished, std::optional<double> base_test,
                  std::optional<double> cand_test = std::nullopt) {
  NightReport r;
  r.night_id = id;
  r.finished_at = finished;
  r.baseline_test = base_test;
  r.candidate_test = cand_test;
  return r;
}

AdoptionVersion adopt(int version, const std::string& night_id, const std::string& at) {
  AdoptionVersion v;
  v.version = version;
  v.night_id = night_id;
  v.at = at;
  return v;
}

TEST(TestWatch, ALaterNightUnderTheAdoptedDocumentsScoresWorse) {
  const std::vector<NightReport> nights = {night("n1", "2026-01-01T03:00:00Z", 0.8, 0.9),
                                           night("n2", "2026-01-02T03:00:00Z", 0.5)};
  const auto r = adopted_change_worse_on_test({adopt(1, "n1", "2026-01-01T09:00:00Z")}, nights);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->measured_night, "n2");
  EXPECT_DOUBLE_EQ(r->before, 0.8);
  EXPECT_DOUBLE_EQ(r->after, 0.5);
  EXPECT_EQ(r->text(),
            "the adopted change (version 1, from night n1) measures worse on the held-out test split: 0.800 "
            "before it, 0.500 on night n2");
  const std::string html = test_regression_html(r, "skillpipe rollback --project '/p q'");
  EXPECT_NE(html.find("The adopted change (version 1"), std::string::npos) << html;
  EXPECT_NE(html.find("skillpipe rollback --project &#39;/p q&#39;"), std::string::npos) << html;
  EXPECT_EQ(test_regression_html(std::nullopt, "x"), "");
}

TEST(TestWatch, NoLaterNightFallsBackToTheAdoptingNightsOwnMeasurement) {
  const std::vector<NightReport> nights = {night("n1", "2026-01-01T03:00:00Z", 0.8, 0.6)};
  const auto r = adopted_change_worse_on_test({adopt(1, "n1", "2026-01-01T09:00:00Z")}, nights);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->measured_night, "n1");
  EXPECT_NE(r->text().find("with it on that night"), std::string::npos);
}

TEST(TestWatch, NothingToSayWhenNotWorseUndoneOrMeasuredBeforeTheAdoption) {
  const std::vector<NightReport> better = {night("n1", "2026-01-01T03:00:00Z", 0.5, 0.9),
                                           night("n2", "2026-01-02T03:00:00Z", 0.9)};
  EXPECT_FALSE(adopted_change_worse_on_test({adopt(1, "n1", "2026-01-01T09:00:00Z")}, better));
  // n2 finished before the adoption: it measured the old documents, so it says nothing.
  const std::vector<NightReport> early = {night("n1", "2026-01-01T03:00:00Z", 0.8, 0.9),
                                          night("n2", "2026-01-01T04:00:00Z", 0.5)};
  EXPECT_FALSE(adopted_change_worse_on_test({adopt(1, "n1", "2026-01-01T09:00:00Z")}, early));
  const std::vector<NightReport> worse = {night("n1", "2026-01-01T03:00:00Z", 0.8, 0.9),
                                          night("n2", "2026-01-02T03:00:00Z", 0.5)};
  AdoptionVersion undone = adopt(1, "n1", "2026-01-01T09:00:00Z");
  undone.undone_by = 2;
  AdoptionVersion rollback = adopt(2, "n1", "2026-01-01T10:00:00Z");
  rollback.action = AdoptionAction::kRollback;
  EXPECT_FALSE(adopted_change_worse_on_test({undone, rollback}, worse));
  AdoptionVersion restore = adopt(2, "", "2026-01-01T10:00:00Z");
  restore.action = AdoptionAction::kRollback;
  restore.to_version = 0;  // rollback --to 0: before any adoption
  EXPECT_FALSE(adopted_change_worse_on_test({adopt(1, "n1", "2026-01-01T09:00:00Z"), restore}, worse));
  EXPECT_FALSE(adopted_change_worse_on_test({}, worse));
  // No test split on the adopting night: nothing to compare with.
  EXPECT_FALSE(adopted_change_worse_on_test({adopt(1, "n1", "2026-01-01T09:00:00Z")},
                                            {night("n1", "2026-01-01T03:00:00Z", std::nullopt)}));
}

}  // namespace
}  // namespace skillpipe::host
