// Configuration checks the schema cannot express, and the reflect template override.
#include "settings.hpp"

#include <gtest/gtest.h>

#include "skillpipe/errors.hpp"
#include "test_support.hpp"

namespace skillpipe::consolidate_reflect {
namespace {

TEST(NightSettings, Defaults) {
  const Settings s = parse_settings(Config::parse("{}"), "");
  EXPECT_EQ(s.skill_name, "skillpipe-learned");
  EXPECT_EQ(s.targets, (std::vector<Target>{{Agent::kClaude, DocKind::kSkill}, {Agent::kClaude, DocKind::kMemory}}));
  EXPECT_EQ(s.edit_budget, 4);
  EXPECT_EQ(s.gate.metric, "mixed");
  EXPECT_DOUBLE_EQ(s.gate.mixed_weight, 0.5);
  // Never worse by default (issue 14): each of these fails if a default regresses.
  EXPECT_TRUE(s.gate.no_regression);
  EXPECT_DOUBLE_EQ(s.gate.regression_margin, 0.0);
  EXPECT_EQ(s.gate.mode, "statistical");
  EXPECT_EQ(s.gate.test, "permutation");
  EXPECT_EQ(s.gate.min_val, 8);
  EXPECT_EQ(s.gate.samples, 3);
  EXPECT_TRUE(s.salvage_edits);  // as the schema and docs/plugins-reference.md say
  EXPECT_TRUE(s.prune_edits);
  EXPECT_EQ(s.carry_nights, 2);
  EXPECT_EQ(s.reflect_template, kDefaultReflectTemplate);
}

TEST(NightSettings, TemplatePlaceholdersAreValidatedWhenThePipelineLoads) {
  testing::TempDir dir;
  testing::write_text(dir.file("good.md"), "Fix {{target}}: {{failures}} budget {{ edit_budget }}");
  testing::write_text(dir.file("typo.md"), "{{failures}} and {{failrues}} and {{docment}}");
  testing::write_text(dir.file("nofail.md"), "just {{document}}");
  const Settings s = parse_settings(Config::parse(R"({"reflect_template": "good.md"})"), dir.path());
  EXPECT_EQ(s.reflect_template_path, dir.file("good.md"));
  try {
    parse_settings(Config::parse(R"({"reflect_template": "typo.md"})"), dir.path());
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("{{failrues}}, {{docment}}"), std::string::npos) << e.what();
    EXPECT_EQ(e.pointer(), "/reflect_template");
  }
  EXPECT_THROW(parse_settings(Config::parse(R"({"reflect_template": "nofail.md"})"), dir.path()), ConfigError);
  EXPECT_THROW(parse_settings(Config::parse(R"({"reflect_template": "missing.md"})"), dir.path()), ConfigError);
}

TEST(NightSettings, RejectsWhatTheSchemaCannot) {
  EXPECT_THROW(parse_settings(Config::parse(R"({"skill_name": "Not A Name"})"), ""), ConfigError);
  EXPECT_THROW(parse_settings(Config::parse(R"({"max_edit_chars": 500, "max_region_chars": 400})"), ""), ConfigError);
  EXPECT_THROW(parse_settings(Config::parse(R"({"multi_objective": {"enabled": true, "w_accuracy": 0}})"), ""),
               ConfigError);
}

}  // namespace
}  // namespace skillpipe::consolidate_reflect
