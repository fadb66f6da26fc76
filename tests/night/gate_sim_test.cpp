// The seeded noise simulation, fast version (the full table: bench/gate_sim). It fails if a
// default regresses: the default gate must accept at most 1 no-op edit in 60 trials against a
// target whose answers flip 20% of the time, and must still learn real rules.
#include "gate_sim.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace skillpipe {
namespace {

gatesim::Runner runner() {
  return [](const std::vector<std::string>& args) {
    const auto r = testing::run_skillpipe(args);
    return std::make_pair(r.exit_code, r.out);
  };
}

TEST(NightGateSim, DefaultGateAcceptsAtMostOneNoiseEditIn60Trials) {
  testing::TempDir tmp;
  gatesim::write_scenario_files(tmp.path());
  // 3 nights: a carried no-op edit's whole life (carry_nights: 2), its evidence pooled.
  const gatesim::Scenario noise{"noise", 0.2, 3};
  const auto o = gatesim::simulate(noise, gatesim::gate_modes().front(), 60, tmp.path(), runner());
  ASSERT_EQ(o.failed_runs, 0) << (o.errors.empty() ? "" : o.errors.front());
  EXPECT_LE(o.trials_with_acceptance, 1) << o.edits_accepted << " no-op edits accepted";
  // The same trials under SkillOpt's mean-only gate accept noise: the simulation can fail.
  const gatesim::Mode naive{"strict", {"gate_mode=strict", "gate_no_regression=false"}};
  const auto n = gatesim::simulate(noise, naive, 20, tmp.path(), runner());
  EXPECT_GE(n.trials_with_acceptance, 2);
}

TEST(NightGateSim, DefaultGateStillLearnsRealRules) {
  testing::TempDir tmp;
  gatesim::write_scenario_files(tmp.path());
  const gatesim::Scenario power{"power", 0.0, 4};
  const auto o = gatesim::simulate(power, gatesim::gate_modes().front(), 3, tmp.path(), runner());
  ASSERT_EQ(o.failed_runs, 0) << (o.errors.empty() ? "" : o.errors.front());
  EXPECT_GE(o.rules_learned, 3.0) << "of " << gatesim::kRules << " rules";
}

}  // namespace
}  // namespace skillpipe
