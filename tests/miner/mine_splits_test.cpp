// mine_tasks: SkillOpt-compatible split buckets, the non-empty guarantees, assignments that
// never change across nights, dream and recall tasks that stay train-only, reviewed files.
#include "miner_fixture.hpp"
#include "skillpipe/json.hpp"

using namespace skillpipe;
using namespace skillpipe::testing;

namespace {

// int(sha256(seed + id), 16) % 100, computed with Python's hashlib:
//   seed 42: task_a 26, task_b 22, task_c 28, alpha 40, beta 64, gamma 5, delta 93
//   seed 7:  task_a 16, task_b 3,  task_c 79, alpha 88, beta 70, gamma 8, delta 15
std::vector<TaskRecord> seven() {
  return {file_task("task_a", "Summarize the open incidents"), file_task("task_b", "Draft the weekly status email"),
          file_task("task_c", "Triage new bug reports by severity"), file_task("alpha", "Write release notes for the sprint"),
          file_task("beta", "Review the database migration plan"), file_task("gamma", "Explain the caching layer design"),
          file_task("delta", "Plan the on-call rotation for next month")};
}

std::map<std::string, Split> splits_of(const std::vector<TaskRecord>& tasks) {
  std::map<std::string, Split> m;
  for (const auto& t : tasks) m[t.id] = t.split;
  return m;
}

TEST_F(MineTasksTest, SplitBucketsMatchSkillOpt) {
  const std::string file = write_tasks(seven(), true);
  configure(R"({"tasks_file": ")" + file + "\"}");
  auto s = splits_of(mine({}));
  EXPECT_EQ(s["task_a"], Split::kVal);  // 26 < 34
  EXPECT_EQ(s["task_b"], Split::kVal);  // 22
  EXPECT_EQ(s["task_c"], Split::kVal);  // 28
  EXPECT_EQ(s["gamma"], Split::kVal);   // 5
  EXPECT_EQ(s["alpha"], Split::kTrain);  // 40
  EXPECT_EQ(s["beta"], Split::kTrain);   // 64
  EXPECT_EQ(s["delta"], Split::kTrain);  // 93

  store_.clear_state();
  configure(R"({"seed": 7, "val_fraction": 0.1, "test_fraction": 0.1, "tasks_file": ")" + file + "\"}");
  s = splits_of(mine({}));
  EXPECT_EQ(s["task_b"], Split::kVal);    // 3 < 10
  EXPECT_EQ(s["gamma"], Split::kVal);     // 8
  EXPECT_EQ(s["task_a"], Split::kTest);   // 16 < 20
  EXPECT_EQ(s["delta"], Split::kTest);    // 15
  EXPECT_EQ(s["task_c"], Split::kTrain);  // 79
  EXPECT_EQ(s["alpha"], Split::kTrain);
  EXPECT_EQ(s["beta"], Split::kTrain);
}

TEST_F(MineTasksTest, AtLeastOneValAndOneTrainWithTwoRealTasks) {
  configure(R"({"tasks_file": ")" + write_tasks({seven()[3], seven()[4]}, true) + "\"}");  // alpha 40, beta 64: both train
  auto s = splits_of(mine({}));
  EXPECT_EQ(s["alpha"], Split::kVal);  // the lowest bucket is promoted
  EXPECT_EQ(s["beta"], Split::kTrain);
  EXPECT_EQ(count("split_promoted"), 1);

  store_.clear_state();
  configure(R"({"tasks_file": ")" + write_tasks({seven()[0], seven()[1]}, true, "b.jsonl") + "\"}");  // 26, 22: both val
  s = splits_of(mine({}));
  EXPECT_EQ(s["task_b"], Split::kTrain);  // the lowest-bucket val task trains
  EXPECT_EQ(s["task_a"], Split::kVal);
}

TEST_F(MineTasksTest, AssignmentsNeverChangeAcrossNights) {
  auto all = seven();
  configure(R"({"tasks_file": ")" + write_tasks({all[3], all[4]}, true) + "\"}");
  mine({});  // alpha val (promoted), beta train
  // Next night: a config that would now hash beta into val, and a new task.
  configure(R"({"val_fraction": 0.9, "tasks_file": ")" + write_tasks({all[3], all[4], all[5]}, true, "n2.jsonl") + "\"}");
  auto s = splits_of(mine({}));
  EXPECT_EQ(s["alpha"], Split::kVal);
  EXPECT_EQ(s["beta"], Split::kTrain);
  EXPECT_EQ(s["gamma"], Split::kVal);  // new: 5 < 90
  EXPECT_EQ(count("split_kept"), 2);
}

TEST_F(MineTasksTest, AGuaranteeThatWouldMoveAnOldAssignmentIsReportedInstead) {
  auto all = seven();
  configure(R"({"tasks_file": ")" + write_tasks({all[4]}, true, "1.jsonl") + "\"}");
  mine({});  // beta alone: train
  configure(R"({"tasks_file": ")" + write_tasks({all[6]}, true, "2.jsonl") + "\"}");
  mine({});  // delta alone: train
  configure(R"({"tasks_file": ")" + write_tasks({all[4], all[6]}, true, "3.jsonl") + "\"}");
  auto s = splits_of(mine({}));
  EXPECT_EQ(s["beta"], Split::kTrain);
  EXPECT_EQ(s["delta"], Split::kTrain);
  EXPECT_EQ(count("split_guarantee_unmet"), 1);
}

TEST_F(MineTasksTest, DreamTasksAreTrainOnlyRephrasings) {
  configure(R"({"dream_factor": 2, "dream_mode": "templates", "tasks_file": ")" + write_tasks(seven(), true) + "\"}");
  const auto tasks = mine({});
  int dreams = 0;
  for (const auto& t : tasks) {
    if (t.origin != Origin::kDream) continue;
    ++dreams;
    EXPECT_EQ(t.split, Split::kTrain) << t.id;
    const TaskRecord* src = find_task(tasks, t.derived_from);
    ASSERT_NE(src, nullptr);
    EXPECT_EQ(src->split, Split::kTrain) << "only train tasks dream";
    EXPECT_NE(std::find(t.tags.begin(), t.tags.end(), "dream"), t.tags.end());
  }
  EXPECT_EQ(dreams, 6);  // alpha, beta, delta x 2
  const TaskRecord* d1 = find_task(tasks, "alpha_dream1");
  const TaskRecord* d2 = find_task(tasks, "alpha_dream2");
  ASSERT_TRUE(d1 && d2);
  EXPECT_EQ(d1->intent, "(quick one) Write release notes for the sprint");
  EXPECT_EQ(d2->intent, "Please handle this request: Write release notes for the sprint");
  EXPECT_EQ(find_task(tasks, "gamma_dream1"), nullptr);
  EXPECT_EQ(count("dream"), 6);
  // Dream tasks never enter the split state either.
  EXPECT_EQ(store_.state()["mine_tasks/splits"].find("_dream"), std::string::npos);
}

TEST_F(MineTasksTest, AFileCannotPinADreamTaskIntoValidation) {
  auto tasks = seven();
  tasks[0].split = Split::kVal;  // the file has its own held-out set
  TaskRecord d = file_task("task_a_dream1", "(quick one) Summarize the open incidents");
  d.origin = Origin::kDream;
  d.split = Split::kVal;
  tasks.push_back(d);
  configure(R"({"tasks_file": ")" + write_tasks(tasks, true) + "\"}");
  const auto out = mine({});
  EXPECT_EQ(find_task(out, "task_a_dream1")->split, Split::kTrain);
  EXPECT_EQ(find_task(out, "task_a")->split, Split::kVal);
  EXPECT_EQ(find_task(out, "beta")->split, Split::kTrain);  // file splits are kept as written
  EXPECT_EQ(count("splits_from_file"), 1);
}

TEST_F(MineTasksTest, DreamParaphrasesFromTheBackendWithTemplateFallback) {
  backend_.reply_fn = [](const ChatRequest& r) -> std::string {
    if (r.meta.at("task_id") == "alpha") return R"(["Could you write the sprint's release notes?", "Release notes for this sprint, please"])";
    return "no idea";
  };
  configure(R"({"backend": "llm", "mode": "heuristic", "dream_factor": 2, "tasks_file": ")" +
            write_tasks({seven()[3], seven()[4], seven()[5]}, true) + "\"}");
  const auto tasks = mine({});
  EXPECT_EQ(find_task(tasks, "alpha_dream1")->intent, "Could you write the sprint's release notes?");
  EXPECT_EQ(find_task(tasks, "alpha_dream1")->attrs.at("dream_source"), "llm");
  EXPECT_EQ(find_task(tasks, "beta_dream2")->intent, "Please handle this request: Review the database migration plan");
  EXPECT_EQ(count("dream_llm_unparseable"), 1);
  for (const auto& r : backend_.requests()) EXPECT_EQ(r.purpose, "mine");
}

TEST_F(MineTasksTest, RecallBringsSimilarArchivedTrainTasksOnly) {
  auto arch = [](std::string id, std::string intent, Split s) {
    TaskRecord t = file_task(id, intent);
    t.split = s;
    return to_json(t) + "\n";
  };
  store_.put_state("mine_tasks/archive", arch("old1", "Summarize the weekly status report", Split::kTrain) +
                                       arch("old2", "Summarize the quarterly status report", Split::kVal) +
                                       arch("old3", "Bake a chocolate cake for the party", Split::kTrain) +
                                       arch("old4", "Draft the weekly status report email", Split::kTrain));
  store_.put_state("mine_tasks/splits", R"({"seed":"42","assignments":{"old4":"val"}})");  // held out now
  configure(R"({"recall_k": 2, "tasks_file": ")" + write_tasks({file_task("beta", "Write the weekly status report")}, true) + "\"}");
  const auto tasks = mine({});
  ASSERT_EQ(tasks.size(), 2u);
  const TaskRecord* r = find_task(tasks, "recall:old1");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->split, Split::kTrain);
  EXPECT_EQ(r->origin, Origin::kReal);
  EXPECT_EQ(r->derived_from, "old1");
  EXPECT_NE(std::find(r->tags.begin(), r->tags.end(), "recall"), r->tags.end());
  EXPECT_EQ(count("recalled"), 1);
}

TEST_F(MineTasksTest, UnreviewedFileIsRefusedByAPaidBackend) {
  backend_.is_paid = true;
  const std::string file = write_tasks(seven(), false);
  configure(R"({"replay_backend": "llm", "tasks_file": ")" + file + "\"}");
  try {
    mine({});
    FAIL() << "expected a refusal";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("not reviewed"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("\"reviewed\": true"), std::string::npos) << e.what();
  }
  configure(R"({"replay_backend": "llm", "tasks_file": ")" + write_tasks(seven(), true, "ok.jsonl") + "\"}");
  EXPECT_EQ(mine({}).size(), 7u);

  // Reviewed task by task, without a header.
  std::string lines;
  for (auto t : seven()) {
    t.attrs["reviewed"] = "true";
    lines += to_json(t) + "\n";
  }
  write_text(tmp_.file("attrs.jsonl"), lines);
  configure(R"({"replay_backend": "llm", "tasks_file": ")" + tmp_.file("attrs.jsonl") + "\"}");
  EXPECT_EQ(mine({}).size(), 7u);
}

TEST_F(MineTasksTest, UnreviewedFileIsAcceptedByAFreeBackendAndTheRunOptionWins) {
  configure(R"({"replay_backend": "llm", "tasks_file": "/nonexistent.jsonl"})");
  ctx_->mutable_run().flags.tasks_file = write_tasks(seven(), false);
  EXPECT_EQ(mine({}).size(), 7u);
  EXPECT_EQ(count("tasks_file_unreviewed"), 1);
}

TEST_F(MineTasksTest, InvalidSpecInAFileAbortsNamingLineAndTask) {
  auto tasks = seven();
  tasks[2].judge.kind = ReferenceKind::kRule;
  tasks[2].judge.checks = {RuleCheck{RuleOp::kRegex, "", "([unclosed", "", false, {}}};
  const std::string file = write_tasks(tasks, true);
  configure(R"({"tasks_file": ")" + file + "\"}");
  const std::string what = config_error();
  EXPECT_NE(what.find(file + ":4"), std::string::npos) << what;  // header, task_a, task_b, task_c
  EXPECT_NE(what.find("task_c"), std::string::npos) << what;
}

// The night stores the tasks it replays: a tasks file holding a secret is refused, naming
// where, before anything is mined.
TEST_F(MineTasksTest, ATasksFileHoldingASecretIsRefused) {
  auto tasks = seven();
  tasks[1].context_excerpt = "curl -fsS -H 'Authorization: Bearer Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe' localhost:8080/health";
  const std::string file = write_tasks(tasks, true);
  configure(R"({"tasks_file": ")" + file + "\"}");
  const std::string what = config_error();
  EXPECT_NE(what.find("holds what looks like a secret at line 3"), std::string::npos) << what;
  EXPECT_EQ(what.find("Zx9Yw8Vu"), std::string::npos) << "the error never repeats the secret";
}

TEST_F(MineTasksTest, TasksMustPassTheWiredJudgesValidation) {
  auto judge = reg_->create_as<Judge>("judge_exact");
  svc_.judges["exact"] = judge.get();
  auto tasks = seven();
  tasks[1].reference_kind = ReferenceKind::kExact;  // exact, but no reference
  configure(R"({"tasks_file": ")" + write_tasks(tasks, true) + "\"}", {"exact"});
  const std::string what = config_error();
  EXPECT_NE(what.find("task_b"), std::string::npos) << what;
  EXPECT_NE(what.find("judge exact"), std::string::npos) << what;
  configure(R"({"validate_with": ["nope"], "tasks_file": ")" + write_tasks(seven(), true, "x.jsonl") + "\"}");
  EXPECT_THROW(mine({}), ConfigError);
  miner_.reset();
  svc_.judges.clear();
}

}  // namespace
