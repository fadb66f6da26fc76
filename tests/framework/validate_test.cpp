#include <gtest/gtest.h>

#include "host/validate.hpp"

using namespace skillpipe::host;

namespace {

std::vector<std::string> validate(const std::string& yaml) {
  auto r = parse_pipeline_text(yaml, "v.yaml");
  PluginRegistry reg({FX_GOOD_DIR});
  auto errors = r.errors;
  validate_pipeline(r.spec, reg, errors);
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.format());
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& needle) {
  for (const auto& s : v)
    if (s.find(needle) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST(Validate, GoodPipelinePasses) {
  auto errs = validate(R"(skillpipe: 1
backends:
  echo: {plugin: fx_backend, config: {model: m}}
stages:
  - {id: h, plugin: fx_harvest, config: {count: 2}}
  - {id: m, plugin: fx_miner, inputs: [h]}
  - {id: j, plugin: fx_judge, inputs: [m]}
  - {id: c, plugin: fx_consolidate, inputs: [h, m, j]}
)");
  EXPECT_TRUE(errs.empty()) << ::testing::PrintToString(errs);
}

TEST(Validate, ReportsEveryErrorInOneRun) {
  auto errs = validate(R"(skillpipe: 1
backends:
  echo: {plugin: fx_backend, config: {}}
stages:
  - id: h
    plugin: fx_harvest
    config:
      count: many
      colour: red
  - {id: h, plugin: fx_miner, inputs: [h]}
  - {id: nope, plugin: no_such_plugin}
  - {id: m, plugin: fx_miner, inputs: [ghost, j]}
  - {id: j, plugin: fx_judge, inputs: [m], config: {backend: missing_llm}}
  - {id: c, plugin: fx_consolidate, inputs: [c2]}
  - {id: c2, plugin: fx_consolidate, inputs: [c]}
  - {id: e, plugin: fx_backend}
  - {id: twice, plugin: fx_miner, inputs: [h, h]}
)");
  // unknown key, wrong type is hidden behind the unknown key for that config; duplicate id;
  // unknown plugin; unresolved input; kind mismatch (judge -> miner); missing backend; cycle;
  // backend used as a stage; missing required key in the backend config.
  EXPECT_TRUE(has(errs, "v.yaml:9:15: /stages/0/config/colour: config for plugin 'fx_harvest': unknown key 'colour'"))
      << ::testing::PrintToString(errs);
  EXPECT_TRUE(has(errs, "/stages/1/id: duplicate stage id 'h'"));
  EXPECT_TRUE(has(errs, "/stages/2/plugin: unknown plugin 'no_such_plugin'"));
  EXPECT_TRUE(has(errs, "/stages/3/inputs/0: input 'ghost' of stage 'm' does not match any stage id"));
  EXPECT_TRUE(has(errs, "/stages/3/inputs/1: record kind mismatch: 'j' (judge) produces a judge, but 'm' (miner) takes session digests"));
  EXPECT_TRUE(has(errs, "/stages/4/config/backend: backend 'missing_llm' is not defined"));
  EXPECT_TRUE(has(errs, "cycle: "));
  EXPECT_TRUE(has(errs, "plugin 'fx_backend' is a backend, which cannot be used as a pipeline stage"));
  EXPECT_TRUE(has(errs, "/backends/echo/config/model: config for plugin 'fx_backend': missing required key 'model'"));
  EXPECT_TRUE(has(errs, "/stages/8/inputs/1: input 'h' of stage 'twice' is listed twice; remove this one"));
  EXPECT_GE(errs.size(), 10u);
}

TEST(Validate, ConfigWrongTypeAndRangeNameTheKey) {
  auto errs = validate(R"(skillpipe: 1
stages:
  - id: h
    plugin: fx_harvest
    config: {count: many}
  - id: h2
    plugin: fx_harvest
    config: {count: -1}
)");
  ASSERT_EQ(errs.size(), 2u) << ::testing::PrintToString(errs);
  EXPECT_NE(errs[0].find("v.yaml:5:21: /stages/0/config/count: config for plugin 'fx_harvest': expected integer, got a string"), std::string::npos) << errs[0];
  EXPECT_NE(errs[1].find("/stages/1/config/count"), std::string::npos) << errs[1];
  EXPECT_NE(errs[1].find(">= 0"), std::string::npos) << errs[1];
}

TEST(Validate, RefusedPluginGivesExitThreeUnknownGivesTwo) {
  auto r = parse_pipeline_text("skillpipe: 1\nstages:\n  - {id: a, plugin: fx_bad_abi_major}\n", "v.yaml");
  PluginRegistry reg({FX_BAD_DIR});
  std::vector<Diagnostic> errors;
  validate_pipeline(r.spec, reg, errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(exit_code_for(errors), 3);
  auto r2 = parse_pipeline_text("skillpipe: 1\nstages:\n  - {id: a, plugin: nothing_here}\n", "v.yaml");
  std::vector<Diagnostic> errors2;
  validate_pipeline(r2.spec, reg, errors2);
  EXPECT_EQ(exit_code_for(errors2), 2);
}
