// The offline success judge: evidence from feedback, the ending and tool errors; unknown
// stays unknown.
#include "skillpipe/kit/session_judge.hpp"

#include <gtest/gtest.h>

namespace skillpipe {
namespace {

// What a harvester that reads tool results observed: `tool_errors` failed calls.
SessionOutcome observed(int tool_errors, bool aborted = false) {
  SessionOutcome o;
  o.observed = true;
  o.tool_errors = tool_errors;
  o.aborted = aborted;
  return o;
}

SessionDigest session(std::vector<std::string> prompts, std::vector<FeedbackSignal> signals = {},
                      SessionOutcome outcome = {}, std::vector<std::string> finals = {"done"}) {
  SessionDigest d;
  d.session_id = "s";
  d.user_prompts = std::move(prompts);
  d.feedback_signals = std::move(signals);
  d.outcome = std::move(outcome);
  d.assistant_finals = std::move(finals);
  return d;
}

TEST(OfflineJudge, PraiseAtTheEndIsSuccess) {
  const auto j = judge_session(session({"fix the flaky test", "thanks, perfect"}, {{1, "positive", "thanks"}}));
  EXPECT_EQ(j.outcome, Outcome::kSuccess);
  EXPECT_FALSE(j.corrected);
  EXPECT_EQ(j.intent, "fix the flaky test");
  EXPECT_EQ(j.reason, "positive feedback \"thanks\"");
}

TEST(OfflineJudge, TrailingNegativeFeedbackIsFailure) {
  const auto j = judge_session(
      session({"fix the flaky test", "still failing"}, {{1, "negative", "still failing"}}, observed(0)));
  EXPECT_EQ(j.outcome, Outcome::kFail);
  EXPECT_NE(j.reason.find("ends with negative feedback"), std::string::npos);
}

TEST(OfflineJudge, ComplaintThenPraiseIsACorrectedSuccess) {
  const auto j = judge_session(session({"fix the flaky test", "that's wrong", "perfect"},
                                       {{1, "negative", "wrong"}, {2, "positive", "perfect"}}));
  EXPECT_EQ(j.outcome, Outcome::kSuccess);
  EXPECT_TRUE(j.corrected);
}

TEST(OfflineJudge, MixedTurnCountsAsNegative) {
  // "thanks, but it still fails" on the last answer is not praise.
  const auto j = judge_session(session({"fix the flaky test", "thanks, but it still fails"},
                                       {{1, "positive", "thanks"}, {1, "negative", "still fails"}}));
  EXPECT_EQ(j.outcome, Outcome::kFail);
}

TEST(OfflineJudge, AbortIsFailureEvenWithPraiseBefore) {
  const auto j =
      judge_session(session({"deploy the app to staging", "great"}, {{1, "positive", "great"}}, observed(0, true)));
  EXPECT_EQ(j.outcome, Outcome::kFail);
  EXPECT_EQ(j.reason, "the session was aborted (interrupted or stopped mid-turn)");
}

TEST(OfflineJudge, ToolErrorsDecideASilentSession) {
  EXPECT_EQ(judge_session(session({"fix the flaky test"}, {}, observed(0))).outcome, Outcome::kSuccess);
  EXPECT_EQ(judge_session(session({"fix the flaky test"}, {}, observed(3))).outcome, Outcome::kSuccess);
  const auto bad = judge_session(session({"fix the flaky test"}, {}, observed(4)));
  EXPECT_EQ(bad.outcome, Outcome::kFail);
  EXPECT_EQ(bad.reason, "4 tool errors (more than 3)");
  SessionJudgeOptions strict;
  strict.max_tool_errors = 0;
  EXPECT_EQ(judge_session(session({"fix the flaky test"}, {}, observed(1)), strict).outcome, Outcome::kFail);
  // Praise outweighs tool errors the agent recovered from.
  EXPECT_EQ(
      judge_session(session({"fix the flaky test", "thanks"}, {{1, "positive", "thanks"}}, observed(9)))
          .outcome,
      Outcome::kSuccess);
}

TEST(OfflineJudge, UnknownIsNotGuessed) {
  // No feedback and no tool facts: unknown, whatever else the session looks like.
  const auto j = judge_session(session({"fix the flaky test"}));
  EXPECT_EQ(j.outcome, Outcome::kUnknown);
  EXPECT_EQ(j.reason, "no feedback and no tool-error count");
  // Counts a harvester did not observe are unknown too, not zero.
  SessionOutcome unobserved;
  unobserved.tool_errors = 0;
  EXPECT_EQ(judge_session(session({"fix the flaky test"}, {}, unobserved)).outcome, Outcome::kUnknown);
  // Clean tools but no final answer: the ending is unknown.
  EXPECT_EQ(judge_session(session({"fix the flaky test"}, {}, observed(0), {})).outcome, Outcome::kUnknown);
}

TEST(OfflineJudge, FeedbackInTheRequestItselfIsNotFeedback) {
  // "the broken build" in the first prompt describes the task.
  const auto j = judge_session(session({"fix the broken build"}, {{0, "negative", "broken"}}, observed(0)));
  EXPECT_EQ(j.outcome, Outcome::kSuccess);
}

TEST(OfflineJudge, FirstSubstantivePromptSkipsCommandsAndContinuations) {
  SessionDigest d = session({"/clear", "ok", "<command-name>/model</command-name>", "add retries to the http client"});
  EXPECT_EQ(first_substantive_prompt(d), 3);
  EXPECT_EQ(judge_session(d).intent, "add retries to the http client");
  EXPECT_EQ(first_substantive_prompt(session({"/clear", "yes"})), -1);
  EXPECT_EQ(judge_session(session({"/clear", "yes"})).reason, "no substantive prompt");
}

TEST(OfflineJudge, AnAbortIsAFactEvenWhenNothingElseWasObserved) {
  SessionOutcome aborted;
  aborted.aborted = true;  // a third-party harvester that only knows how the session ended
  EXPECT_EQ(judge_session(session({"fix the flaky test"}, {}, aborted)).outcome, Outcome::kFail);
}

TEST(OfflineJudge, AFailedModelCallThatEndedTheTurnIsAFailure) {
  SessionOutcome o = observed(0);
  o.api_errors = 1;
  o.turn_failed = true;
  const auto j = judge_session(session({"write the release notes from the merged PRs"}, {}, o, {""}));
  EXPECT_EQ(j.outcome, Outcome::kFail);
  EXPECT_EQ(j.reason, "the last turn ended in an error (1 failed model call)");
  // Praise earlier does not rescue it: the ending outranks feedback.
  const auto praised = judge_session(
      session({"write the release notes", "thanks, now tag it"}, {{1, "positive", "thanks"}}, o, {"done", ""}));
  EXPECT_EQ(praised.outcome, Outcome::kFail);
  // A failed call the CLI recovered from (an earlier turn) is not the ending.
  SessionOutcome recovered = observed(0);
  recovered.api_errors = 1;
  EXPECT_EQ(judge_session(session({"write the release notes"}, {}, recovered)).outcome, Outcome::kSuccess);
}

TEST(OfflineJudge, AFailedLastCommandWithAnAnswerThatSaysSoIsAFailure) {
  SessionOutcome o = observed(1);
  o.last_tool_failed = true;
  o.final_reports_failure = true;
  const auto j = judge_session(session({"summarize does-not-exist.md"}, {}, o,
                                       {"I could not find does-not-exist.md, so there is nothing to summarize."}));
  EXPECT_EQ(j.outcome, Outcome::kFail);
  EXPECT_EQ(j.reason, "the last command failed and the answer says so (\"could not\")");
  // A failing command whose answer reports what was asked ("which tests fail?") succeeded.
  SessionOutcome report = observed(1);
  report.last_tool_failed = true;
  EXPECT_EQ(judge_session(session({"run the tests and tell me what fails"}, {}, report, {"2 tests fail: a and b."}))
                .outcome,
            Outcome::kSuccess);
  // "I can't do that from here" with no tool failure is no failure evidence either.
  EXPECT_EQ(judge_session(session({"check the CI status with my token"}, {}, observed(0),
                                  {"I can't check CI from here. Please revoke that token."}))
                .outcome,
            Outcome::kSuccess);
}

TEST(OfflineJudge, ThanksForAnAnswerThatAdmitsFailureIsNotASuccess) {
  SessionOutcome o = observed(1);
  o.last_tool_failed = true;
  const auto j = judge_session(session({"summarize does-not-exist.md", "ok thanks"}, {{1, "positive", "thanks"}}, o,
                                       {"I could not find does-not-exist.md.", "You're welcome."}));
  EXPECT_NE(j.outcome, Outcome::kSuccess);
}

TEST(OfflineJudge, OnlyLocalCommandsIsNoTask) {
  SessionDigest d = session({}, {}, observed(0), {});
  d.outcome.slash_commands = {"/usage"};
  const auto j = judge_session(d);
  EXPECT_EQ(j.outcome, Outcome::kUnknown);
  EXPECT_EQ(j.reason, "only local commands ran (/usage)");
}

}  // namespace
}  // namespace skillpipe
