// Strict pipeline files: what yaml-cpp would accept silently (repeated keys, a second
// document, alias bombs, numbers out of range, overrides that paper over a broken block) is
// an error with its place, and no input crashes, hangs or fills memory.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>

#include "host/pipeline_spec.hpp"
#include "test_support.hpp"

using namespace skillpipe::host;
using skillpipe::testing::TempDir;

namespace {

const char* kBase = R"(skillpipe: 1
store:
  plugin: store_files
  config: {root: /tmp/s}
backends:
  llm: {plugin: backend_mock, config: {model: m}}
stages:
  - id: h
    plugin: harvest_claude
    config:
      lookback_hours: 24
)";

std::string all(const ParseResult& r) {
  std::string out;
  for (const auto& e : r.errors) out += e.format() + "\n";
  return out;
}

bool has(const ParseResult& r, const std::string& text) { return all(r).find(text) != std::string::npos; }

}  // namespace

TEST(PipelineStrict, ADuplicateKeyIsAnErrorNamingBothPlaces) {
  const auto r = parse_pipeline_text("skillpipe: 1\nstages:\n  - {id: a, plugin: x}\nstages:\n  - {id: b, plugin: y}\n",
                                     "p.yaml");
  ASSERT_EQ(r.errors.size(), 1u) << all(r);
  EXPECT_TRUE(has(r, "p.yaml:4:1: duplicate key 'stages' (first at 2:1)")) << all(r);
  const auto nested = parse_pipeline_text(std::string(kBase) + "      lookback_hours: 48\n", "p.yaml");
  EXPECT_TRUE(has(nested, "p.yaml:12:7: duplicate key 'lookback_hours' (first at 11:7)")) << all(nested);
  // The same key in two different mappings is fine.
  EXPECT_TRUE(parse_pipeline_text("skillpipe: 1\nstages:\n  - {id: a, plugin: x, config: {k: 1}}\n"
                                  "  - {id: b, plugin: x, config: {k: 1}}\n",
                                  "p.yaml")
                  .errors.empty());
}

TEST(PipelineStrict, ASecondDocumentIsAnError) {
  const auto r = parse_pipeline_text(std::string(kBase) + "---\nskillpipe: 1\nstages: []\n", "p.yaml");
  ASSERT_EQ(r.errors.size(), 1u) << all(r);
  EXPECT_TRUE(has(r, "p.yaml:12:1: a second YAML document starts here")) << all(r);
}

TEST(PipelineStrict, AnAliasBombEndsQuicklyWithALocatedError) {
  std::string bomb = "skillpipe: 1\nx0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i <= 9; ++i) {
    const std::string prev = "*x" + std::to_string(i - 1);
    bomb += "x" + std::to_string(i) + ": &x" + std::to_string(i) + " [" + prev;
    for (int k = 1; k < 10; ++k) bomb += ", " + prev;
    bomb += "]\n";
  }
  bomb += "stages:\n  - {id: a, plugin: x, config: {all: *x9}}\n";  // 10^10 nodes expanded
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = parse_pipeline_text(bomb, "bomb.yaml");
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_LT(secs, 2.0);
  ASSERT_EQ(r.errors.size(), 1u) << all(r);
  EXPECT_TRUE(has(r, "bomb.yaml:")) << all(r);
  EXPECT_TRUE(has(r, "nodes once its aliases (*name) are expanded")) << all(r);
  // A few aliases, as people really use them, are fine.
  EXPECT_TRUE(parse_pipeline_text("skillpipe: 1\nbase: &b {lookback_hours: 3}\n"
                                  "stages:\n  - {id: a, plugin: x, config: *b}\n  - {id: c, plugin: x, config: *b}\n",
                                  "p.yaml")
                  .errors.size() == 1u);  // only the unknown top-level key `base`
}

TEST(PipelineStrict, DeepNestingIsRefusedNotRecursedInto) {
  const std::string deep = "skillpipe: 1\nstages: " + std::string(100000, '[') + std::string(100000, ']') + "\n";
  const auto r = parse_pipeline_text(deep, "deep.yaml");
  ASSERT_EQ(r.errors.size(), 1u) << all(r);
  EXPECT_TRUE(has(r, "deep.yaml:2:")) << all(r);
  EXPECT_TRUE(has(r, "nest deeper than 64 levels")) << all(r);
}

TEST(PipelineStrict, AnEmptyPluginNameIsAnError) {
  const auto r = parse_pipeline_text("skillpipe: 1\nstages:\n  - {id: a, plugin: ''}\n", "p.yaml");
  ASSERT_EQ(r.errors.size(), 1u) << all(r);
  EXPECT_TRUE(has(r, "p.yaml:3:21: /stages/0/plugin: the plugin name is empty")) << all(r);
}

TEST(PipelineStrict, NumbersOutOfRangeAreLocatedErrorsNotCrashes) {
  const std::string huge(100000, '9');
  auto r = parse_pipeline_text(std::string(kBase) + "      big: " + huge + "\n", "p.yaml");
  ASSERT_EQ(r.errors.size(), 1u) << all(r).substr(0, 400);
  EXPECT_TRUE(has(r, "p.yaml:12:12: /stages/0/config/big: the number 99999999")) << all(r).substr(0, 400);
  EXPECT_TRUE(has(r, "(100000 characters) is out of range"));
  // Through --set the error names the override, not a line of the file.
  r = parse_pipeline_text(kBase, "p.yaml", {"stages.h.lookback_hours=1e400"});
  ASSERT_EQ(r.errors.size(), 1u) << all(r);
  EXPECT_EQ(r.errors[0].file, "override 'stages.h.lookback_hours=1e400'");
  EXPECT_EQ(r.errors[0].pointer, "/stages/0/config/lookback_hours");
  r = parse_pipeline_text(kBase, "p.yaml", {"stages.h.lookback_hours=" + huge});
  EXPECT_EQ(r.errors.size(), 1u);
  // In range: an int past int64 is a float (YAML 1.2); 1e300 and -0.5e-3 are plain numbers.
  r = parse_pipeline_text(kBase, "p.yaml", {"stages.h.a=99999999999999999999", "stages.h.b=1e300", "stages.h.c=-0.5e-3"});
  ASSERT_TRUE(r.errors.empty()) << all(r);
  EXPECT_NE(r.spec.stages[0].config_json.find(R"("a":100000000000000000000.0)"), std::string::npos) << r.spec.stages[0].config_json;
  EXPECT_NE(r.spec.stages[0].config_json.find(R"("b":1e300)"), std::string::npos) << r.spec.stages[0].config_json;
}

TEST(PipelineStrict, AnOverrideNeverHidesAMalformedBlock) {
  const std::string broken = R"(skillpipe: 1
store: {plugin: store_files, config: oops}
backends: {llm: {plugin: backend_mock, config: [1, 2]}}
stages:
  - {id: h, plugin: harvest_claude, config: 24}
)";
  // Each override walks into a block that is not a mapping: refused at the block's place.
  auto r = parse_pipeline_text(broken, "p.yaml", {"stages.h.lookback_hours=3"});
  EXPECT_TRUE(has(r, "p.yaml:5:45: /stages/0/config: override 'stages.h.lookback_hours=3' sets a key inside "
                     "/stages/0/config, which is a scalar in the file")) << all(r);
  r = parse_pipeline_text(broken, "p.yaml", {"store.root=/s"});
  EXPECT_TRUE(has(r, "p.yaml:2:38: /store/config: override 'store.root=/s'")) << all(r);
  r = parse_pipeline_text(broken, "p.yaml", {"backends.llm.model=big"});
  EXPECT_TRUE(has(r, "p.yaml:3:48: /backends/llm/config: override 'backends.llm.model=big'")) << all(r);
  // And the file's own errors are all still reported.
  EXPECT_TRUE(has(r, "/stages/0/config: expected a mapping")) << all(r);
  EXPECT_TRUE(has(r, "/store/config: expected a mapping")) << all(r);
}

TEST(PipelineStrict, ScalarOverridesOfStoreAndBackendsAreLocatedErrors) {
  auto r = parse_pipeline_text("skillpipe: 1\nstore: here\nstages: []\n", "p.yaml", {"store.root=/s"});
  EXPECT_TRUE(has(r, "p.yaml:2:8: /store: override 'store.root=/s' sets a key inside /store, which is a scalar")) << all(r);
  r = parse_pipeline_text(kBase, "p.yaml", {"store=elsewhere"});
  EXPECT_TRUE(has(r, "override 'store=elsewhere': /store: expected a mapping")) << all(r);
  r = parse_pipeline_text(kBase, "p.yaml", {"backends=3"});
  EXPECT_TRUE(has(r, "override 'backends=3': /backends: expected a mapping")) << all(r);
  r = parse_pipeline_text(kBase, "p.yaml", {"backends.llm=3"});
  EXPECT_TRUE(has(r, "override 'backends.llm=3': /backends/llm: expected a mapping")) << all(r);
  r = parse_pipeline_text(kBase, "p.yaml", {"stages.h=3"});
  EXPECT_TRUE(has(r, "/stages: override 'stages.h=3' sets a key inside /stages, which is a list")) << all(r);
  r = parse_pipeline_text(kBase, "p.yaml", {"store..root=1", "=1"});
  EXPECT_EQ(r.errors.size(), 2u) << all(r);
  EXPECT_TRUE(has(r, "--set: override 'store..root=1' has an empty key")) << all(r);
}

TEST(PipelineStrict, FilesThatAreNotPipelinesEndAtOnce) {
  TempDir dir;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = parse_pipeline("/dev/zero");
  EXPECT_TRUE(has(r, "/dev/zero: cannot read the pipeline file: it is not a regular file")) << all(r);
  r = parse_pipeline(dir.path());
  EXPECT_TRUE(has(r, "it is a directory")) << all(r);
  ASSERT_EQ(::mkfifo(dir.file("fifo").c_str(), 0600), 0);
  r = parse_pipeline(dir.file("fifo"));  // would block forever waiting for a writer
  EXPECT_TRUE(has(r, "it is not a regular file")) << all(r);
  skillpipe::testing::write_text(dir.file("big.yaml"), "skillpipe: 1\n#" + std::string(2 << 20, 'x') + "\n");
  r = parse_pipeline(dir.file("big.yaml"));
  EXPECT_TRUE(has(r, "it is 2 MiB; the limit is 1 MiB")) << all(r);
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 2.0);
}
