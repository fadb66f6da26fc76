// judge_rule's trajectory ops (what an agentic replay's agent did), through the loaded plugin:
// they parse and validate their arguments, fail on a chat replay, read a recorded trajectory,
// and say what was observed when they fail.
#include <gtest/gtest.h>

#include <algorithm>

#include "rule_judge_fixture.hpp"

using namespace skillpipe;
using namespace skillpipe::judges_test;

namespace {

// The trajectory ops (what an agentic replay's agent did) parse and validate now; judging
// them needs a Trajectory, so judge_rule leaves tasks that use them to an agentic judge.
class RuleJudgeTrajectory : public RuleJudge {
 protected:
  Verdict judge_trajectory(std::vector<RuleCheck> checks, const Trajectory& traj) {
    ReplayResult r;
    r.response = "done";
    r.trajectory = traj;
    return judge_replay(std::move(checks), std::move(r));
  }
};

TEST_F(RuleJudgeTrajectory, OpsParse) {
  for (const char* op : {"skill_invoked", "skill_not_invoked", "command_ran", "command_succeeded", "file_changed",
                         "file_unchanged", "max_tool_calls", "check_command"})
    EXPECT_NE(with_op(op).op, RuleOp::kUnknown) << op;
}

// A trajectory op with a bad argument, and what validation says about it.
struct BadArgument {
  const char* op;
  const char* arg;
  const char* error;  // part of the validation error
};

const BadArgument kBadArguments[] = {
    {"command_ran", "make (", "the command pattern /make (/ does not compile"},
    {"max_tool_calls", "many", "non-negative integer, got \"many\""},
    {"max_tool_calls", "", "missing arg"},
    {"file_changed", "src/[a-z.cpp", "unbalanced [ ]"},
    {"file_unchanged", "/etc/passwd", "relative to the workspace"},
    {"check_command", " ", "missing arg"},
    {"skill_invoked", "", "missing arg"},
};

class TrajectoryValidation : public RuleJudgeTrajectory, public ::testing::WithParamInterface<BadArgument> {};

TEST_P(TrajectoryValidation, NamesWhatIsWrongWithTheArgument) {
  const BadArgument& c = GetParam();
  const std::string error = validation_error({chk(c.op, c.arg)});
  EXPECT_NE(error.find(c.error), std::string::npos) << c.op << " \"" << c.arg << "\": " << error;
}

INSTANTIATE_TEST_SUITE_P(Ops, TrajectoryValidation, ::testing::ValuesIn(kBadArguments),
                         [](const auto& info) { return std::string(info.param.op) + "_" + std::to_string(info.index); });

TEST_F(RuleJudgeTrajectory, ChatReplaysFailTrajectoryChecksAndValidationSaysWhy) {
  const std::vector<RuleCheck> checks = {chk("contains", "done"),
                                         group("all_of", {chk("skill_invoked", "release-notes"),
                                                          chk("command_succeeded", "^make test$")})};
  TaskRecord t;
  t.id = "agentic";
  t.judge.kind = ReferenceKind::kRule;
  t.judge.checks = checks;
  EXPECT_TRUE(judge_->handles(t));
  // The spec alone cannot say whether the night's replays carry a trajectory (that is the
  // replay backend's business), so validation does not warn: with backend_agent it would be
  // noise on every task.
  const auto warnings = judge_->validate(t);
  EXPECT_TRUE(std::none_of(warnings.begin(), warnings.end(),
                           [](const std::string& w) { return w.find("needs a trajectory") != std::string::npos; }));
  // An agentic replay's trajectory: no warning.
  judge_trajectory(checks, Trajectory{});
  EXPECT_EQ(ctx_.counts().count("trajectory_checks_without_trajectory"), 0u);
  // A chat replay has no trajectory: a trajectory check never passes on the answer alone,
  // and the judge warns (counted per replay).
  const Verdict v = run(checks, "done");
  EXPECT_EQ(v.hard, 0.0);
  EXPECT_EQ(v.soft, 0.5);
  EXPECT_NE(v.rationale.find("needs a trajectory"), std::string::npos) << v.rationale;
  run(checks, "done");
  EXPECT_EQ(ctx_.counts()["trajectory_checks_without_trajectory"], 2);
  // A chat replay of a task without trajectory checks is what it should be: no warning.
  run({chk("contains", "done")}, "done");
  EXPECT_EQ(ctx_.counts()["trajectory_checks_without_trajectory"], 2);
  const auto named = validate({chk("skill_invoked", "Bad Name")});
  EXPECT_TRUE(std::any_of(named.begin(), named.end(), [](const std::string& w) {
    return w.find("\"Bad Name\" is not a valid skill name") != std::string::npos;
  }));
}

// What an agentic replay recorded: the agent invoked the skill, ran two commands (one failed),
// edited a generated file, and the task's check command passed afterwards.
Trajectory sample_trajectory() {
  Trajectory t;
  t.skills_listed = {"regen-fields", "release-notes"};
  t.skills_invoked = {"regen-fields"};
  t.tool_calls = {{"Skill", R"({"skill":"regen-fields"})", true, std::nullopt, "loaded"},
                  {"Bash", "make test", false, 2, "1 failed"},
                  {"Bash", "sh tools/regen.sh", true, 0, ""},
                  {"Edit", R"({"file_path":"notes.md"})", true, std::nullopt, ""}};
  t.files_changed = {"generated/fields.txt", "notes.md"};
  t.checks = {{"sh tests/check.sh", 0, false, "ok", 0.1}, {"make lint", 1, false, "lint: 3 errors", 0.2}};
  return t;
}

// One trajectory check on sample_trajectory() and whether it passes.
struct TrajectoryCase {
  const char* op;
  const char* arg;
  bool passes;
  const char* why = "";
};

const TrajectoryCase kTrajectoryCases[] = {
    {"skill_invoked", "regen-fields", true},
    {"skill_invoked", "Regen-Fields", true, "skill names compare without case"},
    {"skill_invoked", "release-notes", false, "listed is not invoked"},
    {"skill_not_invoked", "release-notes", true},
    {"skill_not_invoked", "regen-fields", false},
    {"command_ran", "^make test$", true},
    {"command_succeeded", "^make test$", false, "it exited 2"},
    {"command_succeeded", "regen\\.sh", true},
    {"command_ran", "notes\\.md", false, "an Edit call is not a command"},
    {"file_changed", "generated/*", true},
    {"file_changed", "*.txt", true},
    {"file_changed", "src/*", false},
    {"file_unchanged", "src/*", true},
    {"file_unchanged", "*.md", false},
    {"max_tool_calls", "4", true},
    {"max_tool_calls", "3", false},
    {"check_command", "sh tests/check.sh", true},
    {"check_command", "make lint", false, "it exited 1"},
    {"check_command", "make ci", false, "a check that never ran does not pass"},
};

class TrajectoryChecks : public RuleJudgeTrajectory, public ::testing::WithParamInterface<TrajectoryCase> {};

TEST_P(TrajectoryChecks, ReadWhatTheAgentDid) {
  const TrajectoryCase& c = GetParam();
  const Verdict v = judge_trajectory({chk(c.op, c.arg)}, sample_trajectory());
  EXPECT_EQ(v.hard == 1.0, c.passes) << c.op << " \"" << c.arg << "\" " << c.why << ": " << v.rationale;
}

INSTANTIATE_TEST_SUITE_P(Ops, TrajectoryChecks, ::testing::ValuesIn(kTrajectoryCases),
                         [](const auto& info) { return std::string(info.param.op) + "_" + std::to_string(info.index); });

TEST_F(RuleJudgeTrajectory, AnUnfinishedRunIsNeverASuccess) {
  Trajectory traj = sample_trajectory();
  traj.ended = "completed";
  EXPECT_EQ(judge_trajectory({chk("check_command", "sh tests/check.sh")}, traj).hard, 1.0);
  traj.ended = "max_turns";
  const Verdict v = judge_trajectory({chk("check_command", "sh tests/check.sh")}, traj);
  EXPECT_EQ(v.hard, 0.0);
  EXPECT_NE(v.rationale.find("ended with max_turns"), std::string::npos) << v.rationale;
  EXPECT_TRUE(std::find(v.failed_criteria.begin(), v.failed_criteria.end(),
                        "the agent must finish the task within its turn and time limits") != v.failed_criteria.end());
}

TEST_F(RuleJudgeTrajectory, FailuresSayWhatWasObserved) {
  const Verdict v = judge_trajectory({chk("skill_invoked", "release-notes"), chk("command_succeeded", "^make test$"),
                                      chk("file_unchanged", "*.md"), chk("check_command", "make lint"),
                                      chk("skill_invoked", "regen-fields")},
                                     sample_trajectory());
  EXPECT_EQ(v.hard, 0.0);
  EXPECT_DOUBLE_EQ(v.soft, 0.2);
  for (const char* observed : {"listed but never invoked", "1 matching command(s) ran, none exited 0",
                               "it changed \"notes.md\"", "exit 1: lint: 3 errors"})
    EXPECT_NE(v.rationale.find(observed), std::string::npos) << observed << " in: " << v.rationale;
  for (const char* criterion : {"the agent must invoke the skill \"release-notes\"", "the check command \"make lint\" must pass"})
    EXPECT_TRUE(std::find(v.failed_criteria.begin(), v.failed_criteria.end(), criterion) != v.failed_criteria.end())
        << criterion;
}

}  // namespace
