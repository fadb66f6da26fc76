// The stage record-error policy (`on_record_error`, `max_record_errors`) holds for every
// stage kind: records a harvester, miner or consolidator reports through
// Context::record_error, and RecordErrors a judge throws for one task.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>

#include "test_support.hpp"

using namespace skillpipe::testing;

namespace {

// The stage of the given kind reports skipped records under `policy`: two from a harvester,
// miner or consolidator; one per task from the judge (it rejects every task, three of them).
std::string pipeline(const std::string& kind, const std::string& policy) {
  auto extra = [&](const std::string& k, const std::string&) { return k == kind ? ", " + policy : std::string(); };
  auto knob = [&](const std::string& k, const std::string& v) { return k == kind ? v : std::string(); };
  return "skillpipe: 1\nstages:\n"
         "  - {id: h, plugin: fx_harvest, config: {count: 3" + knob("harvester", ", record_errors: 2") + "}" +
         extra("harvester", "") + "}\n"
         "  - {id: m, plugin: fx_miner, inputs: [h], config: {" + knob("miner", "record_errors: 2") + "}" +
         extra("miner", "") + "}\n"
         "  - {id: j, plugin: fx_judge, inputs: [m], config: {" + knob("judge", "reject: fx-") + "}" +
         extra("judge", "") + "}\n"
         "  - {id: c, plugin: fx_consolidate, inputs: [m, j], config: {" + knob("consolidator", "record_errors: 2") +
         "}" + extra("consolidator", "") + "}\n";
}

struct StageResult {
  std::string status;
  long long errors = -1;
};

StageResult stage_of(const std::string& summary, const std::string& id) {
  rapidjson::Document d;
  d.Parse(summary.c_str());
  StageResult r;
  if (d.HasParseError() || !d.HasMember("stages")) return r;
  for (const auto& s : d["stages"].GetArray())
    if (s["id"].GetString() == id) r = {s["status"].GetString(), s["errors"].GetInt64()};
  return r;
}

std::string bad_id(const std::string& kind) {
  return kind == "harvester" ? "h" : kind == "miner" ? "m" : kind == "judge" ? "j" : "c";
}

long long expected_errors(const std::string& kind) { return kind == "judge" ? 3 : 2; }

class RecordErrorPolicy : public ::testing::TestWithParam<std::string> {
 protected:
  CommandResult run(const std::string& policy) {
    write_text(dir_.file("p.yaml"), pipeline(GetParam(), policy));
    return run_skillpipe({"run", dir_.file("p.yaml"), "--plugin-path", FX_GOOD_DIR, "--json"});
  }
  TempDir dir_;
};

TEST_P(RecordErrorPolicy, SkipCountsTheRecordsAndTheNightGoesOn) {
  const auto r = run("on_record_error: skip");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const StageResult s = stage_of(r.out, bad_id(GetParam()));
  EXPECT_EQ(s.status, "ok");
  EXPECT_EQ(s.errors, expected_errors(GetParam())) << r.out;
  const bool logged = r.err.find("fixture record is unreadable") != std::string::npos ||
                      r.err.find("has no usable reference") != std::string::npos;
  EXPECT_TRUE(logged) << "every skipped record is logged: " << r.err;
}

TEST_P(RecordErrorPolicy, FailStopsAtTheFirstRecord) {
  const auto r = run("on_record_error: fail");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const StageResult s = stage_of(r.out, bad_id(GetParam()));
  EXPECT_EQ(s.status, "failed") << r.out;
  EXPECT_EQ(s.errors, 1) << r.out;
  EXPECT_NE(r.err.find("on_record_error: fail"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("stage '" + bad_id(GetParam()) + "'"), std::string::npos) << r.err;
}

TEST_P(RecordErrorPolicy, TheCircuitBreakerFailsASystematicallyBrokenStage) {
  const auto r = run("max_record_errors: 1");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(stage_of(r.out, bad_id(GetParam())).status, "failed") << r.out;
  EXPECT_NE(r.err.find("circuit breaker: max_record_errors=1"), std::string::npos) << r.err;
  // Exactly at the limit the stage still passes.
  const auto at_limit = run("max_record_errors: " + std::to_string(expected_errors(GetParam())));
  EXPECT_EQ(at_limit.exit_code, 0) << at_limit.err;
}

INSTANTIATE_TEST_SUITE_P(EveryKind, RecordErrorPolicy,
                         ::testing::Values("harvester", "miner", "judge", "consolidator"));

}  // namespace
