// A night must never get stuck: two consolidators proposing the same document are resolved
// (one staged, the other reported), and a night whose staging fails on every resume says why
// and can be abandoned with `skillpipe run --restart`.
#include <gtest/gtest.h>

#include <filesystem>

#include "test_support.hpp"

namespace skillpipe::testing {
namespace {

namespace fs = std::filesystem;

std::string pipeline(const std::string& second_name, const std::string& second_status) {
  return R"(skillpipe: 1
name: restart
store: {plugin: store_files}
stages:
  - {id: h, plugin: fx_harvest, config: {count: 2, source: a}}
  - {id: mine, plugin: fx_miner, inputs: [h]}
  - {id: first, plugin: fx_consolidate, inputs: [h, mine]}
  - {id: second, plugin: fx_consolidate, inputs: [h, mine], config: {name: ")" +
         second_name + R"(", status: )" + second_status + R"(}}
)";
}

class StoreRestart : public ::testing::Test {
 protected:
  TempDir tmp;
  std::string store = tmp.file("store");
  std::string project = tmp.file("proj");
  void SetUp() override { fs::create_directories(project); }
  CommandResult run(const std::string& yaml, std::vector<std::string> extra = {}) {
    write_text(tmp.file("p.yaml"), yaml);
    std::vector<std::string> args{"run", tmp.file("p.yaml"), "--plugin-path", FX_GOOD_DIR, "--store", store,
                                  "--project", project};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_skillpipe(args);
  }
  std::vector<fs::path> nights() const {
    std::vector<fs::path> out;
    for (const auto& e : fs::recursive_directory_iterator(store))
      if (e.is_directory() && e.path().parent_path().filename() == "nights") out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
  }
};

TEST_F(StoreRestart, TwoConsolidatorsProposingOneDocumentStageOneAndSayWhy) {
  // The second proposal is accepted, so it wins over the first one's draft.
  const auto r = run(pipeline("fx-skill", "accepted"), {"--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(R"("staged": true)"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("staged for review in"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("proposal `fx-skill` (claude_skill, draft) was not staged: `fx-skill` (accepted) changes "
                       "the same document tonight"),
            std::string::npos)
      << r.out;
  const auto n = nights();
  ASSERT_EQ(n.size(), 1u);
  EXPECT_TRUE(fs::exists(n[0] / "manifest.json"));
  const std::string manifest = read_text((n[0] / "manifest.json").string());
  EXPECT_NE(manifest.find(R"("status": "accepted")"), std::string::npos) << manifest;
}

TEST_F(StoreRestart, AStagingFailureRepeatsOnResumeUntilRestartAbandonsTheNight) {
  // A name the store refuses: every resume loads the same saved output and fails again.
  const std::string bad = pipeline("bad name!", "draft");
  const auto first = run(bad);
  EXPECT_EQ(first.exit_code, 1);
  EXPECT_NE(first.err.find("staging the night failed"), std::string::npos) << first.err;
  // The run's summary is on stdout (the errors stay on stderr).
  EXPECT_EQ(first.out.find("staged for review"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("nothing staged: night"), std::string::npos) << first.out;

  const auto again = run(bad);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("was resumed from its saved stages"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("--restart"), std::string::npos) << again.err;
  ASSERT_EQ(nights().size(), 1u);

  const auto status = run_skillpipe({"status", "--store", store, "--project", project});
  EXPECT_NE(status.out.find("--restart"), std::string::npos) << status.out;

  // The user fixes the cause and starts over; the failed night is kept, marked abandoned.
  const auto fixed = run(bad, {"--restart", "--set", "stages.second.name=fx-other"});
  ASSERT_EQ(fixed.exit_code, 0) << fixed.err;
  EXPECT_NE(fixed.out.find("staged for review in"), std::string::npos) << fixed.out;
  const auto n = nights();
  ASSERT_EQ(n.size(), 2u);
  EXPECT_TRUE(fs::exists(n[0] / "ABANDONED"));
  EXPECT_NE(read_text((n[0] / "ABANDONED").string()).find("--restart"), std::string::npos);
  EXPECT_TRUE(fs::exists(n[1] / "manifest.json"));
}

}  // namespace
}  // namespace skillpipe::testing
