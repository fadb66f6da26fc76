// skillpipe/kit/task_file.hpp: the reviewable task file, SkillOpt and gbrain compatibility,
// "reviewed" semantics, and errors with file:line.
#include <gtest/gtest.h>

#include "skillpipe/errors.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/task_file.hpp"

using namespace skillpipe;

namespace {

std::string error_of(const std::string& text) {
  try {
    parse_task_file(text, "tasks.jsonl");
  } catch (const RecordError& e) {
    return e.what();
  }
  return "";
}

TEST(TaskFile, NativeFormatRoundTrips) {
  TaskRecord a;
  a.id = "a";
  a.intent = "Write the weekly status update";
  a.judge.kind = ReferenceKind::kRule;
  a.judge.checks = {RuleCheck{RuleOp::kMaxWords, "", "120", "", false, {}}};
  a.reference_kind = ReferenceKind::kRule;
  a.split = Split::kVal;
  TaskRecord b;
  b.id = "b";
  b.intent = "Summarize the incident";
  const std::string text = task_file_text({a, b}, {{"project", "/src/app"}}, false);
  EXPECT_EQ(text.substr(0, text.find('\n')),
            R"({"format":"skillpipe.tasks.v1","reviewed":false,"project":"/src/app"})");
  const TaskFile f = parse_task_file(text, "x");
  EXPECT_TRUE(f.has_header);
  EXPECT_FALSE(f.reviewed);
  EXPECT_EQ(f.format, kTaskFileFormat);
  EXPECT_EQ(f.meta.at("project"), "/src/app");
  ASSERT_EQ(f.tasks.size(), 2u);
  EXPECT_EQ(f.tasks[0], a);
  EXPECT_EQ(f.tasks[1], b);
  EXPECT_EQ(f.lines, (std::vector<std::int64_t>{2, 3}));
  EXPECT_TRUE(parse_task_file(task_file_text({a}, {}, true), "x").reviewed);
}

TEST(TaskFile, ReviewedWithoutAHeaderMeansEveryTaskSaysSo) {
  const std::string yes = R"({"id":"a","intent":"first task here","attrs":{"reviewed":"true"}}
{"id":"b","intent":"second task here","attrs":{"reviewed":true}}
)";
  EXPECT_TRUE(parse_task_file(yes, "x").reviewed);
  const std::string partly = R"({"id":"a","intent":"first task here","attrs":{"reviewed":"true"}}
{"id":"b","intent":"second task here"}
)";
  EXPECT_FALSE(parse_task_file(partly, "x").reviewed);
  EXPECT_FALSE(parse_task_file("", "x").reviewed);
  // A header that says reviewed: false wins over task attrs.
  EXPECT_FALSE(parse_task_file("{\"format\":\"skillpipe.tasks.v1\",\"reviewed\":false}\n" + yes, "x").reviewed);
}

TEST(TaskFile, ReadsSkillOptSleepFiles) {
  const std::string text = R"({"format": "skillopt_sleep.tasks.v1", "project": "/src/app", "reviewed": true,
  "target_skill_path": "/skills/brief/SKILL.md", "n_sessions": 12,
  "tasks": [
    {"id": "task_1", "intent": "Write a launch brief", "split": "holdout", "reference_kind": "rule",
     "judge": {"kind": "rule", "checks": [{"op": "max_chars", "arg": 400}, {"op": "no_refusal", "arg": null}]}},
    {"id": "task_2", "intent": "Name the capital of France", "split": "replay", "reference_kind": "answer", "reference": "Paris"}
  ]})";
  const TaskFile f = parse_task_file(text, "x");
  EXPECT_TRUE(f.reviewed);
  EXPECT_EQ(f.format, "skillopt_sleep.tasks.v1");
  EXPECT_EQ(f.meta.at("target_skill_path"), "/skills/brief/SKILL.md");
  EXPECT_EQ(f.meta.at("n_sessions"), "12");
  ASSERT_EQ(f.tasks.size(), 2u);
  EXPECT_EQ(f.tasks[0].split, Split::kVal);
  EXPECT_EQ(f.tasks[0].judge.checks[0].arg, "400");
  EXPECT_EQ(f.tasks[0].judge.checks[1].arg, "");
  EXPECT_EQ(f.tasks[1].split, Split::kTrain);
  EXPECT_EQ(f.tasks[1].reference_kind, ReferenceKind::kExact);
}

TEST(TaskFile, ReadsGbrainLinesAndBareArrays) {
  const TaskFile g = parse_task_file(
      R"({"task_id": "seed-verbose-01", "task": "Explain CAP in one paragraph", "judge": {"kind": "rule", "checks": [{"op": "max_chars", "arg": 280}]}})",
      "x");
  ASSERT_EQ(g.tasks.size(), 1u);
  EXPECT_EQ(g.tasks[0].id, "seed-verbose-01");
  EXPECT_EQ(g.tasks[0].intent, "Explain CAP in one paragraph");
  EXPECT_EQ(g.tasks[0].reference_kind, ReferenceKind::kRule);
  EXPECT_EQ(g.tasks[0].judge.checks[0].arg, "280");

  const TaskFile arr = parse_task_file(R"([{"intent": "An id is derived from me"}, {"id": "b", "intent": "second one"}])", "x");
  EXPECT_EQ(arr.format, "array");
  ASSERT_EQ(arr.tasks.size(), 2u);
  EXPECT_EQ(arr.tasks[0].id.rfind("file_", 0), 0u);
  EXPECT_EQ(arr.tasks[0].id.size(), 5u + 12u);
  EXPECT_FALSE(arr.reviewed);
}

TEST(TaskFile, LenientChecks) {
  const auto checks = rule_checks_from_json_lenient(R"([
    {"op": "any_of", "checks": [{"op": "contains", "arg": "yes"}, {"op": "min_words", "arg": 3.0}]},
    {"op": "json_field_equals", "arg": "/n", "arg2": 3},
    {"op": "json_field_equals", "arg": "/o", "arg2": {"k": [1, true]}},
    {"op": "regex", "arg": "x", "ignore_case": true}])");
  ASSERT_EQ(checks.size(), 4u);
  ASSERT_EQ(checks[0].children.size(), 2u);
  EXPECT_EQ(checks[0].children[1].arg, "3");
  EXPECT_EQ(checks[1].arg2, "3");
  EXPECT_EQ(checks[2].arg2, R"({"k":[1,true]})");
  EXPECT_TRUE(checks[3].case_insensitive);
  EXPECT_THROW(rule_checks_from_json_lenient(R"({"op": "contains"})"), RecordError);
}

TEST(TaskFile, ErrorsNameTheLine) {
  EXPECT_NE(error_of("{\"id\":\"a\",\"intent\":\"first task\"}\n\n{\"id\": broken\n").find("tasks.jsonl:3: invalid JSON"),
            std::string::npos);
  EXPECT_NE(error_of("{\"id\":\"a\",\"intent\":\"first task\"}\n{\"id\":\"a\",\"intent\":\"again\"}\n")
                .find("tasks.jsonl:2: duplicate task id 'a'"),
            std::string::npos);
  EXPECT_NE(error_of("{\"id\":\"a\"}\n").find("has no intent"), std::string::npos);
  const std::string bad_split = error_of("{\"id\":\"a\",\"intent\":\"x y z\",\"split\":\"dev\"}\n");
  EXPECT_EQ(bad_split.rfind("tasks.jsonl:1: ", 0), 0u) << bad_split;
  EXPECT_NE(bad_split.find("/split"), std::string::npos) << bad_split;
  EXPECT_THROW(read_task_file("/nonexistent/tasks.jsonl"), Error);
}

TEST(TaskFile, NestingPastTheLimitIsAnErrorWithItsLine) {
  const std::string deep = std::string(5000, '[') + std::string(5000, ']');
  const std::string lines = R"({"id": "t1", "intent": "a"})" "\n" R"({"id": "t2", "intent": )" + deep + "}\n";
  try {
    parse_task_file(lines, "tasks.jsonl");
    FAIL();
  } catch (const RecordError& e) {
    EXPECT_NE(std::string(e.what()).find("tasks.jsonl:2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("nested deeper than 256 levels"), std::string::npos) << e.what();
  }
  EXPECT_THROW(parse_task_file(deep, "tasks.json"), RecordError);
}

}  // namespace
