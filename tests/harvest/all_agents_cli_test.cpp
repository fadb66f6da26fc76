// A home with sessions of all eight agents (their recorded fixtures copied in, Cursor's built
// from the schema): `skillpipe harvest --source all` and the bundled `skillpipe run nightly`,
// with no harvester configured, read every agent - the digest count per source is each
// fixture's - and the token planted in every agent's `secret` session never comes out.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "harvest_test_util.hpp"
#include "skillpipe/config.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::testing {
namespace fs = std::filesystem;
namespace {

constexpr const char* kPlanted = "ghp_Fx7Qk2Lm9Zp4Rt8Wv3Yb6Nc1Hd5Js0Ga2Ke7";  // every agents/ fixture's

// Digests per source: every session of each fixture (tests/data/cli/expected.json lists 14
// Claude Code sessions and 12 Codex ones; agents/<x>/expected.json the others).
const std::map<std::string, std::size_t> kSessions = {
    {"claude", 14}, {"codex", 12}, {"qwen", 7}, {"gemini", 7}, {"opencode", 7}, {"copilot", 7}, {"pi", 6}, {"cursor", 7}};

class AllAgents : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string data = test_data_dir();
    copy_tree(data + "/cli/claude-code-2.1.197/projects", home_.file(".claude/projects"));
    copy_tree(data + "/cli/codex-0.171.0/sessions", home_.file(".codex/sessions"));
    for (const char* a : {"qwen-code-0.15.10", "gemini-cli-0.61.0", "opencode-1.18.33", "copilot-cli-1.0.102", "pi-0.73.1",
                          "cursor-schema-2026"})
      for (const auto& e : fs::directory_iterator(data + "/agents/" + a + "/home"))
        copy_tree(e.path().string(), home_.file(e.path().filename().string()));
    fs::create_directories(home_.file("project"));
  }
  std::vector<std::string> env() const {
    return {"HOME=" + home_.path(), "XDG_CONFIG_HOME=" + home_.file(".config"), "XDG_DATA_HOME", "SKILLPIPE_STORE",
            "ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL"};
  }
  TempDir home_;
};

TEST_F(AllAgents, HarvestSourceAllReadsEveryAgentAndRedacts) {
  const auto r = run_skillpipe({"harvest", "--source", "all", "--all-projects", "--since", "all", "--json"}, env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, std::size_t> got;
  for (const auto& line : split(r.out, '\n'))
    if (!trim(line).empty()) ++got[record_from_json<SessionDigest>(line).source];
  EXPECT_EQ(got, kSessions) << r.err;
  EXPECT_EQ(r.out.find(kPlanted), std::string::npos) << "a planted token reached the output";
  // One source by name, as a third-party harvester would be inspected.
  const auto one = run_skillpipe({"harvest", "--source", "opencode", "--all-projects", "--since", "all", "--json"}, env());
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(split(trim(one.out), '\n').size(), kSessions.at("opencode"));
}

TEST_F(AllAgents, NightlyHarvestsEveryInstalledSourceWithoutConfiguration) {
  // The fixtures are days old by the time this runs and were copied just now: open the window
  // and do not wait for them to settle; nothing else is configured.
  std::vector<std::string> args = {"run",  "nightly", "--project", home_.file("project"), "--store",
                                   home_.file("store"), "--json"};
  for (const auto& [source, n] : kSessions)
    for (const char* kv : {"lookback_hours=0", "project_scope=all", "settle_minutes=0"})
      args.insert(args.end(), {"--set", "stages." + source + "." + kv});
  const auto r = run_skillpipe(args, env(), home_.file("project"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const Config summary = Config::parse(r.out);
  std::map<std::string, std::size_t> got;
  for (const auto& s : summary.get_object_list("stages"))
    if (s.get_string("plugin").starts_with("harvest_")) {
      EXPECT_EQ(s.get_string("status"), "ok") << s.get_string("id");
      got[s.get_string("id")] = static_cast<std::size_t>(s.get_int("out"));
    }
  EXPECT_EQ(got, kSessions);
  for (const auto& e : fs::recursive_directory_iterator(home_.file("store"))) {
    if (e.is_regular_file()) {
      EXPECT_EQ(read_text(e.path().string()).find(kPlanted), std::string::npos) << e.path();
    }
  }
}

}  // namespace
}  // namespace skillpipe::testing
