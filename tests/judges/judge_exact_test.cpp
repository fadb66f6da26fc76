// judge_exact: SkillOpt-Sleep's normalized exact match and keyword credit, number for
// number. Expected values are computed by hand in the comments.
#include <gtest/gtest.h>

#include "skillpipe/config.hpp"
#include "test_support.hpp"

using namespace skillpipe;

namespace {

class ExactJudge : public ::testing::Test {
 protected:
  void SetUp() override { configure("{}"); }
  void configure(const std::string& cfg) {
    judge_ = reg_->create_as<Judge>("judge_exact");
    judge_->configure(Config::parse(cfg), ctx_);
  }
  Verdict run(const std::string& reference, const std::string& response) {
    TaskRecord t;
    t.id = "q1";
    t.reference_kind = ReferenceKind::kExact;
    t.reference = reference;
    ReplayResult r;
    r.response = response;
    return judge_->judge(t, r, ctx_);
  }

  std::unique_ptr<host::PluginRegistry> reg_ = skillpipe::testing::make_registry();
  host::Services svc_;
  host::BasicContext ctx_{"judge", RunInfo{}, &svc_};
  std::shared_ptr<Judge> judge_;
};

TEST_F(ExactJudge, ContainedReferenceIsAHardPass) {
  // "paris" in "the capital is paris"
  const Verdict v = run("Paris", "The capital is Paris.");
  EXPECT_EQ(v.hard, 1.0);
  EXPECT_EQ(v.soft, 1.0);
  EXPECT_TRUE(v.failed_criteria.empty());
}

TEST_F(ExactJudge, AllKeywordsButNotThePhraseGivesFullSoftNoHard) {
  // ref "the eiffel tower paris" is not a substring of "i visited the eiffel tower in paris";
  // distinct tokens > 2 chars: the, eiffel, tower, paris -> all 4 found -> 4/4.
  const Verdict v = run("The Eiffel Tower, Paris", "I visited the Eiffel tower in Paris!");
  EXPECT_EQ(v.hard, 0.0);
  EXPECT_DOUBLE_EQ(v.soft, 1.0);
  ASSERT_EQ(v.failed_criteria.size(), 1u);
  EXPECT_EQ(v.failed_criteria[0], "the response must contain the reference answer \"The Eiffel Tower, Paris\"");
}

TEST_F(ExactJudge, KeywordCreditIsTheFractionOfDistinctTokens) {
  // tokens quick, brown, fox, jumps; found quick, fox -> 2/4
  EXPECT_DOUBLE_EQ(run("quick brown fox jumps", "a quick red fox").soft, 0.5);
  // distinct: {data, model}; "data" found -> 1/2, not 3/4
  EXPECT_DOUBLE_EQ(run("data data data model", "data only").soft, 0.5);
  // tokens of 2 characters or fewer do not count: only "big" -> 1/1
  const Verdict v = run("an ox is big", "big");
  EXPECT_EQ(v.hard, 0.0);
  EXPECT_DOUBLE_EQ(v.soft, 1.0);
  EXPECT_DOUBLE_EQ(run("an ox is big", "small").soft, 0.0);
  // keywords match as substrings: "cat" occurs inside "concatenate" -> 1/2
  EXPECT_DOUBLE_EQ(run("cat dog", "concatenate").soft, 0.5);
  // three tokens, one found -> 1/3
  EXPECT_NEAR(run("alpha beta gamma", "gamma rays").soft, 1.0 / 3.0, 1e-12);
}

TEST_F(ExactJudge, SubstringSemanticsAreSkillOpts) {
  // "42" in "1423": a hard pass, exactly as SkillOpt scores it; no token is > 2 chars.
  const Verdict v = run("42", "1423");
  EXPECT_EQ(v.hard, 1.0);
  EXPECT_EQ(v.soft, 1.0);
  EXPECT_EQ(run("yes", "YES!!").hard, 1.0);
  EXPECT_EQ(run("Yes.", "no").hard, 0.0);
}

TEST_F(ExactJudge, NormalizationKeepsUnderscoresAndFoldsPunctuationAndCase) {
  EXPECT_EQ(run("foo_bar-baz", "use foo_bar baz!").hard, 1.0);   // "foo_bar baz"
  EXPECT_EQ(run("foo_bar", "foo bar").hard, 0.0);                 // '_' is a word character
  EXPECT_EQ(run("  Hello,\n\tWorld ", "hello world").hard, 1.0);  // whitespace collapsed
  EXPECT_EQ(run("Caf\xC3\x89 D\xC3\xA9j\xC3\xA0", "caf\xC3\xA9 d\xC3\xA9j\xC3\xA0 vu").hard, 1.0);  // É -> é
  EXPECT_EQ(run("\xE2\x80\x9Cquoted\xE2\x80\x9D", "it was quoted").hard, 1.0);  // curly quotes are punctuation
}

TEST_F(ExactJudge, EmptyReferenceIsNoMatch) {
  for (const char* ref : {"", "  ", "?!"}) {
    const Verdict v = run(ref, "anything");
    EXPECT_EQ(v.hard, 0.0);
    EXPECT_EQ(v.soft, 0.0);
    EXPECT_EQ(v.rationale, "no reference");
  }
}

TEST_F(ExactJudge, OptionalPassThreshold) {
  configure(R"({"pass_threshold": 0.5})");
  EXPECT_EQ(run("quick brown fox jumps", "a quick red fox").hard, 1.0);  // credit 0.5 >= 0.5
  EXPECT_EQ(run("quick brown fox jumps", "a quick cat").hard, 0.0);      // 0.25
}

TEST_F(ExactJudge, Validation) {
  TaskRecord t;
  t.id = "q9";
  t.reference_kind = ReferenceKind::kExact;
  try {
    judge_->validate(t);
    ADD_FAILURE() << "an exact task without a reference must be an error";
  } catch (const RecordError& e) {
    EXPECT_EQ(e.record_id(), "q9");
    EXPECT_NE(std::string(e.what()).find("q9"), std::string::npos);
  }
  t.reference_kind = ReferenceKind::kNone;
  EXPECT_FALSE(judge_->validate(t).empty());  // a warning: scored 0
  t.reference = "42";
  t.reference_kind = ReferenceKind::kExact;
  EXPECT_TRUE(judge_->validate(t).empty());
}

}  // namespace
