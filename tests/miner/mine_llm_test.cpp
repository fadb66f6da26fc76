// mine_tasks, LLM mode, against a scripted backend: the prompt, defensive parsing (fences,
// prose, objects, garbage), rubric-over-checks, check cleaning, failures and fallbacks.
#include "miner_fixture.hpp"

using namespace skillpipe;
using namespace skillpipe::testing;

namespace {

const char* kS1Reply = R"(Here are the tasks:
[{"intent": "Fix a flaky test in the CI pipeline", "rubric": "Finds why the test is flaky and makes it deterministic",
  "checks": [{"op": "contains", "arg": "retry"}], "satisfied": true},
 {"intent": "Keep pull request descriptions short",
  "checks": [{"op": "max_chars", "arg": 280}, {"op": "regex", "arg": "([bad"}, {"op": "telepathy", "arg": "x"},
             {"op": "any_of", "children": [{"op": "contains", "arg": "Summary"}, {"op": "contains", "arg": "TL;DR"}]}],
  "satisfied": false},
 {"intent": "Something nobody can check"},
 {"intent": "A fourth task is one too many", "rubric": "never read"}])";

const char* kS2Reply = "Sure.\n```json\n{\"tasks\": [{\"intent\": \"Write the weekly status update\", \"rubric\": "
                       "\"Covers done, next and blockers\", \"satisfied\": true}]}\n```\nHope that helps!";

std::vector<SessionDigest> sessions() {
  SessionDigest s1 = session("s1", "the login test keeps failing on CI, fix it", "2026-01-01T00:00:00Z", {"make the PR text short"});
  s1.feedback_signals = {feedback(1, "positive", "great")};
  return {s1, session("s2", "write my weekly status update for the team", "2026-01-02T00:00:00Z"),
          session("s3", "what does this error mean in the deploy logs", "2026-01-03T00:00:00Z"),
          session("s4", "rename the billing module to payments", "2026-01-04T00:00:00Z")};
}

void script(ScriptedBackend& b) {
  b.reply_fn = [](const ChatRequest& r) -> std::string {
    const std::string s = r.meta.at("session_id");
    if (s == "s1") return kS1Reply;
    if (s == "s2") return kS2Reply;
    if (s == "s3") return "I could not find any reusable task in this session.";
    return "!retryable";
  };
}

TEST_F(MineTasksTest, LlmTasksRubricWinsChecksAreCleanedGarbageIsCounted) {
  script(backend_);
  configure(R"({"mode": "llm", "backend": "llm"})");
  const auto tasks = mine(sessions());
  ASSERT_EQ(tasks.size(), 3u);

  const TaskRecord* flaky = nullptr;
  const TaskRecord* pr = nullptr;
  const TaskRecord* status = nullptr;
  for (const auto& t : tasks) {
    if (t.intent == "Fix a flaky test in the CI pipeline") flaky = &t;
    if (t.intent == "Keep pull request descriptions short") pr = &t;
    if (t.intent == "Write the weekly status update") status = &t;
  }
  ASSERT_TRUE(flaky && pr && status);
  // The rubric wins over literal checks.
  EXPECT_EQ(flaky->reference_kind, ReferenceKind::kRubric);
  EXPECT_EQ(flaky->judge.kind, ReferenceKind::kRubric);
  EXPECT_EQ(flaky->judge.rubric, "Finds why the test is flaky and makes it deterministic");
  EXPECT_TRUE(flaky->judge.checks.empty());
  EXPECT_EQ(flaky->outcome, Outcome::kSuccess);
  EXPECT_EQ(flaky->id.rfind("llm_", 0), 0u);
  EXPECT_NE(std::find(flaky->tags.begin(), flaky->tags.end(), "mined:llm"), flaky->tags.end());
  EXPECT_EQ(flaky->source_sessions, std::vector<std::string>{"s1"});
  // Checks only: a rule task, with the unusable checks dropped and the numeric arg as text.
  EXPECT_EQ(pr->reference_kind, ReferenceKind::kRule);
  ASSERT_EQ(pr->judge.checks.size(), 2u);
  EXPECT_EQ(pr->judge.checks[0].op, RuleOp::kMaxChars);
  EXPECT_EQ(pr->judge.checks[0].arg, "280");
  EXPECT_EQ(pr->judge.checks[1].op, RuleOp::kAnyOf);
  EXPECT_EQ(pr->judge.checks[1].children.size(), 2u);
  EXPECT_EQ(pr->outcome, Outcome::kFail);
  // Fenced object with prose around it.
  EXPECT_EQ(status->reference, "Covers done, next and blockers");

  EXPECT_EQ(count("llm_calls"), 4);
  EXPECT_EQ(count("llm_dropped"), 1);         // uncheckable; the 4th proposal is past the limit of 3
  EXPECT_EQ(count("llm_dropped_checks"), 2);  // bad regex, unknown op
  EXPECT_EQ(count("llm_unparseable"), 1);
  EXPECT_EQ(count("llm_errors"), 1);

  const auto reqs = backend_.requests();
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_EQ(reqs[0].purpose, "mine");
  EXPECT_EQ(reqs[0].max_tokens, 800);
  const std::string& user = reqs[0].messages.back().content;
  EXPECT_NE(user.find("1. the login test keeps failing on CI, fix it"), std::string::npos) << user;
  EXPECT_NE(user.find("2. make the PR text short"), std::string::npos);
  EXPECT_NE(user.find("positive \"great\" at prompt 2"), std::string::npos);
  EXPECT_NE(user.find("JSON array of 0 to 3 tasks"), std::string::npos);
}

TEST_F(MineTasksTest, AutoModeFallsBackToHeuristicWhenTheLlmKeepsNothing) {
  backend_.reply_fn = [](const ChatRequest&) { return std::string("garbage, not json"); };
  configure(R"({"backend": "llm"})");
  const auto tasks = mine(sessions());
  EXPECT_EQ(tasks.size(), 4u);
  for (const auto& t : tasks) EXPECT_EQ(t.attrs.at("mined_by"), "heuristic");
  EXPECT_EQ(count("heuristic_fallback"), 1);
  EXPECT_EQ(count("llm_unparseable"), 4);

  configure(R"({"mode": "llm", "backend": "llm"})");  // llm mode: no silent fallback
  EXPECT_TRUE(mine(sessions()).empty());
}

TEST_F(MineTasksTest, AnUnavailableBackendMeansHeuristicInAutoAndAnErrorInLlmMode) {
  backend_.is_available = false;
  configure(R"({"backend": "llm"})");
  EXPECT_EQ(mine(sessions()).size(), 4u);
  EXPECT_TRUE(backend_.requests().empty());
  configure(R"({"mode": "llm", "backend": "llm"})");
  EXPECT_THROW(mine(sessions()), Error);
}

TEST_F(MineTasksTest, BudgetStopsLlmMiningAndRepeatedFailuresGiveUp) {
  backend_.replies = {"!budget"};
  configure(R"({"backend": "llm"})");
  EXPECT_EQ(mine(sessions()).size(), 4u);  // heuristic fallback
  EXPECT_EQ(count("llm_budget_stopped"), 1);
  EXPECT_EQ(backend_.requests().size(), 1u);

  ScriptedBackend failing;
  failing.reply_fn = [](const ChatRequest&) { return std::string("!error"); };
  svc_.backends["llm"] = &failing;
  std::vector<SessionDigest> many;
  for (int i = 0; i < 10; ++i)
    many.push_back(session("x" + std::to_string(i), "task number " + std::to_string(i) + " about topic " + std::to_string(i * 7),
                           "2026-02-0" + std::to_string(i % 9 + 1) + "T00:00:00Z"));
  configure(R"({"backend": "llm"})");
  mine(many);
  EXPECT_EQ(failing.requests().size(), 3u);  // gives up after 3 failures without a success
  svc_.backends["llm"] = &backend_;
  miner_.reset();
}

TEST_F(MineTasksTest, SimilarLlmTasksFromDifferentSessionsMerge) {
  backend_.reply_fn = [](const ChatRequest& r) -> std::string {
    if (r.meta.at("session_id") == "a")
      return R"([{"intent": "Fix the flaky login test in CI", "rubric": "Makes the test deterministic", "satisfied": true}])";
    return R"([{"intent": "fix flaky login tests in the CI pipeline", "rubric": "Other rubric", "satisfied": false}])";
  };
  configure(R"({"mode": "llm", "backend": "llm"})");
  const auto tasks = mine({session("a", "login test flaky again", "2026-01-01T00:00:00Z"),
                           session("b", "the login test is flaky on CI again", "2026-01-02T00:00:00Z")});
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].judge.rubric, "Makes the test deterministic");
  EXPECT_EQ(tasks[0].source_sessions, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(tasks[0].outcome, Outcome::kMixed);  // one success, one failure
}

}  // namespace
