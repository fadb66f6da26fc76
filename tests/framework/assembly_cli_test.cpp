// Every command assembles its pipeline through the host's PipelineAssembly: the store commands
// use the store a pipeline configures (--pipeline), `judge --pipeline` the pipeline's judge
// stage, and a broken pipeline is reported the same way by each of them.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "test_support.hpp"

using namespace skillpipe::testing;

namespace {

// A night whose store lives at a non-default root, in its own HOME.
class AssemblyCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (SKILLPIPE_PARTIAL_BUILD && !std::filesystem::exists(plugin_dir() + "/libskillpipe_store_files.so"))
      GTEST_SKIP() << "SKILLPIPE_ONLY build without store_files";
    write_text(dir_.file("project/README.md"), "a project\n");
    write_text(dir_.file("p.yaml"), "skillpipe: 1\nproject: " + dir_.file("project") +
                                        "\nstore: {plugin: store_files, config: {root: " + dir_.file("elsewhere") +
                                        ", fsync: false}}\n" + kStages);
  }
  CommandResult cli(std::vector<std::string> args) {
    args.push_back("--plugin-path");
    args.push_back(FX_GOOD_DIR);
    return run_skillpipe(args, {"HOME=" + dir_.file("home"), "SKILLPIPE_STORE"}, dir_.path());
  }
  static constexpr const char* kStages = R"(stages:
  - {id: h, plugin: fx_harvest, config: {count: 2}}
  - {id: m, plugin: fx_miner, inputs: [h]}
  - {id: j, plugin: fx_judge, inputs: [m], config: {needle: "answer 1"}}
  - {id: c, plugin: fx_consolidate, inputs: [m, j], config: {status: accepted}}
)";
  TempDir dir_;
};

TEST_F(AssemblyCli, StoreCommandsUseThePipelinesStore) {
  const auto night = cli({"run", dir_.file("p.yaml")});
  ASSERT_EQ(night.exit_code, 0) << night.err;
  ASSERT_TRUE(std::filesystem::is_directory(dir_.file("elsewhere/projects"))) << night.err;

  // Without --pipeline the default store (~/.skillpipe in this HOME) has no night.
  const auto plain = cli({"status", "--project", dir_.file("project"), "--json"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_NE(plain.out.find("\"latest_night\":null"), std::string::npos) << plain.out;

  // With it, status, history and adopt work on the pipeline's store and project.
  const auto status = cli({"status", "--pipeline", dir_.file("p.yaml"), "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find(dir_.file("elsewhere")), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("\"name\":\"fx-skill\""), std::string::npos) << status.out;
  // The fixture's proposal names no live file, so adopt skips it - but only the pipeline's
  // store knows the night at all.
  const auto adopt = cli({"adopt", "--pipeline", dir_.file("p.yaml")});
  ASSERT_EQ(adopt.exit_code, 0) << adopt.err;
  EXPECT_NE(adopt.out.find("Nothing to adopt from night 0001-"), std::string::npos) << adopt.out;
  EXPECT_NE(adopt.out.find("skipped fx-skill: not adoptable"), std::string::npos) << adopt.out;
  const auto plain_adopt = cli({"adopt", "--project", dir_.file("project")});
  ASSERT_EQ(plain_adopt.exit_code, 0) << plain_adopt.err;
  EXPECT_NE(plain_adopt.out.find("no night of"), std::string::npos) << plain_adopt.out;
  const auto history = cli({"history", "--pipeline", dir_.file("p.yaml"), "--json"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  EXPECT_NE(history.out.find("\"project\":\"" + dir_.file("project") + "\""), std::string::npos) << history.out;
  // --store still overrides the pipeline's root.
  const auto other = cli({"status", "--pipeline", dir_.file("p.yaml"), "--store", dir_.file("empty"), "--json"});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_NE(other.out.find("\"latest_night\":null"), std::string::npos) << other.out;
}

TEST_F(AssemblyCli, AStoreCommandReportsABrokenPipelineWithItsLocation) {
  write_text(dir_.file("bad.yaml"), "skillpipe: 1\nstore: {plugin: store_nowhere}\n" + std::string(kStages));
  const auto bad = cli({"status", "--pipeline", dir_.file("bad.yaml")});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find(dir_.file("bad.yaml") + ":2:"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("unknown plugin 'store_nowhere'"), std::string::npos) << bad.err;

  write_text(dir_.file("nostore.yaml"), "skillpipe: 1\n" + std::string(kStages));
  const auto none = cli({"history", "--pipeline", dir_.file("nostore.yaml")});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("has no `store:`"), std::string::npos) << none.err;
}

TEST_F(AssemblyCli, JudgeScoresWithThePipelinesJudgeStage) {
  write_text(dir_.file("tasks.jsonl"), R"({"id":"t1","intent":"say it"})" "\n" R"({"id":"t2","intent":"say it"})" "\n");
  write_text(dir_.file("responses.jsonl"),
             R"({"task_id":"t1","response":"answer 1"})" "\n" R"({"task_id":"t2","response":"answer 2"})" "\n");
  const auto r = cli({"judge", "--pipeline", dir_.file("p.yaml"), "--judge", "j", "--tasks", dir_.file("tasks.jsonl"),
                      "--responses", dir_.file("responses.jsonl"), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The stage's own config (needle "answer 1") decides, and verdicts carry the stage id.
  EXPECT_NE(r.out.find("\"judge_id\":\"j\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"passed\":1"), std::string::npos) << r.out;
  const auto over = cli({"judge", "--pipeline", dir_.file("p.yaml"), "--judge", "j", "--set", "stages.j.needle=answer",
                         "--tasks", dir_.file("tasks.jsonl"), "--responses", dir_.file("responses.jsonl"), "--json"});
  ASSERT_EQ(over.exit_code, 0) << over.err;
  EXPECT_NE(over.out.find("\"passed\":2"), std::string::npos) << over.out;
  const auto not_judge = cli({"judge", "--pipeline", dir_.file("p.yaml"), "--judge", "m", "--tasks",
                              dir_.file("tasks.jsonl"), "--responses", dir_.file("responses.jsonl")});
  EXPECT_EQ(not_judge.exit_code, 2);
  EXPECT_NE(not_judge.err.find("'m' is not a judge stage"), std::string::npos) << not_judge.err;
}

TEST_F(AssemblyCli, TasksExportRunsOnlyHarvestAndMineAndOpensNoStore) {
  const auto r = cli({"tasks", "export", dir_.file("out.jsonl"), "--pipeline", dir_.file("p.yaml")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("wrote 2 task(s)"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(dir_.file("elsewhere"))) << "tasks export must not open the store";
}

}  // namespace
