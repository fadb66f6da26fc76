#include <gtest/gtest.h>
#include <stdlib.h>

#include "host/pipeline_spec.hpp"

using namespace skillpipe::host;

namespace {
const char* kGood = R"(skillpipe: 1
name: demo
plugin_path: [plugins]
store:
  plugin: store_files
  config: {root: "~/store"}
backends:
  llm:
    plugin: backend_mock
    config: {model: m}
stages:
  - id: claude
    plugin: harvest_claude
    config:
      lookback_hours: 24
      ratio: 0.5
      quoted: "24"
      enabled: true
      nothing: null
  - id: mine
    plugin: mine_tasks
    inputs: [claude]
    on_record_error: fail
    max_record_errors: 3
)";
}

TEST(PipelineSpec, ParsesComponentsWithTypedConfigAndMarks) {
  setenv("HOME", "/home/u", 1);
  auto r = parse_pipeline_text(kGood, "/tmp/p/nightly.yaml");
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].format();
  const auto& s = r.spec;
  EXPECT_EQ(s.format, 1);
  EXPECT_EQ(s.name, "demo");
  EXPECT_EQ(s.plugin_path, std::vector<std::string>{"/tmp/p/plugins"});
  ASSERT_TRUE(s.store);
  EXPECT_EQ(s.store->config_json, R"({"root":"/home/u/store"})");
  ASSERT_EQ(s.backends.size(), 1u);
  EXPECT_EQ(s.backends[0].id, "llm");
  ASSERT_EQ(s.stages.size(), 2u);
  EXPECT_EQ(s.stages[0].config_json,
            R"({"lookback_hours":24,"ratio":0.5,"quoted":"24","enabled":true,"nothing":null})");
  EXPECT_EQ(s.stages[0].mark.line, 12);
  EXPECT_EQ(s.stages[0].config_marks.at("/ratio").line, 16);
  EXPECT_EQ(s.stages[0].config_marks.at("/ratio").col, 14);
  ASSERT_EQ(s.stages[1].inputs.size(), 1u);
  EXPECT_EQ(s.stages[1].inputs[0].first, "claude");
  EXPECT_EQ(s.stages[1].inputs[0].second.line, 22);
  EXPECT_EQ(s.stages[1].on_record_error, "fail");
  EXPECT_EQ(s.stages[1].max_record_errors, 3);
}

TEST(PipelineSpec, MalformedYamlReportsLineAndColumn) {
  auto r = parse_pipeline_text("skillpipe: 1\nstages:\n  - id: a\n    plugin: [unclosed\n", "bad.yaml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].file, "bad.yaml");
  EXPECT_GE(r.errors[0].mark.line, 4);
  EXPECT_NE(r.errors[0].format().find("bad.yaml:"), std::string::npos);
  EXPECT_NE(r.errors[0].message.find("malformed YAML"), std::string::npos);
}

TEST(PipelineSpec, StructuralErrorsAreAllCollected) {
  auto r = parse_pipeline_text(R"(skillpipe: 2
bogus: 1
stages:
  - plugin: x
    colour: red
  - id: 9bad
    plugin: y
    on_record_error: maybe
)",
                               "p.yaml");
  std::vector<std::string> msgs;
  for (const auto& e : r.errors) msgs.push_back(e.format());
  ASSERT_EQ(msgs.size(), 6u) << ::testing::PrintToString(msgs);
  EXPECT_NE(msgs[0].find("p.yaml:2:1: /bogus: unknown top-level key"), std::string::npos) << msgs[0];
  EXPECT_NE(msgs[1].find("p.yaml:1:12: /skillpipe: unsupported pipeline format '2'"), std::string::npos) << msgs[1];
  EXPECT_NE(msgs[2].find("/stages/0/colour: unknown key 'colour'"), std::string::npos) << msgs[2];
  EXPECT_NE(msgs[3].find("/stages/0/id: missing required key 'id'"), std::string::npos) << msgs[3];
  EXPECT_NE(msgs[4].find("p.yaml:6:9: /stages/1/id: invalid stage id"), std::string::npos) << msgs[4];
  EXPECT_NE(msgs[5].find("p.yaml:8:22: /stages/1/on_record_error: expected 'skip' or 'fail'"), std::string::npos);
}

TEST(PipelineSpec, OverridesSwapPluginsAndSetConfig) {
  auto r = parse_pipeline_text(kGood, "/tmp/p/nightly.yaml",
                               {"stages.mine.plugin=mine_other", "stages.claude.lookback_hours=0",
                                "stages.claude.config.extra.deep=x", "backends.llm.model=big", "store.root=/s"});
  ASSERT_TRUE(r.errors.empty()) << r.errors[0].format();
  EXPECT_EQ(r.spec.stages[1].plugin, "mine_other");
  EXPECT_NE(r.spec.stages[0].config_json.find(R"("lookback_hours":0)"), std::string::npos);
  EXPECT_NE(r.spec.stages[0].config_json.find(R"("extra":{"deep":"x"})"), std::string::npos);
  EXPECT_EQ(r.spec.backends[0].config_json, R"({"model":"big"})");
  EXPECT_EQ(r.spec.store->config_json, R"({"root":"/s"})");
  auto bad = parse_pipeline_text(kGood, "p.yaml", {"stages.nosuch.x=1", "novalue"});
  EXPECT_EQ(bad.errors.size(), 2u);
}
