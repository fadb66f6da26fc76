// Trigger recall and precision of a skill on agentic replays: which tasks should trigger it
// (tag, skill hint, cluster membership), and what the agent's trajectories say it did.
#include "trigger_stats.hpp"

#include <gtest/gtest.h>

using namespace skillpipe;
using namespace skillpipe::consolidate_reflect;

namespace {

TaskRecord task(const std::string& id, std::vector<std::string> tags, const std::string& hint = {}) {
  TaskRecord t;
  t.id = id;
  t.tags = std::move(tags);
  t.skill_hint = hint;
  return t;
}

ReplayResult replay(const std::string& task_id, std::vector<std::string> invoked) {
  ReplayResult r;
  r.task_id = task_id;
  Trajectory t;
  t.skills_listed = {"regen", "other"};
  t.skills_invoked = std::move(invoked);
  r.trajectory = t;
  return r;
}

const std::vector<TaskRecord> kTasks = {
    task("regen-1", {"cluster:regen", "trigger:regen"}),
    task("regen-2", {"cluster:regen"}),             // same cluster as a tagged task
    task("hinted", {}, "regen"),                   // mined from sessions that used the skill
    task("browse-1", {"cluster:browse"}),
    task("browse-2", {"cluster:browse"}, "other")};

TEST(TriggerStats, TasksOfTheSkillsClusterShouldTriggerItAndNoOthers) {
  EXPECT_EQ(tasks_for_skill(kTasks, "regen"), (std::set<std::string>{"regen-1", "regen-2", "hinted"}));
  EXPECT_EQ(tasks_for_skill(kTasks, "other"), (std::set<std::string>{"browse-1", "browse-2"}));
  EXPECT_TRUE(tasks_for_skill(kTasks, "nobody").empty());
}

TEST(TriggerStats, RecallOverTasksItShouldTriggerOnPrecisionOverInvocations) {
  const std::vector<ReplayResult> replays = {
      replay("regen-1", {"regen"}), replay("regen-1", {"regen"}), replay("regen-2", {}),
      replay("hinted", {"regen"}), replay("browse-1", {"regen"}), replay("browse-2", {"other"}),
      replay("not-a-gate-task", {"regen"})};  // ignored: not one of the tasks
  const TriggerStats s = trigger_stats(kTasks, replays, "regen");
  EXPECT_EQ(s.agentic, 6);
  EXPECT_EQ(s.should, 4);
  EXPECT_EQ(s.triggered, 3);
  EXPECT_EQ(s.should_not, 2);
  EXPECT_EQ(s.false_triggers, 1);
  EXPECT_DOUBLE_EQ(*s.recall(), 0.75);
  EXPECT_DOUBLE_EQ(*s.precision(), 0.75);
  EXPECT_EQ(s.text(), "recall 0.75 (3 of 4), precision 0.75 (3 of 4 invocations)");
}

TEST(TriggerStats, ASkillThatNeverTriggersHasNoRecallAndNoPrecision) {
  const TriggerStats s = trigger_stats(kTasks, {replay("regen-1", {}), replay("browse-1", {})}, "regen");
  EXPECT_DOUBLE_EQ(*s.recall(), 0.0);
  EXPECT_FALSE(s.precision().has_value());
  EXPECT_EQ(s.text(), "recall 0.00 (0 of 1), precision n/a (0 of 0 invocations)");
}

TEST(TriggerStats, ChatReplaysSayNothingAboutTriggering) {
  ReplayResult chat;
  chat.task_id = "regen-1";
  chat.response = "done";
  const TriggerStats s = trigger_stats(kTasks, {chat}, "regen");
  EXPECT_EQ(s.agentic, 0);
  EXPECT_EQ(s.should, 0);
  EXPECT_FALSE(s.recall().has_value());
}

}  // namespace

namespace {

TEST(TriggerStats, ARegressionIsLowerRecallOrMoreStrayInvocations) {
  const TriggerStats none = trigger_stats(kTasks, {replay("regen-1", {}), replay("browse-1", {})}, "regen");
  const TriggerStats hits = trigger_stats(kTasks, {replay("regen-1", {"regen"}), replay("browse-1", {})}, "regen");
  const TriggerStats stray =
      trigger_stats(kTasks, {replay("regen-1", {"regen"}), replay("browse-1", {"regen"})}, "regen");
  EXPECT_EQ(trigger_regression(none, hits), "") << "recall going up is no regression";
  EXPECT_EQ(trigger_regression(hits, hits), "");
  EXPECT_EQ(trigger_regression(hits, none),
            "trigger recall of skill regen fell from 1.00 to 0.00 (invoked on 0 of 1 tasks it is for, was 1 of 1)");
  EXPECT_EQ(trigger_regression(hits, stray),
            "trigger precision of skill regen fell: invoked on 1 of 1 tasks it is not for, was 0 of 1 (precision "
            "1.00 -> 0.50)");
  EXPECT_EQ(trigger_regression(none, stray),
            "trigger precision of skill regen fell: invoked on 1 of 1 tasks it is not for, was 0 of 1 (precision "
            "n/a -> 0.50)")
      << "a skill that never triggered can still start triggering where it does not belong";
  EXPECT_EQ(trigger_regression(stray, hits), "") << "fewer stray invocations is an improvement";
  ReplayResult chat;
  chat.task_id = "regen-1";
  EXPECT_EQ(trigger_regression(hits, trigger_stats(kTasks, {chat}, "regen")), "") << "chat replays say nothing";
}

TEST(TriggerStats, ExamplesNameTheMissedAndStrayTasksOnce) {
  std::vector<TaskRecord> tasks = kTasks;
  for (auto& t : tasks) t.intent = "intent of " + t.id;
  const TriggerExamples ex = trigger_examples(
      tasks, {replay("regen-1", {}), replay("regen-1", {}), replay("regen-2", {"regen"}), replay("browse-1", {"regen"})},
      "regen");
  EXPECT_EQ(ex.missed, std::vector<std::string>{"intent of regen-1"});
  EXPECT_EQ(ex.stray, std::vector<std::string>{"intent of browse-1"});
  EXPECT_TRUE(ex.imperfect());
  EXPECT_EQ(ex.stats.should, 3);
}

}  // namespace
