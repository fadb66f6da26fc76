// Records read from JSON someone else wrote: unknown fields and enum values, wrong types,
// hostile nesting, bytes that are not UTF-8. Each is a located RecordError or a documented
// reading, never a crash and never a silent wrong value.
#include <gtest/gtest.h>

#include <string>

#include "skillpipe/errors.hpp"
#include "skillpipe/json.hpp"

using namespace skillpipe;

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

TEST(RecordsJson, NestingPastTheLimitIsARecordErrorNotACrash) {
  const std::string deep = R"({"session_id":"s","extra":)" + std::string(100000, '[') + std::string(100000, ']') + "}";
  try {
    record_from_json<SessionDigest>(deep);
    FAIL();
  } catch (const RecordError& e) {
    EXPECT_NE(std::string(e.what()).find("nested deeper than 256 levels"), std::string::npos) << e.what();
  }
  // Brackets inside strings are text, not nesting.
  const std::string text = R"({"session_id":")" + std::string(1000, '[') + R"(\"]"})";
  EXPECT_EQ(record_from_json<SessionDigest>(text).session_id, std::string(1000, '[') + "\"]");
}

TEST(RecordsJson, InvalidUtf8IsRepairedOnWrite) {
  SessionDigest d;
  d.user_prompts = {std::string("bad \xff byte")};
  const auto back = record_from_json<SessionDigest>(to_json(d));
  EXPECT_EQ(back.user_prompts[0], "bad \xEF\xBF\xBD byte");
}

TEST(RecordsJson, UnknownEnumTextIsALocatedError) {
  auto expect_error = [](auto record, const std::string& json, const std::string& where, const std::string& listed) {
    try {
      from_json(json, record);
      ADD_FAILURE() << json;
    } catch (const RecordError& e) {
      const std::string w = e.what();
      EXPECT_NE(w.find("field " + where + ": unknown value"), std::string::npos) << w;
      EXPECT_NE(w.find(listed), std::string::npos) << w;
    }
  };
  expect_error(NightReport{}, R"({"gate_action":"acept"})", "/gate_action", "expected one of: accept, reject,");
  expect_error(NightReport{}, R"({"deltas":[{"task_id":"t","split":"holdout"}]})", "/deltas/0/split", "train, val, test");
  expect_error(NightReport{}, R"({"proposals":[{"name":"n","target":"claude_skil"}]})", "/proposals/0/target",
               "claude_skill, claude_memory, codex_skill");
  expect_error(Proposal{}, R"({"status":"adopted"})", "/status", "accepted, unverified, quarantined, draft");
  expect_error(Edit{}, R"({"status":"maybe"})", "/status", "proposed, applied");
  expect_error(TaskRecord{}, R"({"judge":{"kind":"vibes"}})", "/judge/kind", "exact, rubric, rule, none");
}

TEST(RecordsJson, UnknownRuleOpsKeepTheirText) {
  // Rule checks are the one place unknown text is kept: the rule language promises that a
  // task file written for a newer judge still loads (validation warns, judge_rule passes it).
  const auto c = record_from_json<RuleCheck>(R"({"op":"frobnicate","arg":"x"})");
  EXPECT_EQ(c.op, RuleOp::kUnknown);
  EXPECT_EQ(c.unknown_op, "frobnicate");
  EXPECT_EQ(record_from_json<RuleCheck>(to_json(c)), c);
  EXPECT_NE(to_json(c).find("\"op\":\"frobnicate\""), std::string::npos);
  const auto known = record_from_json<RuleCheck>(R"J({"op":"command_ran","arg":"^make( |$)"})J");
  EXPECT_EQ(known.op, RuleOp::kCommandRan);
  EXPECT_TRUE(known.unknown_op.empty());
}

TEST(RecordsJson, EmptyEnumTextReadsAsNotSet) {
  // 0.1 wrote "" for "not decided": those records still load.
  const auto n = record_from_json<NightReport>(
      R"({"gate_action":"","accepted_edits":[{"status":""}],"proposals":[{"name":"x","target":"codex_skill","status":""}]})");
  EXPECT_FALSE(n.gate_action.has_value());
  EXPECT_EQ(n.accepted_edits.at(0).status, EditStatus::kProposed);
  EXPECT_EQ(n.proposals.at(0).status, ProposalStatus::kDraft);
  EXPECT_EQ(n.proposals.at(0).target, (Target{Agent::kCodex, DocKind::kSkill}));
  const auto t = record_from_json<TaskRecord>(R"({"id":"t","judge":{"kind":"","checks":[]}})");
  EXPECT_EQ(t.judge.kind, ReferenceKind::kNone);
}
