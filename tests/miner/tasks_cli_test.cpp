// `skillpipe tasks export`: a reviewable task file from a stored night or from a pipeline.
#include <gtest/gtest.h>

#include <filesystem>

#include "skillpipe/json.hpp"
#include "skillpipe/kit/task_file.hpp"
#include "skillpipe/kit/util.hpp"
#include "test_support.hpp"

using namespace skillpipe;
using namespace skillpipe::testing;

namespace {

TaskRecord task(const std::string& id, const std::string& intent, Split split = Split::kTrain, Origin origin = Origin::kReal) {
  TaskRecord t;
  t.id = id;
  t.intent = intent;
  t.split = split;
  t.origin = origin;
  return t;
}

std::string lines_of(const std::vector<TaskRecord>& ts) {
  std::string out;
  for (const auto& t : ts) out += to_json(t) + "\n";
  return out;
}

class TasksExport : public ::testing::Test {
 protected:
  void SetUp() override {
    project_ = std::filesystem::weakly_canonical(tmp_.file("project")).string();
    std::filesystem::create_directories(project_);
    const std::string nights = tmp_.file("store/projects/" + project_slug(project_) + "/nights/");
    write_text(nights + "0001-20260101T031700Z/artifacts/stages/mine.tasks.jsonl",
               lines_of({task("old", "An old task from night one")}));
    write_text(nights + "0002-20260102T031700Z/artifacts/stages/mine.tasks.jsonl",
               lines_of({task("t1", "Write the weekly status update", Split::kVal), task("t2", "Fix the flaky login test"),
                         task("t2_dream1", "(quick one) Fix the flaky login test", Split::kTrain, Origin::kDream),
                         task("recall:old", "An old task from night one")}));
    write_text(nights + "0002-20260102T031700Z/artifacts/stages/patterns.tasks.jsonl",
               lines_of({task("p1", "A pattern task"), task("t1", "duplicate id: first file wins")}));
    write_text(nights + "0003-20260103T031700Z/night.json", "{}");  // a night that mined nothing
  }
  CommandResult run(std::vector<std::string> extra) {
    std::vector<std::string> args = {"tasks", "export"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(), {"--store", tmp_.file("store"), "--project", project_});
    return run_skillpipe(args);
  }

  TempDir tmp_;
  std::string project_;
};

TEST_F(TasksExport, LatestNightWithTasksIsExportedUnreviewedWithoutSyntheticCopies) {
  const auto r = run({tmp_.file("out/tasks.jsonl")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const TaskFile f = read_task_file(tmp_.file("out/tasks.jsonl"));
  EXPECT_TRUE(f.has_header);
  EXPECT_FALSE(f.reviewed);
  EXPECT_EQ(f.meta.at("source"), "night 0002-20260102T031700Z");
  EXPECT_EQ(f.meta.at("project"), project_);
  ASSERT_EQ(f.tasks.size(), 3u);
  EXPECT_EQ(f.tasks[0].id, "t1");
  EXPECT_EQ(f.tasks[1].id, "t2");
  EXPECT_EQ(f.tasks[2].id, "p1");
  EXPECT_EQ(f.tasks[0].split, Split::kVal);
  EXPECT_NE(r.out.find("wrote 3 task(s) (train 2, val 1, test 0)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("left out 2 dream/recall copies"), std::string::npos) << r.out;
}

TEST_F(TasksExport, NeverOverwritesWithoutForce) {
  write_text(tmp_.file("reviewed.jsonl"), "{\"format\":\"skillpipe.tasks.v1\",\"reviewed\":true}\n");
  const auto r = run({tmp_.file("reviewed.jsonl")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--force"), std::string::npos) << r.err;
  EXPECT_TRUE(read_task_file(tmp_.file("reviewed.jsonl")).reviewed);
  EXPECT_EQ(run({tmp_.file("reviewed.jsonl"), "--force"}).exit_code, 0);
  EXPECT_FALSE(read_task_file(tmp_.file("reviewed.jsonl")).reviewed);
}

TEST_F(TasksExport, ChosenNightStageAndSyntheticCopies) {
  ASSERT_EQ(run({tmp_.file("one.jsonl"), "--from-night", "1"}).exit_code, 0);
  EXPECT_EQ(read_task_file(tmp_.file("one.jsonl")).tasks[0].id, "old");
  ASSERT_EQ(run({tmp_.file("two.jsonl"), "--from-night", "0002-20260102T031700Z", "--stage", "mine", "--include-synthetic"}).exit_code, 0);
  EXPECT_EQ(read_task_file(tmp_.file("two.jsonl")).tasks.size(), 4u);
  const auto missing = run({tmp_.file("x.jsonl"), "--from-night", "9"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("no night '9'"), std::string::npos) << missing.err;
  EXPECT_EQ(run({tmp_.file("y.jsonl"), "--from-night", "3"}).exit_code, 2);  // nothing mined
}

TEST_F(TasksExport, FromAPipelineRunsOnlyHarvestAndMine) {
  write_text(tmp_.file("p/reviewed.jsonl"),
             task_file_text({task("alpha", "Write release notes for the sprint"), task("beta", "Review the migration plan")}, {}, true));
  write_text(tmp_.file("p/pipeline.yaml"),
             "skillpipe: 1\nname: export-test\nstages:\n  - id: mine\n    plugin: mine_tasks\n    config:\n"
             "      tasks_file: reviewed.jsonl\n      dream_factor: 1\n");
  const auto r = run_skillpipe({"tasks", "export", tmp_.file("out.jsonl"), "--pipeline", tmp_.file("p/pipeline.yaml"),
                                "--project", project_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const TaskFile f = read_task_file(tmp_.file("out.jsonl"));
  ASSERT_EQ(f.tasks.size(), 2u);  // the dream copy is left out
  EXPECT_FALSE(f.reviewed);       // a re-export must be reviewed again
  EXPECT_EQ(f.meta.at("source").rfind("pipeline ", 0), 0u);

  const auto bad = run_skillpipe({"tasks", "export", tmp_.file("o2.jsonl"), "--pipeline", tmp_.file("p/pipeline.yaml"),
                                  "--set", "stages.mine.colour=blue"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("colour"), std::string::npos) << bad.err;
}

TEST(TasksCli, UsageErrors) {
  EXPECT_EQ(run_skillpipe({"tasks"}).exit_code, 2);
  EXPECT_EQ(run_skillpipe({"tasks", "import", "x"}).exit_code, 2);
  EXPECT_EQ(run_skillpipe({"tasks", "export"}).exit_code, 2);
  EXPECT_EQ(run_skillpipe({"tasks", "export", "--help"}).exit_code, 0);
}

}  // namespace
