// judge_rule: every op with a positive and a negative, groups, scoring, criteria wording and
// spec validation - through the loaded plugin. The trajectory ops are in
// judge_rule_trajectory_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "rule_judge_fixture.hpp"
#include "skillpipe/kit/regex.hpp"

using namespace skillpipe;
using namespace skillpipe::judges_test;

namespace {

TEST_F(RuleJudge, ContainsIsCaseInsensitive) {
  EXPECT_TRUE(passes(chk("contains", "Recommendation:"), "My recommendation: buy."));
  const Verdict v = run({chk("contains", "Recommendation:")}, "Buy it.");
  EXPECT_EQ(v.hard, 0.0);
  EXPECT_EQ(v.failed_criteria, std::vector<std::string>{"the response must contain \"Recommendation:\""});
}

TEST_F(RuleJudge, NotContains) {
  EXPECT_TRUE(passes(chk("not_contains", "as an AI"), "Here is the plan."));
  const Verdict v = run({chk("not_contains", "as an AI")}, "As an ai model, I think...");
  EXPECT_EQ(v.hard, 0.0);
  EXPECT_EQ(v.failed_criteria, std::vector<std::string>{"the response must not contain \"as an AI\""});
}

TEST_F(RuleJudge, RegexIsCaseSensitiveUnlessAskedAndTakesPythonSyntax) {
  EXPECT_TRUE(passes(chk("regex", R"([Cc]onfidence\s*[:=])"), "Confidence : high"));
  EXPECT_FALSE(passes(chk("regex", R"([Cc]onfidence\s*[:=])"), "I am confident"));
  EXPECT_FALSE(passes(chk("regex", "KEY RISKS"), "key risks"));
  EXPECT_TRUE(passes(chk("regex", "(?i)KEY RISKS"), "key risks"));
  EXPECT_TRUE(passes(chk("regex", "KEY RISKS", "", true), "key risks"));
  EXPECT_TRUE(passes(chk("regex", R"(^Total: (?P<n>\d+)$)"), "Total: 42"));
  // Python's \Z is the very end: a trailing newline defeats it.
  EXPECT_FALSE(passes(chk("regex", R"(done\Z)"), "done\n"));
  EXPECT_TRUE(passes(chk("regex", R"(done\Z)"), "all done"));
  const Verdict v = run({chk("regex", R"(\d{3})")}, "no digits");
  EXPECT_EQ(v.failed_criteria, std::vector<std::string>{R"(the response must match the pattern /\d{3}/)"});
}

TEST_F(RuleJudge, NotRegex) {
  EXPECT_TRUE(passes(chk("not_regex", R"(TODO|FIXME)"), "clean code"));
  EXPECT_FALSE(passes(chk("not_regex", R"(TODO|FIXME)"), "// TODO later"));
  EXPECT_FALSE(passes(chk("not_regex", "todo", "", true), "// TODO later"));
}

TEST_F(RuleJudge, LongResponsesAreMatchedWithoutCrashing) {
  const std::string big = std::string(300000, 'a') + "c";
  const auto t0 = std::chrono::steady_clock::now();
  const Verdict a = run({chk("regex", "(a|b)*c")}, big);
  EXPECT_EQ(a.hard, 1.0) << a.rationale;
  const Verdict b = run({chk("regex", "[\\s\\S]*c$")}, big);
  EXPECT_EQ(b.hard, 1.0) << b.rationale;
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
}

TEST_F(RuleJudge, CatastrophicPatternFailsTheCheckInsteadOfHanging) {
  if (rules::regex_engine_name().rfind("pcre2", 0) != 0) GTEST_SKIP() << "needs PCRE2 match limits";
  const auto t0 = std::chrono::steady_clock::now();
  const Verdict v = run({chk("regex", "(a+)+$")}, std::string(40, 'a') + "!");
  EXPECT_EQ(v.hard, 0.0);
  EXPECT_NE(v.rationale.find("could not be evaluated"), std::string::npos) << v.rationale;
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
}

TEST_F(RuleJudge, NoRefusal) {
  const RuleCheck c = chk("no_refusal");
  EXPECT_TRUE(passes(c, "Here is the summary you asked for."));
  EXPECT_FALSE(passes(c, "I can't help with that."));
  EXPECT_FALSE(passes(c, "## I\xE2\x80\x99m unable to do that"));  // markdown and a curly apostrophe
  EXPECT_FALSE(passes(c, "   \n "));
  EXPECT_FALSE(passes(c, ""));
  // A long answer that merely opens with "I cannot" is an answer (SkillOpt: body >= 600).
  EXPECT_TRUE(passes(c, "I cannot stress enough how simple this is. " + std::string(600, 'x')));
  EXPECT_EQ(run({c}, "Sorry, I cannot.").failed_criteria,
            std::vector<std::string>{"the response must attempt the task, not refuse or come back empty"});
}

TEST_F(RuleJudge, ToolCalled) {
  EXPECT_TRUE(passes(chk("tool_called", "search"), "done", {"Search"}));
  EXPECT_TRUE(passes(chk("tool_called", "search"), "TOOL_CALL: search\nresults..."));
  EXPECT_FALSE(passes(chk("tool_called", "search"), "tool_call: searcher"));
  const Verdict v = run({chk("tool_called", "search")}, "answer", {"read_file"});
  EXPECT_EQ(v.failed_criteria, std::vector<std::string>{"the agent must call the tool \"search\""});
  EXPECT_NE(v.rationale.find("tools called: read_file"), std::string::npos);
}

TEST_F(RuleJudge, SectionPresentIsTheLegacyStrictForm) {
  const RuleCheck c = chk("section_present", "Key Risks");
  EXPECT_TRUE(passes(c, "Intro\n## Key Risks\n- outage"));
  EXPECT_TRUE(passes(c, "### 2. key risks:\n- outage"));
  EXPECT_TRUE(passes(c, "**Key Risks**\n- outage"));
  EXPECT_TRUE(passes(c, "Key Risks: outage"));
  EXPECT_FALSE(passes(c, "## Key Risks and Mitigations\n..."));  // text after the name
  EXPECT_FALSE(passes(c, "The key risks are few."));
  EXPECT_FALSE(passes(c, "```\n## Key Risks\n```"));             // inside a code fence
  EXPECT_EQ(run({c}, "x").failed_criteria, std::vector<std::string>{"the response must have a section headed \"Key Risks\""});
}

TEST_F(RuleJudge, SectionContainsMatchesHeadingsAndOptionallyTheirBody) {
  EXPECT_TRUE(passes(chk("section_contains", "Risks"), "### Top Risks (3)\n- a"));
  EXPECT_FALSE(passes(chk("section_contains", "Risks"), "**Risks**\n- a"));  // bold is not a heading
  EXPECT_FALSE(passes(chk("section_contains", "Risks"), "Risks are low"));
  const std::string doc = "# Plan\n## Risks\n- outage\n### Detail\n- disk\n## Budget\n- money\n";
  EXPECT_TRUE(passes(chk("section_contains", "risks", "outage"), doc));
  EXPECT_TRUE(passes(chk("section_contains", "risks", "DISK"), doc));  // a sub-section is part of it
  EXPECT_FALSE(passes(chk("section_contains", "risks", "money"), doc));
  EXPECT_EQ(run({chk("section_contains", "Risks", "money")}, doc).failed_criteria,
            std::vector<std::string>{"the section headed \"Risks\" must contain \"money\""});
}

TEST_F(RuleJudge, CharBoundsCountUnicodeCharacters) {
  EXPECT_TRUE(passes(chk("max_chars", "280"), std::string(280, 'x')));
  const Verdict v = run({chk("max_chars", "280")}, std::string(281, 'x'));
  EXPECT_EQ(v.hard, 0.0);
  EXPECT_EQ(v.failed_criteria, std::vector<std::string>{"the ENTIRE response must be at most 280 characters"});
  EXPECT_NE(v.rationale.find("it has 281 characters"), std::string::npos) << v.rationale;
  std::string accents;
  for (int i = 0; i < 10; ++i) accents += "\xC3\xA9";  // 10 characters, 20 bytes
  EXPECT_TRUE(passes(chk("max_chars", "10"), accents));
  EXPECT_TRUE(passes(chk("min_chars", "10"), accents));
  EXPECT_FALSE(passes(chk("min_chars", "11"), accents));
  EXPECT_EQ(run({chk("min_chars", "50")}, "short").failed_criteria,
            std::vector<std::string>{"the response must be at least 50 characters long"});
}

TEST_F(RuleJudge, WordBounds) {
  const std::string four = "one two  three\nfour";
  EXPECT_TRUE(passes(chk("max_words", "4"), four));
  EXPECT_FALSE(passes(chk("max_words", "3"), four));
  EXPECT_TRUE(passes(chk("min_words", "4"), four));
  EXPECT_FALSE(passes(chk("min_words", "5"), four));
  EXPECT_EQ(run({chk("max_words", "3")}, four).failed_criteria,
            std::vector<std::string>{"the ENTIRE response must be at most 3 words"});
}

TEST_F(RuleJudge, StartsAndEndsWithTrimAndHonorCase) {
  EXPECT_TRUE(passes(chk("starts_with", "TL;DR"), "\n  TL;DR: ship it"));
  EXPECT_FALSE(passes(chk("starts_with", "TL;DR"), "tl;dr: ship it"));
  EXPECT_TRUE(passes(chk("starts_with", "TL;DR", "", true), "tl;dr: ship it"));
  EXPECT_TRUE(passes(chk("ends_with", "Done."), "All good. Done.\n\n"));
  EXPECT_FALSE(passes(chk("ends_with", "Done."), "Done. More text"));
}

TEST_F(RuleJudge, JsonValid) {
  EXPECT_TRUE(passes(chk("json_valid"), "  {\"a\": 1}\n"));
  EXPECT_FALSE(passes(chk("json_valid"), "```json\n{\"a\": 1}\n```"));
  EXPECT_FALSE(passes(chk("json_valid"), "{\"a\": 1,}"));
  EXPECT_TRUE(passes(chk("json_valid", "array"), "[1, 2]"));
  EXPECT_FALSE(passes(chk("json_valid", "object"), "[1, 2]"));
  EXPECT_EQ(run({chk("json_valid", "object")}, "[]").failed_criteria,
            std::vector<std::string>{"the ENTIRE response must be a JSON object"});
}

TEST_F(RuleJudge, JsonFieldEquals) {
  const std::string doc = R"({"status":"ok","n":3,"list":[1,2],"nested":{"x":true},"name":"Ada"})";
  EXPECT_TRUE(passes(chk("json_field_equals", "/status", "\"ok\""), doc));
  EXPECT_TRUE(passes(chk("json_field_equals", "/status", "ok"), doc));  // unquoted text
  EXPECT_TRUE(passes(chk("json_field_equals", "/n", "3"), doc));
  EXPECT_TRUE(passes(chk("json_field_equals", "/n", "3.0"), doc));
  EXPECT_TRUE(passes(chk("json_field_equals", "/list", "[1,2]"), doc));
  EXPECT_TRUE(passes(chk("json_field_equals", "/nested/x", "true"), doc));
  EXPECT_FALSE(passes(chk("json_field_equals", "/name", "\"ADA\""), doc));
  EXPECT_TRUE(passes(chk("json_field_equals", "/name", "\"ADA\"", true), doc));
  EXPECT_FALSE(passes(chk("json_field_equals", "/missing", "1"), doc));
  EXPECT_FALSE(passes(chk("json_field_equals", "/n", "3"), "n = 3"));
  const Verdict v = run({chk("json_field_equals", "/n", "4")}, doc);
  EXPECT_EQ(v.failed_criteria, std::vector<std::string>{"the JSON field /n must equal 4"});
}

// fuzz_rules found it: an answer of 50,000 '[' overflowed the stack while being parsed.
TEST_F(RuleJudge, JsonNestedPastTheLimitFailsTheCheckInsteadOfCrashing) {
  const std::string deep = std::string(50000, '[') + std::string(50000, ']');
  for (const char* op : {"json_valid", "json_field_equals"}) {
    const Verdict v = run({chk(op, "/a", "1")}, deep);
    EXPECT_EQ(v.hard, 0.0) << op;
  }
  EXPECT_FALSE(passes(chk("json_field_equals", "/0", std::string(300, '[') + std::string(300, ']')), "[1]"));
  const std::string shallow = std::string(200, '[') + std::string(200, ']');
  EXPECT_TRUE(passes(chk("json_valid", "array"), shallow)) << "200 levels are still JSON";
}

TEST_F(RuleJudge, Groups) {
  const auto any = group("any_of", {chk("contains", "yes"), chk("contains", "affirmative")});
  EXPECT_TRUE(passes(any, "Affirmative."));
  const Verdict a = run({any}, "no");
  EXPECT_EQ(a.failed_criteria,
            std::vector<std::string>{"at least one of these must hold: (1) the response must contain \"yes\"; (2) the "
                                     "response must contain \"affirmative\""});

  const auto all = group("all_of", {chk("contains", "alpha"), chk("contains", "beta"), chk("max_chars", "20")});
  EXPECT_TRUE(passes(all, "alpha beta"));
  const Verdict b = run({all}, "alpha only, and far too long to pass");
  EXPECT_EQ(b.failed_criteria, std::vector<std::string>{"the response must contain \"beta\"; and the ENTIRE response "
                                                        "must be at most 20 characters"});

  const auto none = group("none_of", {chk("contains", "sorry"), chk("regex", "(?i)as an ai")});
  EXPECT_TRUE(passes(none, "Here you go."));
  const Verdict c = run({none}, "Sorry, as an AI I can't.");
  EXPECT_EQ(c.failed_criteria, std::vector<std::string>{"the response must not contain \"sorry\"; and the response must "
                                                        "not match the pattern /(?i)as an ai/"});
}

TEST_F(RuleJudge, HardIsAllPassSoftIsTheFraction) {
  const Verdict v = run({chk("contains", "a"), chk("contains", "b"), chk("contains", "c"), chk("contains", "zzz")}, "abc");
  EXPECT_EQ(v.hard, 0.0);
  EXPECT_DOUBLE_EQ(v.soft, 0.75);
  EXPECT_EQ(v.failed_criteria.size(), 1u);
  EXPECT_NE(v.rationale.find("failed 1 of 4"), std::string::npos) << v.rationale;
  const Verdict ok = run({chk("contains", "a"), chk("max_chars", "3")}, "abc");
  EXPECT_EQ(ok.hard, 1.0);
  EXPECT_EQ(ok.soft, 1.0);
  EXPECT_TRUE(ok.failed_criteria.empty());
}

TEST_F(RuleJudge, NoChecksScoresZero) {
  const Verdict v = run({}, "anything");
  EXPECT_EQ(v.hard, 0.0);
  EXPECT_EQ(v.soft, 0.0);
  EXPECT_EQ(v.rationale, "no checks");
}

TEST_F(RuleJudge, UnknownOpPassesByDefaultAndFailsWhenConfigured) {
  EXPECT_EQ(run({chk("contains", "a"), chk("sparkle", "x")}, "a").hard, 1.0);
  configure(R"({"unknown_ops": "fail"})");
  const Verdict v = run({chk("contains", "a"), chk("sparkle", "x")}, "a");
  EXPECT_EQ(v.hard, 0.0);
  EXPECT_DOUBLE_EQ(v.soft, 0.5);
}

TEST_F(RuleJudge, DefaultAndExtraChecksFromConfig) {
  configure(R"({"default_checks": [{"op": "max_chars", "arg": 5}], "extra_checks": [{"op": "no_refusal"}]})");
  TaskRecord t;  // no checks of its own
  t.id = "plain";
  ReplayResult r;
  r.response = "too long here";
  const Verdict v = judge_->judge(t, r, ctx_);
  EXPECT_EQ(v.hard, 0.0);
  EXPECT_DOUBLE_EQ(v.soft, 0.5);  // max_chars fails, no_refusal passes
  EXPECT_THROW(configure(R"({"extra_checks": [{"op": "regex", "arg": "(unclosed"}]})"), ConfigError);
}

TEST_F(RuleJudge, ValidationErrorsNameTheTask) {
  EXPECT_NE(validation_error({chk("regex", "([a-z")}).find("task task-42"), std::string::npos);
  EXPECT_NE(validation_error({chk("regex", "([a-z")}).find("does not compile"), std::string::npos);
  EXPECT_NE(validation_error({chk("max_chars", "-5")}).find("non-negative integer"), std::string::npos);
  EXPECT_NE(validation_error({chk("min_words", "12.5")}).find("non-negative integer"), std::string::npos);
  EXPECT_NE(validation_error({chk("contains", "  ")}).find("missing arg"), std::string::npos);
  EXPECT_NE(validation_error({chk("json_field_equals", "/a")}).find("missing arg2"), std::string::npos);
  EXPECT_NE(validation_error({chk("json_field_equals", "a", "1")}).find("JSON pointer"), std::string::npos);
  EXPECT_NE(validation_error({chk("", "x")}).find("missing op"), std::string::npos);
  EXPECT_NE(validation_error({group("any_of", {})}).find("at least one check"), std::string::npos);
  const std::string nested = validation_error({chk("contains", "x"), group("all_of", {chk("contains", "y"), chk("regex", "(")})});
  EXPECT_NE(nested.find("check 2.2 (regex)"), std::string::npos) << nested;
  TaskRecord empty_rule;
  empty_rule.id = "e";
  empty_rule.judge.kind = ReferenceKind::kRule;
  EXPECT_THROW(judge_->validate(empty_rule), RecordError);
}

TEST_F(RuleJudge, ValidationWarnings) {
  auto has = [](const std::vector<std::string>& ws, const std::string& part) {
    for (const auto& w : ws)
      if (w.find(part) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(has(validate({chk("contains", "x"), chk("frobnicate", "y")}), "unknown op 'frobnicate'"));
  EXPECT_TRUE(has(validate({chk("max_chars", "280"), chk("section_present", "Risks")}), "only the shape"));
  EXPECT_FALSE(has(validate({chk("max_chars", "280"), chk("contains", "Risks")}), "only the shape"));
  EXPECT_TRUE(has(validate({chk("contains", "x"), chk("min_chars", "0")}), "always passes"));
  EXPECT_TRUE(has(validate({chk("min_chars", "500"), chk("max_chars", "100"), chk("contains", "x")}), "can never all pass"));
  EXPECT_TRUE(has(validate({chk("json_field_equals", "/s", "ok")}), "plain string"));
  TaskRecord rubric_task;
  rubric_task.id = "r";
  rubric_task.judge.kind = ReferenceKind::kRubric;
  EXPECT_TRUE(has(judge_->validate(rubric_task), "scores this task 0"));
}

}  // namespace
