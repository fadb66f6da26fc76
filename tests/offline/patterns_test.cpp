// mine_patterns as a loaded plugin: judging, clustering, readiness thresholds, stable ids
// across nights, winning tool chains, redacted evidence.
#include <gtest/gtest.h>

#include <algorithm>

#include "offline_harness.hpp"
#include "skillpipe/errors.hpp"

namespace skillpipe::testing {
namespace {

const TaskRecord* by_label(const std::vector<TaskRecord>& tasks, const std::string& label) {
  for (const auto& t : tasks)
    if (t.pattern && t.pattern->label == label) return &t;
  return nullptr;
}

std::vector<SessionDigest> pick(const std::vector<SessionDigest>& all, std::vector<std::string> ids) {
  std::vector<SessionDigest> out;
  for (const auto& d : all)
    if (std::find(ids.begin(), ids.end(), d.session_id) != ids.end()) out.push_back(d);
  return out;
}

bool has_tag(const TaskRecord& t, const std::string& tag) {
  return std::find(t.tags.begin(), t.tags.end(), tag) != t.tags.end();
}

class OfflinePatterns : public ::testing::Test {
 protected:
  std::vector<SessionDigest> history = load_digests(offline_data("history.jsonl"));
  MemoryStore store;
  OfflineNight night{"/home/dev/shop", store};
};

TEST_F(OfflinePatterns, FixtureHistoryFormsPatterns) {
  const auto tasks = night.mine(history);
  ASSERT_EQ(tasks.size(), 3u);
  const auto counts = night.last_counts();
  EXPECT_EQ(counts.at("sessions_success"), 6);
  EXPECT_EQ(counts.at("sessions_fail"), 2);
  EXPECT_EQ(counts.at("sessions_unknown"), 2);

  const TaskRecord* a = by_label(tasks, "fix-flaky-test");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(&tasks[0], a) << "ready patterns come first";
  EXPECT_TRUE(a->pattern->ready);
  EXPECT_EQ(a->pattern->successes, 3);
  EXPECT_EQ(a->pattern->failures, 1);
  EXPECT_DOUBLE_EQ(a->pattern->success_ratio, 0.75);
  EXPECT_EQ(a->pattern->readiness, "ready: 3 successes, 1 failure, success ratio 0.75");
  EXPECT_EQ(a->pattern->tool_chain, (std::vector<std::string>{"Read", "Grep", "Edit", "Bash"}));
  EXPECT_DOUBLE_EQ(a->pattern->tool_chain_support, 2.0 / 3.0);
  EXPECT_EQ(a->pattern->skills, std::vector<std::string>{"python-testing"});
  EXPECT_EQ(a->skill_hint, "python-testing");
  EXPECT_EQ(a->pattern->files, std::vector<std::string>{"tests/conftest.py"});
  EXPECT_EQ(a->pattern->corrected, 1);
  EXPECT_EQ(a->outcome, Outcome::kMixed);
  EXPECT_EQ(a->origin, Origin::kReal);
  EXPECT_EQ(a->project, "/home/dev/shop");
  EXPECT_TRUE(has_tag(*a, "pattern"));
  EXPECT_TRUE(has_tag(*a, "ready"));
  EXPECT_TRUE(has_tag(*a, "corrected"));
  EXPECT_EQ(a->source_sessions, (std::vector<std::string>{"a1-7f3c", "a2-c401", "a3-0d9e", "a4-b7b7"}));
  EXPECT_EQ(a->id, a->pattern->id);
  EXPECT_EQ(a->pattern->cluster_size, 4);
  EXPECT_TRUE(a->attrs.empty()) << "the pattern is typed, not attrs";
  EXPECT_EQ(a->id.rfind("pat-", 0), 0u);

  // Evidence is redacted even when a digest slipped a secret through.
  std::string ev;
  bool has_failure = false;
  for (const auto& e : a->pattern->evidence) {
    ev += e.session + " " + e.intent + " " + e.result + " " + e.reason + "\n";
    has_failure = has_failure || e.outcome == Outcome::kFail;
  }
  EXPECT_EQ(ev.find("sk-ant-api03"), std::string::npos);
  EXPECT_NE(ev.find("[REDACTED:anthropic_key]"), std::string::npos);
  EXPECT_TRUE(has_failure) << "failures are part of the evidence";

  const TaskRecord* b = by_label(tasks, "update-changelog-release");
  ASSERT_NE(b, nullptr);
  EXPECT_FALSE(b->pattern->ready);
  EXPECT_EQ(b->pattern->readiness, "needs 2 successful sessions, has 1 success, 0 failures");
  EXPECT_EQ(b->source_sessions, std::vector<std::string>{"b1-19aa"}) << "the unknown session is not evidence";

  const TaskRecord* c = by_label(tasks, "deploy-app-staging");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->pattern->readiness, "success ratio 0.67 < 0.70 (2 successes, 1 failure)");
  EXPECT_TRUE(has_tag(*c, "not_ready"));
}

TEST_F(OfflinePatterns, IdsAreStableAndPatternsGrowAcrossNights) {
  auto n1 = night.mine(pick(history, {"a1-7f3c", "b1-19aa"}));
  const TaskRecord* a1 = by_label(n1, "fix-flaky-test");
  ASSERT_NE(a1, nullptr) << "one member: the label is its request's verb and object";
  EXPECT_FALSE(a1->pattern->ready);
  const std::string id = a1->id;

  store.next_night("0002-test");
  // The second night sees a1 again (re-harvested): it must not count twice.
  auto n2 = night.mine(pick(history, {"a1-7f3c", "a2-c401", "a3-0d9e", "a4-b7b7"}));
  const TaskRecord* a2 = by_label(n2, "fix-flaky-test");
  ASSERT_NE(a2, nullptr) << "the verb and object most requests share";
  EXPECT_EQ(a2->id, id);
  EXPECT_TRUE(a2->pattern->ready);
  EXPECT_EQ(a2->pattern->successes, 3);
  EXPECT_EQ(a2->pattern->failures, 1);
  EXPECT_EQ(a2->pattern->new_members, 4);
  EXPECT_EQ(a2->pattern->created_at, a1->pattern->created_at);
  // The changelog pattern from night 1 is still reported.
  EXPECT_NE(by_label(n2, "update-changelog-release"), nullptr);

  // Same input again: nothing new, same ids and counts.
  store.next_night("0003-test");
  auto n3 = night.mine(pick(history, {"a2-c401"}));
  EXPECT_EQ(by_label(n3, "fix-flaky-test")->pattern->successes, 3);
  EXPECT_EQ(by_label(n3, "fix-flaky-test")->id, id);
}

TEST_F(OfflinePatterns, ReadinessThresholdsAreConfigurable) {
  auto t = night.mine(history, R"({"min_task_count": 4})");
  EXPECT_EQ(by_label(t, "fix-flaky-test")->pattern->readiness,
            "needs 4 successful sessions, has 3 successes, 1 failure");

  store.clear_state();
  t = night.mine(history, R"({"min_success_ratio": 0.8})");
  EXPECT_EQ(by_label(t, "fix-flaky-test")->pattern->readiness, "success ratio 0.75 < 0.80 (3 successes, 1 failure)");

  store.clear_state();
  t = night.mine(history, R"({"min_success_ratio": 0.6})");
  EXPECT_TRUE(by_label(t, "deploy-app-staging")->pattern->ready);

  // Ratio exactly at the threshold is ready (2 of 3 = 0.666...).
  store.clear_state();
  t = night.mine(history, R"({"min_success_ratio": 0.6666666666666666})");
  EXPECT_TRUE(by_label(t, "deploy-app-staging")->pattern->ready);

  // A strict similarity splits the flaky-test sessions apart.
  store.clear_state();
  t = night.mine(history, R"({"similarity_threshold": 0.95})");
  for (const auto& task : t) EXPECT_LE(task.pattern->successes, 2) << task.pattern->label;

  // Stricter tool-error tolerance turns a4 (3 errors, but praised) into... still a success:
  // praise wins; a1 (2 errors, praised) too. a2 (0 errors) stays a success.
  store.clear_state();
  t = night.mine(history, R"({"max_tool_errors": 0})");
  EXPECT_EQ(by_label(t, "fix-flaky-test")->pattern->successes, 3);
  // ...but c4 (1 error, silent) becomes a failure.
  EXPECT_EQ(by_label(t, "deploy-app-staging")->pattern->failures, 2);
}

TEST_F(OfflinePatterns, EmitModes) {
  auto extra = history;
  SessionDigest f;
  f.session_id = "f1-0001";
  f.project = "/home/dev/shop";
  f.user_prompts = {"rewrite the billing service in rust"};
  f.outcome.aborted = true;
  f.ended_at = "2026-11-15T10:00:00Z";
  extra.push_back(f);
  EXPECT_EQ(night.mine(extra, R"({"emit": "ready"})").size(), 1u);
  store.clear_state();
  EXPECT_EQ(night.mine(extra).size(), 3u) << "failure-only patterns are kept in state, not emitted";
  store.clear_state();
  const auto all = night.mine(extra, R"({"emit": "all"})");
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(by_label(all, "rewrite-billing-service")->outcome, Outcome::kFail);
}

TEST_F(OfflinePatterns, CorruptStateIsKeptAsideNotLost) {
  store.put_state("offline/patterns", "{not json");
  const auto tasks = night.mine(history);
  EXPECT_EQ(tasks.size(), 3u);
  EXPECT_EQ(night.last_counts().at("state_reset"), 1);
  EXPECT_EQ(store.state().at("offline/patterns.corrupt"), "{not json");
  EXPECT_NE(store.state().at("offline/patterns").find("\"patterns\""), std::string::npos);
}

TEST_F(OfflinePatterns, BadConfigIsAConfigError) {
  EXPECT_THROW(night.mine(history, R"({"min_success_ratio": 1.5})"), ConfigError);
}

}  // namespace
}  // namespace skillpipe::testing
