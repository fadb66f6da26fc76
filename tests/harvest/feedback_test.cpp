// Feedback signals in user prompts: phrase lists, negation, turn indexes, extension.
#include <gtest/gtest.h>

#include "skillpipe/kit/feedback.hpp"

namespace skillpipe {
namespace {

// The phrase tests read every prompt as a reply to an earlier answer.
std::vector<FeedbackSignal> detect(const std::vector<std::string>& prompts,
                                   const FeedbackLexicon& lex = FeedbackLexicon::defaults()) {
  return detect_feedback(prompts, lex, /*first_is_reply=*/true);
}

TEST(HarvestFeedback, TheFirstPromptOfASessionIsATaskNotFeedback) {
  // "fix whatever fails" states the task; nothing preceded it to complain about.
  const auto s = detect_feedback({"fix whatever fails in the build", "still failing"}, FeedbackLexicon::defaults());
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0], (FeedbackSignal{1, "negative", "still failing"}));
  // A digest that continues a session read before: its first prompt replies to an answer.
  EXPECT_EQ(detect_feedback({"that's wrong"}, FeedbackLexicon::defaults(), true).size(), 1u);
}

TEST(HarvestFeedback, FailureStatementsInFinalAnswers) {
  EXPECT_EQ(failure_statement("I could not find does-not-exist.md, so there is nothing to summarize."), "could not");
  EXPECT_EQ(failure_statement("Unfortunately the build still fails."), "Unfortunately");
  EXPECT_EQ(failure_statement("I was unable to reach the server."), "unable to");
  EXPECT_EQ(failure_statement("The file does not exist."), "does not exist");
  EXPECT_EQ(failure_statement("I can\xE2\x80\x99t check CI from here."), "can\xE2\x80\x99t");
  // Not failures: reports of errors, negated or overcome failures, plain success.
  EXPECT_EQ(failure_statement("I wrote RELEASE_NOTES.md from the 3 merged pull requests."), "");
  EXPECT_EQ(failure_statement("Fixed the error in parser.cpp; 2 tests used to fail and now pass."), "");
  EXPECT_EQ(failure_statement("It never failed to start after the change."), "");
  EXPECT_EQ(failure_statement("I could not connect at first, so I restarted the server; all tests pass."), "");
  EXPECT_EQ(failure_statement(""), "");
  // Only the lead is read: a failure mentioned deep inside a long answer is a detail.
  EXPECT_EQ(failure_statement("Done. " + std::string(700, 'x') + " could not"), "");
}

TEST(HarvestFeedback, PositiveAndNegativePhrasesCarryTheirTurn) {
  auto s = detect({"fix the parser", "perfect, thanks!", "that's wrong, it must return an empty list"});
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0], (FeedbackSignal{1, "positive", "perfect"}));
  EXPECT_EQ(s[1], (FeedbackSignal{1, "positive", "thanks"}));
  EXPECT_EQ(s[2], (FeedbackSignal{2, "negative", "wrong"}));
}

TEST(HarvestFeedback, IncorrectIsNegativeOnly) {
  auto s = detect({"that is incorrect"});
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].polarity, "negative");
  EXPECT_EQ(s[0].phrase, "incorrect");
}

TEST(HarvestFeedback, NegatedPositiveBecomesNegative) {
  auto s = detect({"this is not correct", "it doesn't look good", "it doesn\xE2\x80\x99t look good either",
                   "I don't think that's correct"});
  ASSERT_EQ(s.size(), 4u);
  for (const auto& f : s) EXPECT_EQ(f.polarity, "negative") << f.phrase;
  EXPECT_EQ(s[0].phrase, "not correct");
  EXPECT_EQ(s[1].phrase, "doesn't look good");
  EXPECT_EQ(s[2].turn, 2);
  EXPECT_EQ(s[3].phrase, "don't think that's correct");
}

TEST(HarvestFeedback, NegatedNegativeIsNoSignal) {
  EXPECT_TRUE(detect({"no problem, now add tests"}).empty());
  EXPECT_TRUE(detect({"not bad at all"}).empty());
  EXPECT_TRUE(detect({"the output isn't wrong, just slow"}).empty());
}

TEST(HarvestFeedback, NegationStopsAtClauseBoundaries) {
  auto s = detect({"No, that's wrong"});
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].polarity, "negative");
  EXPECT_EQ(s[0].phrase, "wrong");
  auto t = detect({"no. thanks a lot"});
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].polarity, "positive");
}

TEST(HarvestFeedback, WholeWordsOnly) {
  EXPECT_TRUE(detect({"update the greatest-common-divisor helper and the thanksgiving banner"}).empty());
}

TEST(HarvestFeedback, LongerPhraseWins) {
  auto s = detect({"it's still not working"});
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].polarity, "negative");
  EXPECT_EQ(s[0].phrase, "still not");
  auto g = detect({"looks good to me"});
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].phrase, "looks good");
}

TEST(HarvestFeedback, LexiconIsExtensible) {
  FeedbackLexicon lex = FeedbackLexicon::defaults();
  lex.positive.push_back("chef's kiss");
  lex.negative.push_back("meh");
  auto s = detect({"chef's kiss", "meh", "not chef's kiss"}, lex);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].polarity, "positive");
  EXPECT_EQ(s[1].polarity, "negative");
  EXPECT_EQ(s[2].polarity, "negative");
}

TEST(HarvestFeedback, OnlyTheHeadOfALongPromptIsRead) {
  std::string prompt(2000, 'x');
  for (std::size_t i = 0; i < prompt.size(); i += 10) prompt[i] = ' ';
  prompt += " thanks";
  EXPECT_TRUE(detect({prompt}).empty());
}

TEST(HarvestFeedback, SamePhraseTwiceInOnePromptCountsOnce) {
  auto s = detect({"thanks! thanks again"});
  EXPECT_EQ(s.size(), 1u);
}

}  // namespace
}  // namespace skillpipe
