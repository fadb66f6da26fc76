// mine_personas as the host loads it: SkillOpt's exact split rule, the non-empty
// guarantees, the probe, and clear errors.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <map>

#include "skillpipe/errors.hpp"
#include "skillpipe/stage.hpp"
#include "test_support.hpp"

namespace skillpipe {
namespace {

struct Mined {
  std::vector<TaskRecord> tasks;
  std::map<std::string, std::string> split;  // id -> split
};

Mined mine(const std::string& config_json) {
  auto reg = testing::make_registry();
  auto miner = reg->create_as<Miner>("mine_personas");
  RunInfo run;
  run.pipeline_dir = testing::source_dir() + "/pipelines";
  host::BasicContext ctx("mine", run, nullptr);
  miner->configure(Config::parse(config_json), ctx);
  Mined m;
  m.tasks = miner->mine(DigestList(), ctx);
  for (const auto& t : m.tasks) m.split[t.id] = to_string(t.split);
  miner.reset();
  return m;
}

std::string fixture() { return testing::source_dir() + "/pipelines/experiment_personas.json"; }

TEST(NightMinePersonas, SplitsMatchSkillOptExactly) {
  // The fixture records the splits SkillOpt-Sleep's own code produced (seed 42, val 0.34).
  const auto text = testing::read_text(fixture());
  rapidjson::Document d;
  d.Parse(text.c_str());
  ASSERT_TRUE(d.IsObject());
  const auto& expected = d["expected_splits_seed42_val0.34"];
  for (const char* persona : {"researcher", "programmer"}) {
    const Mined m = mine(std::string(R"({"fixture": "experiment_personas.json", "persona": ")") + persona + "\"}");
    ASSERT_EQ(m.tasks.size(), expected[persona].MemberCount()) << persona;
    for (auto it = expected[persona].MemberBegin(); it != expected[persona].MemberEnd(); ++it)
      EXPECT_EQ(m.split.at(it->name.GetString()), it->value.GetString()) << persona << " " << it->name.GetString();
  }
}

TEST(NightMinePersonas, CarriesTagsReferencesAndKinds) {
  const Mined m = mine(R"({"fixture": "experiment_personas.json", "persona": "researcher"})");
  const TaskRecord& t = m.tasks.at(0);
  EXPECT_EQ(t.id, "persona_wrap-answer_0");
  EXPECT_EQ(t.reference, "arXiv:2605.23904");
  EXPECT_EQ(t.reference_kind, ReferenceKind::kExact);
  EXPECT_EQ(t.tags, (std::vector<std::string>{"rule:wrap-answer", "rule:arxiv-id"}));
  EXPECT_EQ(t.origin, Origin::kReal);
}

TEST(NightMinePersonas, ProbeIsTheHarmfulTaskPlusThreeSplitAtHalf) {
  const Mined r = mine(R"({"fixture": "experiment_personas.json", "persona": "researcher", "probe": true})");
  ASSERT_EQ(r.tasks.size(), 4u);
  EXPECT_EQ(r.tasks[0].id, "persona___harmful___99");
  EXPECT_EQ(r.tasks[0].tags, std::vector<std::string>{"rule:__harmful__"});
  // Buckets 33, 31, 15, 3 are all < 50; the lowest hash (wrap-answer_2) is promoted to train.
  EXPECT_EQ(r.split.at("persona_wrap-answer_2"), "train");
  EXPECT_EQ(r.split.at("persona___harmful___99"), "val");
  const Mined p = mine(R"({"fixture": "experiment_personas.json", "persona": "programmer", "probe": true})");
  EXPECT_EQ(p.split.at("persona___harmful___99"), "val");
  EXPECT_EQ(p.split.at("persona_commit-imperative_2"), "train");  // bucket 77
  const Mined f = mine(
      R"({"fixture": "experiment_personas.json", "persona": "programmer", "probe": true, "harmful_to_train": true})");
  EXPECT_EQ(f.split.at("persona___harmful___99"), "train");
}

TEST(NightMinePersonas, GuaranteesTrainAndValAreNotEmpty) {
  const std::string file = testing::test_data_dir() + "/night/promotion.json";
  const Mined all_val = mine(R"({"fixture": ")" + file + R"(", "persona": "all_val"})");
  EXPECT_EQ(all_val.split.at("promo_4"), "train");  // the lowest hash moves
  EXPECT_EQ(all_val.split.at("promo_1"), "val");
  EXPECT_EQ(all_val.split.at("promo_6"), "val");
  const Mined no_val = mine(R"({"fixture": ")" + file + R"(", "persona": "no_val"})");
  EXPECT_EQ(no_val.split.at("promo_0"), "val");
  EXPECT_EQ(no_val.split.at("promo_2"), "train");
  EXPECT_EQ(no_val.split.at("promo_3"), "train");
  // With a test share, the same ids are cut three ways, stable for the seed.
  const Mined with_test = mine(
      R"({"fixture": "experiment_personas.json", "persona": "researcher", "val_fraction": 0.2, "test_fraction": 0.2})");
  int test = 0;
  for (const auto& [id, s] : with_test.split) test += s == "test";
  EXPECT_GT(test, 0);
}

TEST(NightMinePersonas, ErrorsNameTheProblem) {
  try {
    mine(R"({"fixture": "experiment_personas.json", "persona": "astronaut"})");
    FAIL();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("researcher, programmer"), std::string::npos) << e.what();
    EXPECT_EQ(e.pointer(), "/persona");
  }
  EXPECT_THROW(mine(R"({"fixture": "no-such-file.json"})"), ConfigError);
  EXPECT_THROW(mine(R"({"fixture": "experiment_personas.json", "val_fraction": 0.7, "test_fraction": 0.3})"),
               ConfigError);
  EXPECT_THROW(mine(R"({"fixture": "experiment_personas.json", "harmful_to_train": true})"), ConfigError);
  EXPECT_THROW(mine(R"({"fixture": ")" + testing::test_data_dir() +
                    R"(/night/promotion.json", "persona": "all_val", "probe": true})"),
               ConfigError);
}

}  // namespace
}  // namespace skillpipe
