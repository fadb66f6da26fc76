#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "skillpipe/abi.hpp"
#include "test_support.hpp"

using namespace skillpipe::testing;

namespace {

const std::string kAbi = std::to_string(SKILLPIPE_ABI_MAJOR) + "." + std::to_string(SKILLPIPE_ABI_MINOR);

const char* kPipeline = R"(skillpipe: 1
name: fixture
backends:
  echo: {plugin: fx_backend, config: {model: m}}
stages:
  - {id: h1, plugin: fx_harvest, config: {count: 3, source: a}}
  - {id: h2, plugin: fx_harvest, config: {count: 2, source: b}}
  - {id: mine, plugin: fx_miner, inputs: [h1, h2]}
  - {id: judge, plugin: fx_judge, inputs: [mine], config: {needle: "answer 1"}}
  - {id: draft, plugin: fx_consolidate, inputs: [h1, h2, mine, judge]}
)";

}  // namespace

TEST(Cli, VersionAndHelp) {
  auto v = run_skillpipe({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_NE(v.out.find("plugin ABI " + kAbi), std::string::npos);
  auto h = run_skillpipe({"run", "--help"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("--set"), std::string::npos);
  EXPECT_EQ(run_skillpipe({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(run_skillpipe({"run", "--no-such-flag"}).exit_code, 2);
}

TEST(Cli, RunsFixturePipelineEndToEnd) {
  TempDir dir;
  write_text(dir.file("p.yaml"), kPipeline);
  auto r = run_skillpipe({"run", dir.file("p.yaml"), "--plugin-path", FX_GOOD_DIR, "--run-dir", dir.path(), "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string summary = read_text(dir.file("summary.json"));
  EXPECT_EQ(summary, r.out);
  // 5 digests -> 5 tasks -> 2 observed passes (a-1 and b-1 answer "answer 1") -> one proposal counting them.
  EXPECT_NE(summary.find(R"("id": "mine")"), std::string::npos);
  EXPECT_NE(summary.find(R"("proposed_text":"tasks: 5\npassed: 2\n")"), std::string::npos) << summary;
  EXPECT_NE(summary.find(R"(fixture consolidator saw 5 digests)"), std::string::npos);
  EXPECT_NE(summary.find(R"("h1.emitted":3)"), std::string::npos);
}

TEST(Cli, SetOverrideChangesBehaviourWithoutEditingTheFile) {
  TempDir dir;
  write_text(dir.file("p.yaml"), kPipeline);
  auto r = run_skillpipe({"run", dir.file("p.yaml"), "--plugin-path", FX_GOOD_DIR, "--json", "--set",
                          "stages.judge.needle=answer", "--set", "stages.h2.count=0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(R"(tasks: 3\npassed: 3)"), std::string::npos) << r.out;
}

TEST(Cli, ValidatePrintsEveryErrorWithLocationAndExitsTwo) {
  TempDir dir;
  write_text(dir.file("bad.yaml"), R"(skillpipe: 1
stages:
  - {id: h, plugin: fx_harvest, config: {count: 1, extra: 2}}
  - {id: m, plugin: fx_miner, inputs: [nobody]}
  - {id: m, plugin: fx_judge}
)");
  auto r = run_skillpipe({"validate", dir.file("bad.yaml"), "--plugin-path", FX_GOOD_DIR});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find(dir.file("bad.yaml") + ":3:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("unknown key 'extra'"), std::string::npos);
  EXPECT_NE(r.out.find("input 'nobody'"), std::string::npos);
  EXPECT_NE(r.out.find("duplicate stage id 'm'"), std::string::npos);
  EXPECT_NE(r.out.find("3 error(s)"), std::string::npos);
  auto ok = run_skillpipe({"validate", dir.file("bad.yaml"), "--plugin-path", FX_GOOD_DIR, "--set",
                           "stages.h.config.extra=", "--set", "stages.m.inputs=[]"});
  EXPECT_EQ(ok.exit_code, 2);  // still the duplicate id and the stray null key
}

TEST(Cli, RefusedPluginExitsThreeNamingTheFile) {
  TempDir dir;
  write_text(dir.file("p.yaml"), "skillpipe: 1\nstages:\n  - {id: h, plugin: fx_newer_minor}\n");
  auto r = run_skillpipe({"run", dir.file("p.yaml"), "--plugin-path", FX_BAD_DIR});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.err.find("libskillpipe_fx_newer_minor.so"), std::string::npos) << r.err;
  auto p = run_skillpipe({"plugins", "--plugin-path", FX_BAD_DIR});
  EXPECT_EQ(p.exit_code, 3);
  EXPECT_NE(p.out.find("REFUSED"), std::string::npos);
}

TEST(Cli, PluginsListsKindVersionAbiPath) {
  auto r = run_skillpipe({"plugins", "--json", "--plugin-path", FX_GOOD_DIR});
  EXPECT_NE(r.out.find(R"("name":"fx_judge","kind":"judge","version":"1.0.0","abi":")" + kAbi + "\""), std::string::npos)
      << r.out;
  auto d = run_skillpipe({"describe", "fx_backend", "--plugin-path", FX_GOOD_DIR});
  EXPECT_EQ(d.exit_code, 0);
  EXPECT_NE(d.out.find("\"required\""), std::string::npos);
}

TEST(Cli, FailingStageExitsOneAndNamesIt) {
  TempDir dir;
  write_text(dir.file("p.yaml"), "skillpipe: 1\nstages:\n  - {id: h, plugin: fx_harvest, config: {fail: true}}\n");
  auto r = run_skillpipe({"run", dir.file("p.yaml"), "--plugin-path", FX_GOOD_DIR});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("stage 'h' (plugin fx_harvest) failed: fixture harvester was told to fail"), std::string::npos)
      << r.err;
}

// True once `pid` catches SIGINT (its handler is installed): /proc/<pid>/status lists the
// caught signals as a hex mask. A fixed sleep raced a slow start (a sanitizer build under load).
static bool catches_sigint(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("SigCgt:", 0) == 0) return (std::stoull(line.substr(7), nullptr, 16) >> (SIGINT - 1)) & 1U;
  return false;
}

TEST(Cli, SigintStopsAfterTheCurrentRecordAndSaysHowToResume) {
  TempDir dir;
  write_text(dir.file("p.yaml"),
             "skillpipe: 1\nstages:\n  - {id: slow, plugin: fx_harvest, config: {count: 100, sleep_ms: 50}}\n"
             "  - {id: mine, plugin: fx_miner, inputs: [slow]}\n");
  int err_pipe[2];
  ASSERT_EQ(::pipe(err_pipe), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(err_pipe[1], 2);
    ::close(err_pipe[0]);
    const std::string bin = skillpipe_bin(), file = dir.file("p.yaml");
    ::execl(bin.c_str(), bin.c_str(), "run", file.c_str(), "--plugin-path", FX_GOOD_DIR, static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(err_pipe[1]);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!catches_sigint(pid) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // into the slow stage
  ::kill(pid, SIGINT);
  std::string err;
  char buf[4096];
  for (ssize_t n; (n = ::read(err_pipe[0], buf, sizeof buf)) > 0;) err.append(buf, static_cast<std::size_t>(n));
  ::close(err_pipe[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status)) << "killed by a signal instead of stopping cleanly";
  EXPECT_EQ(WEXITSTATUS(status), 130) << err;
  EXPECT_NE(err.find("interrupted: this pipeline has no store"), std::string::npos) << err;
  // It stopped early (100 x 50 ms would take 5 s) and did not start the next stage.
  EXPECT_EQ(err.find("[mine]"), std::string::npos) << err;
}

TEST(Cli, DescribeAllMarkdownIsThePluginReference) {
  auto md = run_skillpipe({"describe", "--all", "--markdown", "--plugin-path", FX_GOOD_DIR});
  ASSERT_EQ(md.exit_code, 0) << md.err;
  EXPECT_NE(md.out.find("# Plugin reference"), std::string::npos);
  EXPECT_NE(md.out.find("fx_judge"), std::string::npos);
  EXPECT_NE(md.out.find("needle"), std::string::npos);  // a config key from fx_judge's schema
  auto all = run_skillpipe({"describe", "--all", "--plugin-path", FX_GOOD_DIR});
  EXPECT_EQ(all.exit_code, 0);
  EXPECT_NE(all.out.find("fx_backend 1.0.0 (backend"), std::string::npos) << all.out;
}

TEST(Cli, CommittedPluginReferenceIsUpToDate) {
  if (SKILLPIPE_PARTIAL_BUILD) GTEST_SKIP() << "SKILLPIPE_ONLY build: not every plugin is built";
  // docs/plugins-reference.md is generated; this fails when a plugin's schema changes without
  // regenerating it: build/bin/skillpipe describe --all --markdown > docs/plugins-reference.md
  auto md = run_skillpipe({"describe", "--all", "--markdown"});
  ASSERT_EQ(md.exit_code, 0) << md.err;
  EXPECT_EQ(md.out, read_text(source_dir() + "/docs/plugins-reference.md"))
      << "docs/plugins-reference.md is stale: regenerate it with "
         "`build/bin/skillpipe describe --all --markdown > docs/plugins-reference.md`";
}
