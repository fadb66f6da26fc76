// The A/B experiment file: what it accepts, and errors that point at the line.
#include "host/ab/spec.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

using namespace skillpipe::host::ab;
using skillpipe::host::Diagnostic;
using skillpipe::testing::TempDir;
using skillpipe::testing::write_text;

namespace {

std::string joined(const std::vector<Diagnostic>& v) {
  std::string out;
  for (const auto& d : v) out += d.format() + "\n";
  return out;
}

}  // namespace

TEST(AbSpec, ParsesArmsOverridesAndPaths) {
  TempDir tmp;
  write_text(tmp.file("exp.yaml"), R"(skillpipe_ab: 1
name: swap the judge
pipeline: base.yaml
tasks: data/tasks.jsonl
splits: [val, test]
backend: replay
judges: [judge]
skill: skill.md
set: ["options.parallelism=2"]
bootstrap: {samples: 500, confidence: 0.9, seed: 5}
arms:
  - name: rule
  - name: llm
    set:
      stages.judge.plugin: judge_llm
      stages.judge.config: {backend: grader, threshold: 0.7}
    skill: other.md
)");
  std::vector<Diagnostic> errors;
  auto s = parse_ab_spec(tmp.file("exp.yaml"), errors);
  ASSERT_TRUE(s) << joined(errors);
  EXPECT_EQ(s->name, "swap the judge");
  EXPECT_EQ(s->pipeline, tmp.file("base.yaml"));
  EXPECT_EQ(s->tasks_file, tmp.file("data/tasks.jsonl"));
  EXPECT_EQ(s->splits, (std::vector<std::string>{"val", "test"}));
  EXPECT_EQ(s->backend, "replay");
  EXPECT_EQ(s->judges, (std::vector<std::string>{"judge"}));
  EXPECT_EQ(s->sets, (std::vector<std::string>{"options.parallelism=2"}));
  EXPECT_EQ(s->bootstrap_samples, 500);
  EXPECT_DOUBLE_EQ(s->confidence, 0.9);
  EXPECT_EQ(s->seed, 5u);
  ASSERT_EQ(s->arms.size(), 2u);
  EXPECT_TRUE(s->arms[0].sets.empty());
  EXPECT_EQ(s->arms[1].sets, (std::vector<std::string>{"stages.judge.plugin=judge_llm",
                                                       "stages.judge.config={backend: grader, threshold: 0.7}"}));
  EXPECT_EQ(s->arms[1].skill_file, tmp.file("other.md"));
}

TEST(AbSpec, ReportsEveryProblemWithItsLine) {
  TempDir tmp;
  write_text(tmp.file("bad.yaml"), R"(skillpipe_ab: 1
pipeline: base.yaml
colour: red
splits: [val, holdout]
arms:
  - name: a
    sett: []
  - name: a
)");
  std::vector<Diagnostic> errors;
  EXPECT_FALSE(parse_ab_spec(tmp.file("bad.yaml"), errors));
  const std::string all = joined(errors);
  EXPECT_NE(all.find("bad.yaml:3:1: unknown key 'colour'"), std::string::npos) << all;
  EXPECT_NE(all.find("'holdout' is not train, val or test"), std::string::npos) << all;
  EXPECT_NE(all.find("bad.yaml:7:5: unknown key 'sett' in an arm"), std::string::npos) << all;
  EXPECT_NE(all.find("duplicate arm name 'a'"), std::string::npos) << all;
}

TEST(AbSpec, NeedsTwoArmsAndTheFormatVersion) {
  TempDir tmp;
  write_text(tmp.file("one.yaml"), "pipeline: p.yaml\ntasks: t.jsonl\narms: [{name: only}]\n");
  std::vector<Diagnostic> errors;
  EXPECT_FALSE(parse_ab_spec(tmp.file("one.yaml"), errors));
  const std::string all = joined(errors);
  EXPECT_NE(all.find("at least two arms"), std::string::npos) << all;
  EXPECT_NE(all.find("skillpipe_ab: 1"), std::string::npos) << all;
  errors.clear();
  EXPECT_FALSE(parse_ab_spec(tmp.file("missing.yaml"), errors));
  EXPECT_NE(joined(errors).find("cannot read the experiment file"), std::string::npos);
}
