// `skillpipe judge`: offline scoring of given responses, one verdict per line + a summary.
#include <gtest/gtest.h>

#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"
#include "test_support.hpp"

using namespace skillpipe;
using skillpipe::testing::run_skillpipe;

namespace {

std::string data(const std::string& f) { return skillpipe::testing::test_data_dir() + "/judges/" + f; }

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  for (auto& l : split(s, '\n'))
    if (!trim(l).empty()) out.push_back(l);
  return out;
}

TEST(JudgeCli, RuleJudgeJsonVerdictsAndSummary) {
  const auto r = run_skillpipe({"judge", "--judge", "judge_rule", "--tasks", data("tasks.jsonl"), "--responses",
                                data("responses.jsonl"), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto ls = lines(r.out);
  ASSERT_EQ(ls.size(), 6u) << r.out;
  std::vector<Verdict> vs;
  for (std::size_t i = 0; i < 5; ++i) vs.push_back(record_from_json<Verdict>(ls[i]));
  EXPECT_EQ(vs[0].task_id, "brief");
  EXPECT_EQ(vs[0].hard, 1.0);
  EXPECT_EQ(vs[1].sample, 1);
  EXPECT_NEAR(vs[1].soft, 1.0 / 3.0, 1e-9);  // section and regex fail, max_chars holds
  EXPECT_EQ(vs[2].hard, 1.0);
  EXPECT_EQ(vs[3].task_id, "gbrain-style");  // gbrain-evals line format, numeric arg
  EXPECT_DOUBLE_EQ(vs[3].soft, 0.5);
  EXPECT_EQ(vs[3].failed_criteria, std::vector<std::string>{"the response must attempt the task, not refuse or come back empty"});
  EXPECT_EQ(vs[4].rationale, "no checks");
  EXPECT_EQ(vs[0].judge_id, "judge_rule");
  // pass rate 2/5; mean soft (1 + 1/3 + 1 + 0.5 + 0) / 5
  EXPECT_NE(ls[5].find("\"passed\":2"), std::string::npos) << ls[5];
  EXPECT_NE(ls[5].find("\"pass_rate\":0.4"), std::string::npos) << ls[5];
  EXPECT_NE(ls[5].find("\"mean_soft\":0.566667"), std::string::npos) << ls[5];
  EXPECT_NE(r.err.find("task capital: no rule checks"), std::string::npos) << r.err;
}

TEST(JudgeCli, TextOutputAndAnotherJudgeOnTheSameFiles) {
  const auto r = run_skillpipe({"judge", "--judge", "judge_exact", "--tasks", data("tasks.jsonl"), "--responses",
                                data("responses.jsonl")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("capital                  PASS"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("5 response(s) judged by judge_exact: 1 passed, pass rate 0.200, mean hard 0.200, mean soft 0.200"),
            std::string::npos)
      << r.out;
}

TEST(JudgeCli, SetPassesJudgeConfig) {
  const auto r = run_skillpipe({"judge", "--judge", "judge_rule", "--set", "extra_checks=[{\"op\":\"max_chars\",\"arg\":\"10\"}]",
                                "--tasks", data("tasks.jsonl"), "--responses", data("responses.jsonl"), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Every response with checks is longer than 10 characters, so none passes.
  EXPECT_NE(r.out.find("\"passed\":0"), std::string::npos) << r.out;
  const auto bad = run_skillpipe({"judge", "--judge", "judge_rule", "--set", "colour=blue", "--tasks", data("tasks.jsonl"),
                                  "--responses", data("responses.jsonl")});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("colour"), std::string::npos) << bad.err;
}

TEST(JudgeCli, BadSpecsAndUnknownTasksAreRefused) {
  skillpipe::testing::TempDir tmp;
  skillpipe::testing::write_text(tmp.file("r.jsonl"), "{\"task_id\":\"ok\",\"response\":\"x\"}\n");
  const auto spec = run_skillpipe({"judge", "--judge", "judge_rule", "--tasks", data("bad_spec_tasks.jsonl"), "--responses",
                                   tmp.file("r.jsonl")});
  EXPECT_EQ(spec.exit_code, 2);
  EXPECT_NE(spec.err.find("task broken-regex"), std::string::npos) << spec.err;
  EXPECT_NE(spec.err.find("does not compile"), std::string::npos) << spec.err;

  skillpipe::testing::write_text(tmp.file("u.jsonl"), "{\"task_id\":\"brief\",\"response\":\"x\"}\n{\"task_id\":\"nope\",\"response\":\"y\"}\n");
  const auto unknown = run_skillpipe({"judge", "--judge", "judge_rule", "--tasks", data("tasks.jsonl"), "--responses",
                                      tmp.file("u.jsonl")});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("u.jsonl:2: unknown task_id 'nope'"), std::string::npos) << unknown.err;

  const auto missing = run_skillpipe({"judge", "--judge", "judge_rule", "--tasks", data("tasks.jsonl")});
  EXPECT_EQ(missing.exit_code, 2);
}

TEST(JudgeCli, JudgesThatNeedABackendSaySo) {
  const auto r = run_skillpipe({"judge", "--judge", "judge_llm", "--set", "backend=claude", "--tasks", data("tasks.jsonl"),
                                "--responses", data("responses.jsonl")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no backend"), std::string::npos) << r.err;
}

}  // namespace
