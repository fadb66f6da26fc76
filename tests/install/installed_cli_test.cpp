// The installed skillpipe works from any project directory (issue 15, finding 8): bundled
// pipelines resolve by name (`skillpipe run nightly`) and `pipelines/...` falls back to
// <prefix>/share/skillpipe/pipelines; the commands skillpipe suggests work as printed.
// Every run happens in a fresh project directory with an empty HOME and no plugin path from
// the build: the installed tree has to stand on its own.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "test_support.hpp"

namespace skillpipe::testing {
namespace {

namespace fs = std::filesystem;

class InstalledCli : public ::testing::Test {
 protected:
  TempDir tmp;
  std::string project = tmp.file("some-project");
  std::string home = tmp.file("home");
  std::string store = tmp.file("store");
  const std::string bin = std::string(SKILLPIPE_TEST_PREFIX) + "/bin/skillpipe";

  void SetUp() override {
    ASSERT_TRUE(fs::is_regular_file(bin)) << bin << " is missing: the install_into_build_tree fixture did not run";
    fs::create_directories(project);
    fs::create_directories(home + "/.claude/projects");  // empty: counts as no transcripts
  }
  std::vector<std::string> env() const {
    return {"HOME=" + home, "SKILLPIPE_PLUGIN_PATH", "SKILLPIPE_STORE", "ANTHROPIC_API_KEY", "OPENAI_API_KEY",
            "OPENAI_BASE_URL", "XDG_CONFIG_HOME=" + home + "/.config"};
  }
  CommandResult sp(std::vector<std::string> args) const { return run_program(bin, args, env(), project); }
  // The bundled example transcripts, as scripts/nightly.sh passes them.
  std::vector<std::string> examples() const {
    const std::string ex = source_dir() + "/examples/home";
    std::vector<std::string> a = {"--store", store, "--set", "stages.claude.home=" + ex + "/.claude",
                                  "--set", "stages.codex.home=" + ex + "/.codex"};
    for (const char* s : {"claude", "codex"})
      for (const std::string kv : {"lookback_hours=0", "project_scope=all", "settle_minutes=0"})
        a.insert(a.end(), {"--set", std::string("stages.") + s + "." + kv});
    return a;
  }
};

TEST_F(InstalledCli, RunsTheNightlyByNameFromAFreshProjectDirectory) {
  // What `status` suggests before the first night must work as printed.
  const auto before = sp({"status", "--store", store});
  ASSERT_EQ(before.exit_code, 0) << before.out << before.err;
  ASSERT_NE(before.out.find("`skillpipe run nightly`"), std::string::npos) << before.out;

  auto args = std::vector<std::string>{"run", "nightly"};
  for (auto& a : examples()) args.push_back(a);
  const auto r = sp(args);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  // The run says what happened and what to do next on stdout.
  EXPECT_NE(r.out.find("staged for review in "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("This night ran offline (backend \"target\""), std::string::npos) << "no key: true here\n" << r.out;
  EXPECT_NE(r.out.find("consolidate_reflect did not run"), std::string::npos) << r.out;

  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex("staged for review in (\\S+)"))) << r.out;
  EXPECT_TRUE(fs::is_regular_file(m[1].str() + "/manifest.json")) << m[1].str();

  const auto status = sp({"status", "--store", store});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find(project), std::string::npos) << "the night is for the directory it ran in\n" << status.out;

  // The commands the run printed work as printed (no quoting needed in these paths).
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex("review it: (\\S+) (status[^\n]*)"))) << r.out;
  EXPECT_EQ(fs::canonical(m[1].str()), fs::canonical(bin)) << "not on PATH: printed as its full path";
  std::vector<std::string> words;
  const std::string printed_args = m[2].str();
  const std::regex word("\\S+");
  for (std::sregex_iterator it(printed_args.begin(), printed_args.end(), word), end; it != end; ++it)
    words.push_back(it->str());
  const auto printed = sp(words);
  EXPECT_EQ(printed.exit_code, 0) << printed.out << printed.err;
  EXPECT_NE(printed.out.find(project), std::string::npos) << printed.out;
}

TEST_F(InstalledCli, PipelinesPathsFallBackToTheInstalledShareDirectory) {
  for (const std::string file : {"pipelines/nightly.yaml", "nightly", "nightly.yaml", "offline"}) {
    const auto v = sp({"validate", file});
    EXPECT_EQ(v.exit_code, 0) << file << "\n" << v.out << v.err;
    EXPECT_NE(v.out.find("share/skillpipe/pipelines/"), std::string::npos) << v.out;
  }
  const auto dry = sp({"run", "pipelines/offline.yaml", "--dry-run", "--store", store});
  EXPECT_EQ(dry.exit_code, 0) << dry.out << dry.err;

  // A local file of the same name wins over the bundled one.
  write_text(project + "/pipelines/nightly.yaml", "skillpipe: 1\nname: mine\nstages: []\n");
  const auto local = sp({"validate", "pipelines/nightly.yaml"});
  EXPECT_EQ(local.out.find("share/skillpipe"), std::string::npos) << local.out;

  const auto missing = sp({"run", "nightlyy"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("the pipeline \"nightlyy\" does not exist"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("usable by name:"), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find(" nightly"), std::string::npos) << missing.err;
}

TEST_F(InstalledCli, AbAndScheduleWorkAsTheReadmePrintsThem) {
  const auto ab = sp({"ab", "pipelines/ab_judge.yaml", "--store", store, "--json"});
  EXPECT_EQ(ab.exit_code, 0) << ab.out << ab.err;
  EXPECT_NE(ab.out.find("\"arms\""), std::string::npos) << ab.out;

  const auto byname = sp({"ab", "ab_judge", "--store", store});
  EXPECT_EQ(byname.exit_code, 0) << byname.err;

  const auto sched = sp({"schedule", "--at", "03:17", "--print", "--via", "cron"});
  ASSERT_EQ(sched.exit_code, 0) << sched.out << sched.err;
  const std::string nightly = fs::canonical(std::string(SKILLPIPE_TEST_PREFIX) + "/share/skillpipe/pipelines/nightly.yaml");
  EXPECT_NE(sched.out.find(nightly), std::string::npos) << "the unit runs the installed pipeline\n" << sched.out;
  EXPECT_NE(sched.out.find(project), std::string::npos) << sched.out;
}

}  // namespace
}  // namespace skillpipe::testing
