// `skillpipe docs pipeline-reference`: Markdown generated from the plugins' own schemas.
#include <gtest/gtest.h>

#include "test_support.hpp"

using namespace skillpipe::testing;

TEST(DocsCommand, PipelineReferenceListsEveryPluginWithItsConfigTable) {
  const auto r = run_skillpipe({"docs", "pipeline-reference", "--plugin-path", FX_GOOD_DIR});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("# Plugin reference\n", 0), 0u);
  // A fixture plugin: types, bounds and required keys come from its schema.
  EXPECT_NE(r.out.find("\n## fx_harvest\n\n*harvester, version 1.0.0*\n\nfixture harvester\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("| `count` | integer (≥ 0) |  |  |\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| `model` (required) | string |  |  |\n"), std::string::npos);
  // The real store plugin: enum arrays, and defaults read from "Default: ..." / "(default X)".
  EXPECT_NE(r.out.find("\n## store_files\n"), std::string::npos);
  EXPECT_NE(r.out.find("| `resume` | boolean | true | "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("| `root` | string | $SKILLPIPE_STORE, else ~/.skillpipe | "), std::string::npos);
  EXPECT_NE(
      r.out.find("| `targets` | array of one of `claude_skill`, `claude_memory`, `codex_skill`, `codex_memory` |"),
      std::string::npos);
  // Harvesters come before stores; the overview table links each plugin.
  EXPECT_LT(r.out.find("\n## fx_harvest"), r.out.find("\n## store_files"));
  EXPECT_NE(r.out.find("| [store_files](#store_files) | store | "), std::string::npos);
}

TEST(DocsCommand, UnknownTopicIsAUsageError) {
  const auto r = run_skillpipe({"docs", "nonsense"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown topic \"nonsense\""), std::string::npos) << r.err;
}
