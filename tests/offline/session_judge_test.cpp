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
  EXPECT_EQ(j.reason, "the session was aborted");
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

}  // namespace
}  // namespace skillpipe
