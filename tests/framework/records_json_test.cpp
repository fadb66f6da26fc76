#include <gtest/gtest.h>

#include "skillpipe/errors.hpp"
#include "skillpipe/json.hpp"

using namespace skillpipe;

namespace {

SessionDigest sample_digest() {
  SessionDigest d;
  d.session_id = "s1";
  d.source = "claude";
  d.project = "/home/me/app";
  d.git_branch = "main";
  d.started_at = "2026-01-02T03:04:05Z";
  d.ended_at = "2026-01-02T04:00:00Z";
  d.user_prompts = {"fix the \"flaky\" test\nplease", "thanks"};
  d.assistant_finals = {"Done. ✓"};
  d.tools_used = {"Bash", "Edit"};
  d.skills_used = {"pdf"};
  d.files_touched = {"src/a.cpp"};
  d.feedback_signals = {{1, "positive", "thanks"}};
  d.n_user_turns = 2;
  d.n_assistant_turns = 3;
  d.usage = {100, 200, 5, 6};
  d.raw_path = "/x.jsonl";
  d.attrs = {{"version", "2.1.3"}};
  return d;
}

TaskRecord sample_task() {
  TaskRecord t;
  t.id = "t1";
  t.intent = "summarize";
  t.outcome = Outcome::kMixed;
  t.reference_kind = ReferenceKind::kRule;
  t.judge.kind = "rule";
  RuleCheck group{"any_of", "", "", false, {{"contains", "x", "", true, {}}, {"max_chars", "280", "", false, {}}}};
  t.judge.checks = {group};
  t.tags = {"rule:a", "wrap-answer"};
  t.split = Split::kVal;
  t.origin = Origin::kDream;
  t.derived_from = "t0";
  t.attrs = {{"k", "v"}};
  return t;
}

}  // namespace

TEST(RecordsJson, DigestRoundTrip) {
  const auto d = sample_digest();
  const std::string j = to_json(d);
  EXPECT_NE(j.find("\"schema\":1"), std::string::npos);
  EXPECT_EQ(record_from_json<SessionDigest>(j), d);
}

TEST(RecordsJson, TaskRoundTripWithNestedChecks) {
  const auto t = sample_task();
  EXPECT_EQ(record_from_json<TaskRecord>(to_json(t)), t);
}

TEST(RecordsJson, ReplayVerdictEditDocumentProposalRoundTrip) {
  ReplayResult r{"t1", "baseline", 2, "resp", {"Bash"}, 10, 20, 1.5, 0.01, true, ""};
  EXPECT_EQ(record_from_json<ReplayResult>(to_json(r)), r);
  Verdict v{"t1", "judge_rule", "baseline", 1, 1.0, 0.5, "why", {"must contain x"}};
  EXPECT_EQ(record_from_json<Verdict>(to_json(v)), v);
  Edit e{EditTarget::kMemory, EditOp::kInsertAfter, "c", "a", "r", EditKind::kExecutionLapse, "applied", "CLAUDE.md"};
  EXPECT_EQ(record_from_json<Edit>(to_json(e)), e);
  SkillDocument s{"n", "/p", "text", "abc"};
  EXPECT_EQ(record_from_json<SkillDocument>(to_json(s)), s);
  Proposal p{"n", "claude_skill", "/p", "old", "h", "new", "accepted", {"gate"}};
  EXPECT_EQ(record_from_json<Proposal>(to_json(p)), p);
}

TEST(RecordsJson, NightReportRoundTripKeepsMissingScoresMissing) {
  NightReport n;
  n.project = "/p";
  n.counts = {{"sessions", 3}};
  n.baseline_val = 0.25;
  n.gate_action = "accept";
  n.deltas = {{"t1", "val", 0, 1}};
  n.accepted_edits = {Edit{}};
  n.proposals = {Proposal{}};
  n.tokens = {1, 2, 3, 4};
  n.timings_s = {{"total", 1.5}};
  n.metrics = {{"ci_low", 0.1}};
  auto back = record_from_json<NightReport>(to_json(n));
  EXPECT_EQ(back, n);
  EXPECT_FALSE(back.candidate_val.has_value());
  EXPECT_EQ(record_from_json<NightReport>(to_json_pretty(n)), n);
}

TEST(RecordsJson, UnknownFieldsAreIgnored) {
  auto d = record_from_json<SessionDigest>(
      R"({"schema":3,"session_id":"s","future_field":{"a":[1,2]},"user_prompts":["p"],"another":true})");
  EXPECT_EQ(d.session_id, "s");
  EXPECT_EQ(d.user_prompts.size(), 1u);
}

TEST(RecordsJson, WrongTypeNamesTheField) {
  try {
    record_from_json<SessionDigest>(R"({"session_id":"s","user_prompts":[1]})");
    FAIL();
  } catch (const RecordError& e) {
    EXPECT_NE(std::string(e.what()).find("/user_prompts/0"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("expected a string"), std::string::npos);
  }
  EXPECT_THROW(record_from_json<TaskRecord>(R"({"split":"holdout"})"), RecordError);
  EXPECT_THROW(record_from_json<TaskRecord>(R"({"id": "t", )"), RecordError);
  EXPECT_THROW(record_from_json<TaskRecord>("[1,2]"), RecordError);
}

TEST(RecordsJson, InvalidUtf8IsRepairedOnWrite) {
  SessionDigest d;
  d.user_prompts = {std::string("bad \xff byte")};
  const auto back = record_from_json<SessionDigest>(to_json(d));
  EXPECT_EQ(back.user_prompts[0], "bad \xEF\xBF\xBD byte");
}
