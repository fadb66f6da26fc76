// Reading optimizer replies defensively: shapes, fences, prose, garbage, budget, ops.
#include "reflect_reply.hpp"

#include <gtest/gtest.h>

namespace skillpipe::consolidate_reflect {
namespace {

TEST(NightReply, ReadsTheMockShape) {
  auto r = parse_reflect_reply(
      R"({"edits":[{"target":"skill","op":"add","content":"Always wrap the final answer.","rationale":"r","kind":"skill_defect"}]})",
      EditTarget::kSkill, 4);
  ASSERT_TRUE(r.ok);
  ASSERT_EQ(r.edits.size(), 1u);
  EXPECT_EQ(r.edits[0].op, EditOp::kAdd);
  EXPECT_EQ(r.edits[0].content, "Always wrap the final answer.");
  EXPECT_EQ(r.edits[0].rationale, "r");
  EXPECT_EQ(r.edits[0].kind, EditKind::kSkillDefect);
  EXPECT_EQ(r.edits[0].status, EditStatus::kProposed);
}

TEST(NightReply, FencedJsonAfterProseAndBareArrays) {
  auto fenced = parse_reflect_reply(
      "Here are my edits:\n```json\n[{\"op\":\"Replace\",\"anchor\":\"old rule\",\"content\":\"new rule\","
      "\"kind\":\"EXECUTION-LAPSE\"}]\n```\nHope this helps!",
      EditTarget::kMemory, 4);
  ASSERT_TRUE(fenced.ok);
  ASSERT_EQ(fenced.edits.size(), 1u);
  EXPECT_EQ(fenced.edits[0].op, EditOp::kReplace);
  EXPECT_EQ(fenced.edits[0].target, EditTarget::kMemory);
  EXPECT_EQ(fenced.edits[0].kind, EditKind::kExecutionLapse);
  auto prose = parse_reflect_reply(
      "Sure. {\"edits\": [{\"op\": \"insert-after\", \"anchor\": \"## Build\", "
      "\"content\": \"Run make first.\"}]} That is all.",
      EditTarget::kSkill, 4);
  ASSERT_TRUE(prose.ok);
  EXPECT_EQ(prose.edits.at(0).op, EditOp::kInsertAfter);
  auto single = parse_reflect_reply(R"({"op":"append","content":"A new section."})", EditTarget::kSkill, 4);
  ASSERT_TRUE(single.ok);
  EXPECT_EQ(single.edits.at(0).op, EditOp::kAppend);
}

TEST(NightReply, GarbageIsNotUsableButAnEmptyListIs) {
  for (const char* bad : {"", "   ", "I think you should add a rule about tests.", "{\"edits\": 3}", "{broken json",
                          "[1, 2", "{\"foo\": \"bar\"}"}) {
    auto r = parse_reflect_reply(bad, EditTarget::kSkill, 4);
    EXPECT_FALSE(r.ok) << bad;
    EXPECT_FALSE(r.error.empty());
  }
  auto empty = parse_reflect_reply("{\"edits\": []}", EditTarget::kSkill, 4);
  EXPECT_TRUE(empty.ok);
  EXPECT_TRUE(empty.edits.empty());
}

TEST(NightReply, BudgetUnknownOpsAndEmptyEntries) {
  auto r = parse_reflect_reply(
      R"({"edits":[
        {"op":"add","content":"one"},
        {"op":"frobnicate","content":"two"},
        {"op":"add","content":"   "},
        "not an object",
        {"op":"delete","anchor":"old rule"},
        {"op":"add","content":"four", "target":"memory"},
        {"op":"add","content":"five"}]})",
      EditTarget::kSkill, 3);
  ASSERT_TRUE(r.ok);
  EXPECT_EQ(r.dropped, 2);
  EXPECT_EQ(r.retargeted, 1);
  ASSERT_EQ(r.edits.size(), 5u);
  EXPECT_EQ(r.edits[1].status, EditStatus::kUnknownOp);
  EXPECT_NE(r.edits[1].rationale.find("frobnicate"), std::string::npos);
  EXPECT_EQ(r.edits[2].op, EditOp::kDelete);
  EXPECT_EQ(r.edits[3].target, EditTarget::kSkill);  // the request's target wins
  EXPECT_EQ(r.edits[3].status, EditStatus::kOverBudget);
  EXPECT_EQ(r.edits[4].status, EditStatus::kOverBudget);
}

}  // namespace
}  // namespace skillpipe::consolidate_reflect
