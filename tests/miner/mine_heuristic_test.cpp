// mine_tasks, heuristic mode: task fields, outcomes, recurring clusters (within a night and
// across nights), caps and the target-skill relevance filter.
#include "miner_fixture.hpp"
#include "skillpipe/kit/util.hpp"

using namespace skillpipe;
using namespace skillpipe::testing;

namespace {

const char* kHeuristic = R"({"mode": "heuristic"})";

TEST_F(MineTasksTest, HeuristicTaskFromASession) {
  configure(kHeuristic);
  SessionDigest d = session("s1", "/clear", "2026-01-02T03:00:00Z",
                            {"Fix the flaky login test in CI", "also keep the retry count at 3", "thanks, perfect"});
  d.assistant_finals = {"Looking...", "Fixed: the test now waits for the session cookie."};
  d.tools = {{"Bash", 1, 0}, {"Edit", 1, 0}, {"Read", 1, 0}, {"Grep", 1, 0}, {"Write", 1, 0}};
  d.git_branch = "main";
  d.skills_used = {"tdd", "tdd"};
  d.feedback_signals = {feedback(3, "positive", "perfect")};
  const auto tasks = mine({d});
  ASSERT_EQ(tasks.size(), 1u);
  const TaskRecord& t = tasks[0];
  EXPECT_EQ(t.id, "task_5e37aa4b039f");  // sha256("/src/app::Fix the flaky login test in CI")[:12]
  EXPECT_EQ(t.intent, "Fix the flaky login test in CI");
  EXPECT_EQ(t.outcome, Outcome::kSuccess);
  EXPECT_EQ(t.context_excerpt, "Follow-up constraints from the same session:\n- also keep the retry count at 3");
  EXPECT_EQ(t.attempted_solution, "Fixed: the test now waits for the session cookie.");
  EXPECT_EQ(t.reference_kind, ReferenceKind::kNone);
  EXPECT_EQ(t.origin, Origin::kReal);
  EXPECT_EQ(t.skill_hint, "tdd");
  EXPECT_EQ(t.source_sessions, std::vector<std::string>{"s1"});
  for (const char* tag : {"tools:Bash+Edit+Read+Grep", "branch:main", "source:claude"})
    EXPECT_NE(std::find(t.tags.begin(), t.tags.end(), tag), t.tags.end()) << tag;
  EXPECT_EQ(t.attrs.at("mined_by"), "heuristic");
  EXPECT_EQ(t.attrs.at("cluster_size"), "1");
}

// Issue 15: praise is feedback, not a constraint on the task; a failed session stays failed
// whatever the user said after it.
TEST_F(MineTasksTest, PraiseIsNoConstraintAndAFailedSessionIsNoSuccess) {
  configure(kHeuristic);
  SessionDigest d = session("p", "write the release notes from the merged PRs", "2026-01-02T03:00:00Z",
                            {"great job, thank you"});
  d.assistant_finals = {"Wrote RELEASE_NOTES.md.", "You're welcome!"};
  d.feedback_signals = {feedback(1, "positive", "great job"), feedback(1, "positive", "thank you")};
  d.outcome.observed = true;
  auto tasks = mine({d});
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].outcome, Outcome::kSuccess);
  EXPECT_EQ(tasks[0].context_excerpt.find("great job"), std::string::npos) << tasks[0].context_excerpt;

  SessionDigest failed = session("f", "summarize does-not-exist.md for me", "2026-01-02T04:00:00Z", {"thanks"});
  failed.assistant_finals = {"I could not find does-not-exist.md.", "Sure."};
  failed.feedback_signals = {feedback(1, "positive", "thanks")};
  failed.outcome.observed = true;
  failed.outcome.turn_failed = true;
  tasks = mine({failed});
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].outcome, Outcome::kFail);
}

TEST_F(MineTasksTest, OutcomeFromFeedbackSignals) {
  configure(kHeuristic);
  SessionDigest neg = session("n", "Refactor the payment module into two files", "2026-01-01T00:00:00Z", {"no, that broke it", "thanks"});
  neg.feedback_signals = {feedback(1, "negative", "broke"), feedback(2, "positive", "thanks")};
  SessionDigest mixed = session("m", "Rename the settings page component", "2026-01-01T01:00:00Z", {"and the tests", "and docs"});
  SessionDigest unknown = session("u", "Explain the deploy script line by line", "2026-01-01T02:00:00Z");
  const auto tasks = mine({neg, mixed, unknown});
  ASSERT_EQ(tasks.size(), 3u);
  std::map<std::string, Outcome> by_session;
  for (const auto& t : tasks) by_session[t.source_sessions[0]] = t.outcome;
  EXPECT_EQ(by_session["n"], Outcome::kFail);  // any negative
  EXPECT_EQ(by_session["m"], Outcome::kMixed);  // >= 3 user turns, no feedback
  EXPECT_EQ(by_session["u"], Outcome::kUnknown);
}

TEST_F(MineTasksTest, SessionsWithoutASubstantivePromptYieldNothing) {
  configure(kHeuristic);
  EXPECT_TRUE(mine({session("a", "/model opus", "2026-01-01T00:00:00Z", {"ok"})}).empty());
}

TEST_F(MineTasksTest, ParaphrasesClusterUnrelatedPromptsDoNot) {
  configure(kHeuristic);
  SessionDigest s1 = session("s1", "Fix the flaky login test in CI", "2026-01-01T00:00:00Z");
  s1.feedback_signals = {feedback(0, "positive", "great")};
  SessionDigest s2 = session("s2", "fix flaky login tests in the CI pipeline", "2026-01-02T00:00:00Z");
  s2.feedback_signals = {feedback(0, "negative", "still failing")};
  SessionDigest s3 = session("s3", "Can you fix the flaky login test?", "2026-01-03T00:00:00Z");
  s3.feedback_signals = {feedback(0, "positive", "thanks")};
  SessionDigest s4 = session("s4", "Write release notes for version 2.3", "2026-01-04T00:00:00Z");
  SessionDigest s5 = session("s5", "Rename the payment module to billing", "2026-01-05T00:00:00Z");
  const auto tasks = mine({s5, s3, s1, s4, s2});  // input order does not matter
  ASSERT_EQ(tasks.size(), 3u);
  const TaskRecord& flaky = tasks[0];  // the biggest cluster ranks first
  EXPECT_EQ(flaky.intent, "Fix the flaky login test in CI");  // named by its earliest session
  EXPECT_EQ(flaky.source_sessions, (std::vector<std::string>{"s1", "s2", "s3"}));
  EXPECT_EQ(flaky.outcome, Outcome::kSuccess);  // 2 successes > 1 failure
  EXPECT_EQ(flaky.attrs.at("cluster_size"), "3");
  EXPECT_EQ(flaky.attrs.at("n_success"), "2");
  EXPECT_EQ(flaky.attrs.at("n_fail"), "1");
  EXPECT_EQ(split(flaky.attrs.at("variants"), '\n').size(), 2u);
  EXPECT_NE(std::find(flaky.tags.begin(), flaky.tags.end(), "recurring"), flaky.tags.end());
  EXPECT_EQ(count("clusters"), 3);
  EXPECT_EQ(count("recurring_clusters"), 1);
  EXPECT_EQ(count("largest_cluster"), 3);
  EXPECT_EQ(count("cluster_size_1"), 2);
  EXPECT_EQ(count("cluster_size_3_4"), 1);
}

TEST_F(MineTasksTest, ClustersStayWithinAProject) {
  configure(kHeuristic);
  const auto tasks = mine({session("a", "Fix the flaky login test in CI", "2026-01-01T00:00:00Z", {}, "/src/one"),
                           session("b", "Fix the flaky login test in CI", "2026-01-02T00:00:00Z", {}, "/src/two")});
  EXPECT_EQ(tasks.size(), 2u);
}

TEST_F(MineTasksTest, RecurringAcrossNightsKeepsIdSplitAndHistory) {
  configure(kHeuristic);
  const auto night1 = mine({session("s1", "Fix the flaky login test in CI", "2026-01-01T00:00:00Z")});
  ASSERT_EQ(night1.size(), 1u);
  ASSERT_TRUE(store_.get_state("mine_tasks/archive"));
  ASSERT_TRUE(store_.get_state("mine_tasks/splits"));

  configure(kHeuristic);  // the next night: a new plugin instance, the same store
  const auto night2 = mine({session("s9", "please fix the flaky login tests", "2026-01-08T00:00:00Z"),
                            session("s10", "Update the changelog for the release", "2026-01-08T01:00:00Z")});
  const TaskRecord* again = find_task(night2, night1[0].id);
  ASSERT_NE(again, nullptr) << "a paraphrase on a later night is the same task";
  EXPECT_EQ(again->intent, night1[0].intent);
  EXPECT_EQ(again->split, night1[0].split);
  EXPECT_EQ(again->source_sessions, (std::vector<std::string>{"s1", "s9"}));
  EXPECT_EQ(again->attrs.at("cluster_size"), "2");
  EXPECT_EQ(night2.size(), 2u);
}

TEST_F(MineTasksTest, ReharvestedSessionsAreNotCountedTwice) {
  configure(kHeuristic);
  SessionDigest s = session("s1", "Fix the flaky login test in CI", "2026-01-01T00:00:00Z");
  s.feedback_signals = {feedback(0, "positive", "thanks")};
  mine({s});
  configure(kHeuristic);
  const auto again = mine({s, s});  // the same session, harvested again (and twice in the input)
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].source_sessions.size(), 1u);
  EXPECT_EQ(again[0].attrs.at("n_success"), "1");
}

TEST_F(MineTasksTest, MaxTasksAndMinClusterSize) {
  configure(R"({"mode": "heuristic", "max_tasks": 3})");
  std::vector<SessionDigest> ds;
  const char* prompts[] = {"Write release notes for version 2.3", "Rename the payment module to billing",
                           "Explain the deploy script step by step", "Add pagination to the users endpoint",
                           "Bump the docker base image version"};
  for (int i = 0; i < 5; ++i) ds.push_back(session("s" + std::to_string(i), prompts[i], "2026-01-0" + std::to_string(i + 1) + "T00:00:00Z"));
  EXPECT_EQ(mine(ds).size(), 3u);
  EXPECT_EQ(count("tasks_over_cap"), 2);

  configure(R"({"mode": "heuristic", "min_cluster_size": 2})");
  ds.push_back(session("p1", "fix flaky login tests in the CI pipeline", "2026-01-07T00:00:00Z"));
  ds.push_back(session("p2", "Fix the flaky login test in CI", "2026-01-08T00:00:00Z"));
  const auto only = mine(ds);
  ASSERT_EQ(only.size(), 1u);
  EXPECT_EQ(only[0].attrs.at("cluster_size"), "2");
}

TEST_F(MineTasksTest, TargetSkillRelevanceFilter) {
  write_text(tmp_.file("changelog-writer/SKILL.md"),
             "---\nname: changelog-writer\ndescription: Writes release notes and changelog entries\n---\n"
             "# Changelog entries\nGroup changes by type. Link each pull request.\n");
  configure(R"({"mode": "heuristic", "max_tasks": 5, "target_skill_path": ")" + tmp_.file("changelog-writer/SKILL.md") + "\"}");
  const auto tasks = mine({session("a", "Fix the flaky login test in CI", "2026-01-01T00:00:00Z"),
                           session("b", "Update the changelog for the 2.3 release", "2026-01-02T00:00:00Z"),
                           session("c", "Write release notes for the new version", "2026-01-03T00:00:00Z")});
  ASSERT_EQ(tasks.size(), 2u);
  for (const auto& t : tasks) EXPECT_EQ(t.intent.find("flaky"), std::string::npos) << t.intent;
  EXPECT_EQ(count("tasks_relevant"), 2);

  write_text(tmp_.file("k8s/SKILL.md"), "# Kubernetes rollouts\nUse kubectl rollout status.\n");
  configure(R"({"mode": "heuristic", "target_skill_path": ")" + tmp_.file("k8s/SKILL.md") + "\"}");
  EXPECT_EQ(mine({session("a", "Fix the flaky login test in CI", "2026-01-01T00:00:00Z"),
                  session("b", "Update the changelog for the 2.3 release", "2026-01-02T00:00:00Z")})
                .size(),
            2u);  // nothing relevant: kept as is
}

TEST_F(MineTasksTest, WithoutAStoreNothingPersistsButMiningWorks) {
  svc_.store = nullptr;
  configure(kHeuristic);
  EXPECT_EQ(mine({session("a", "Fix the flaky login test in CI", "2026-01-01T00:00:00Z")}).size(), 1u);
  EXPECT_TRUE(store_.state().empty());
}

TEST_F(MineTasksTest, CorruptSplitStateIsKeptAsideNotFatal) {
  store_.put_state("mine_tasks/splits", "{not json");
  configure(kHeuristic);
  EXPECT_EQ(mine({session("a", "Fix the flaky login test in CI", "2026-01-01T00:00:00Z")}).size(), 1u);
  EXPECT_EQ(store_.state()["mine_tasks/splits.corrupt"], "{not json");
  EXPECT_EQ(count("state_reset"), 1);
}

TEST_F(MineTasksTest, ConfigErrors) {
  EXPECT_THROW(configure(R"({"val_fraction": 0.7, "test_fraction": 0.3})"), ConfigError);
  EXPECT_THROW(configure(R"({"mode": "llm"})"), ConfigError);
  EXPECT_THROW(configure(R"({"mode": "llm", "backend": "missing"})"), ConfigError);
}

}  // namespace

namespace {

// agentic_checks: a successful session yields what an agentic replay must reproduce - its
// last green verification command, the files it changed inside the project, and a command the
// user asked for in a correction - and the session's start for the replay's checkout.
TEST_F(MineTasksTest, AgenticChecksComeFromWhatTheSessionVerified) {
  configure(R"({"mode": "heuristic", "agentic_checks": true})");
  SessionDigest d = session("s1", "Refresh the generated fields after the schema change", "2026-01-02T03:00:00Z",
                            {"no, run `sh tests/check.sh` first", "thanks, perfect"});
  d.feedback_signals = {feedback(1, "negative", "no,"), feedback(2, "positive", "perfect")};
  d.commands = {{"sh tests/check.sh", 1, true}, {"sh tools/regen.sh", 0, false}, {"sh tests/check.sh", 0, false},
                {"rm -rf /", 0, false}};
  d.files_touched = {"/src/app/generated/fields.txt", "/etc/hosts", "/src/app/notes[1].md"};
  d.git_branch = "main";
  d.git_commit = "0123456789abcdef0123456789abcdef01234567";
  const auto tasks = mine({d});
  ASSERT_EQ(tasks.size(), 1u);
  const TaskRecord& t = tasks[0];
  EXPECT_EQ(t.start.commit, d.git_commit);
  EXPECT_EQ(t.start.branch, "main");
  EXPECT_EQ(t.start.at, "2026-01-02T03:00:00Z");
  EXPECT_EQ(t.judge.kind, ReferenceKind::kRule);
  std::vector<std::string> got;
  for (const auto& c : t.judge.checks) got.push_back(std::string(to_string(c.op)) + " " + c.arg);
  EXPECT_EQ(got, (std::vector<std::string>{"check_command sh tests/check.sh", "file_changed generated/fields.txt",
                                           "file_changed notes\\[1\\].md", "command_ran sh tests/check\\.sh"}));

  configure(R"({"mode": "heuristic", "agentic_checks": true})");
  SessionDigest failed = d;
  failed.session_id = "s2";
  failed.project = "/src/other";  // not the same recurring task as s1 (its checks would carry over)
  failed.files_touched = {"/src/other/generated/fields.txt"};
  failed.feedback_signals = {feedback(2, "negative", "that broke it")};
  const auto none = mine({failed});
  ASSERT_EQ(none.size(), 1u);
  EXPECT_TRUE(none[0].judge.checks.empty()) << "a failed session verified nothing";
}

}  // namespace
