// The reflection prompt: every section, bounds, redaction, and the template override.
#include "reflect_prompt.hpp"

#include <gtest/gtest.h>

#include "settings.hpp"

namespace skillpipe::consolidate_reflect {
namespace {

PromptInput sample_input() {
  PromptInput in;
  in.target = EditTarget::kSkill;
  in.document = "---\nname: x\n---\nBody";
  for (int i = 0; i < 10; ++i)
    in.evidence.failures.push_back({"t" + std::to_string(i),
                                    "Give the arXiv id " + std::to_string(i),
                                    "approximately arXiv:1706.037 (format not applied)",
                                    "the response must contain the reference answer",
                                    {"rule:arxiv-id"}});
  in.evidence.successes.push_back({"Say hi", "hi"});
  add_criteria(in.evidence.criteria, {"the ENTIRE response must be at most 80 characters long", "starts with #"});
  add_criteria(in.evidence.criteria, {"the ENTIRE response must be at most 80 characters long"});
  in.evidence.contract = "Reply in French. Output JSON.";
  in.rejected = {"Ignore formatting."};
  in.preferences = "Prefer British spelling.";
  in.edit_budget = 3;
  in.max_failures = 8;
  return in;
}

TEST(NightPrompt, HasEverySectionBounded) {
  const std::string p = build_reflect_prompt(kDefaultReflectTemplate, sample_input());
  EXPECT_NE(p.find("at most 80 characters long (failed in 2 tasks)"), std::string::npos) << p;
  EXPECT_NE(p.find("starts with # (failed in 1 task)"), std::string::npos);
  EXPECT_NE(p.find("1. wanted: Give the arXiv id 0"), std::string::npos);
  EXPECT_NE(p.find("8. wanted: Give the arXiv id 7"), std::string::npos);
  EXPECT_EQ(p.find("9. wanted"), std::string::npos);
  EXPECT_NE(p.find("(2 more failures not shown)"), std::string::npos);
  EXPECT_NE(p.find("answer: hi"), std::string::npos);
  EXPECT_NE(p.find("Prefer British spelling."), std::string::npos);
  EXPECT_NE(p.find("Task output contract"), std::string::npos);
  EXPECT_NE(p.find("Reply in French"), std::string::npos);
  EXPECT_NE(p.find("do not propose them again):\n- Ignore formatting."), std::string::npos);
  EXPECT_NE(p.find("at most 3 edits"), std::string::npos);
  EXPECT_NE(p.find("\"target\":\"skill\""), std::string::npos);
  EXPECT_NE(p.find("execution_lapse"), std::string::npos);
  EXPECT_EQ(p.find("{{"), std::string::npos);
}

TEST(NightPrompt, ShowsWhereTheSkillDidAndDidNotTriggerAndOffersTheDescriptionEdit) {
  PromptInput in = sample_input();
  EXPECT_EQ(build_reflect_prompt(kDefaultReflectTemplate, in).find("Triggering:"), std::string::npos)
      << "no section without agentic replays";
  TriggerExamples ex;
  ex.stats.skill = "x";
  ex.stats.agentic = ex.stats.should = 2;
  ex.stats.should_not = ex.stats.false_triggers = 1;
  ex.missed = {"refresh the generated files", "deploy with key sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789ABCDEF"};
  ex.stray = {"list the project's folders"};
  in.evidence.triggering = ex;
  const std::string p = build_reflect_prompt(kDefaultReflectTemplate, in);
  EXPECT_NE(p.find("On the train replays skill x had recall 0.00 (0 of 2), precision 0.00 (0 of 1 invocations)"),
            std::string::npos)
      << p;
  EXPECT_NE(p.find("did NOT invoke it (low recall):\n- refresh the generated files\n"), std::string::npos);
  EXPECT_NE(p.find("invoked it anyway (low precision):\n- list the project's folders\n"), std::string::npos);
  EXPECT_NE(p.find("propose one set_description edit"), std::string::npos);
  EXPECT_NE(p.find("at most 1024 characters"), std::string::npos);
  EXPECT_EQ(p.find("abcdefghijklmnopqrstuvwxyz0123456789"), std::string::npos) << "intents are redacted";
  in.target = EditTarget::kMemory;
  EXPECT_EQ(build_reflect_prompt(kDefaultReflectTemplate, in).find("Triggering:"), std::string::npos)
      << "a memory document has no description";
}

TEST(NightPrompt, ExcerptsAreCutAndSecretsRedacted) {
  PromptInput in = sample_input();
  in.excerpt_chars = 50;
  in.evidence.failures[0].response = std::string(500, 'y');
  in.evidence.failures[0].intent = "deploy with key sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH now";
  const std::string p = build_reflect_prompt(kDefaultReflectTemplate, in);
  EXPECT_EQ(p.find(std::string(60, 'y')), std::string::npos);
  EXPECT_EQ(p.find("abcdefghijklmnopqrstuvwxyz0123456789"), std::string::npos);
  EXPECT_NE(p.find("[REDACTED"), std::string::npos);
}

TEST(NightPrompt, EmptySectionsDisappear) {
  PromptInput in;
  in.evidence.failures.push_back({"t", "wanted", "got", "", {}});
  const std::string p = build_reflect_prompt(kDefaultReflectTemplate, in);
  EXPECT_EQ(p.find("Successes"), std::string::npos);
  EXPECT_EQ(p.find("rejected on earlier nights"), std::string::npos);
  EXPECT_EQ(p.find("User preferences"), std::string::npos);
  EXPECT_NE(p.find("why: (no reason given)"), std::string::npos);
  EXPECT_NE(p.find("(empty)"), std::string::npos);
}

TEST(NightPrompt, ContrastShowsGoodAndBadSideBySide) {
  PromptInput in = sample_input();
  in.evidence.contrasts.push_back(
      {"Write the commit message", "Add login form", "added a login form thing", "not imperative", 1.0, 0.25});
  const std::string p = build_reflect_prompt("{{failures}}{{contrast}}", in);
  EXPECT_NE(p.find("GOOD (score 1.0000): Add login form"), std::string::npos) << p;
  EXPECT_NE(p.find("BAD (score 0.2500): added a login form thing"), std::string::npos);
  EXPECT_NE(p.find("why bad: not imperative"), std::string::npos);
}

}  // namespace
}  // namespace skillpipe::consolidate_reflect
