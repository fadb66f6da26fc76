// A real `skillpipe run` killed with SIGKILL at random points, and crashed by fault injection
// at every durable write, then re-run to completion: every night ends published, with each
// record exactly once and the same proposal an uninterrupted run makes.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>
#include <set>

#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"
#include "store_fixture.hpp"

namespace fs = std::filesystem;
using namespace skillpipe;
using namespace store_test;
using skillpipe::testing::read_text;
using skillpipe::testing::run_skillpipe;

namespace {

std::string pipeline() { return skillpipe::testing::test_data_dir() + "/store/kill_pipeline.yaml"; }

std::vector<std::string> run_args(const Sandbox& sb, const std::vector<std::string>& sets = {}) {
  std::vector<std::string> a = {"run",     pipeline(), "--project",     sb.project,
                                "--store", sb.root,    "--plugin-path", FX_GOOD_DIR};
  for (const auto& s : sets) a.insert(a.end(), {"--set", s});
  return a;
}

// Starts `skillpipe run` without waiting; output goes to /dev/null.
pid_t spawn_run(const Sandbox& sb) {
  const auto args = run_args(sb);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0), ::dup2(null, 1), ::dup2(null, 2);
    ::setenv("HOME", sb.home.c_str(), 1);
    ::setenv("SKILLPIPE_NOW", kNow, 1);
    ::setenv("SKILLPIPE_STORE_FSYNC", "0", 1);  // SIGKILL is a process crash: the page cache survives
    std::vector<char*> argv;
    const std::string bin = skillpipe::testing::skillpipe_bin();
    argv.push_back(const_cast<char*>(bin.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

std::string nights_dir(const Sandbox& sb) { return sb.root + "/projects/" + project_slug(sb.project) + "/nights"; }

// The proposal an uninterrupted run staged.
std::string reference_proposal(const Sandbox& sb) {
  for (const auto& e : fs::directory_iterator(nights_dir(sb))) {
    return read_text(e.path().string() + "/proposed/claude_skill.fx-skill.SKILL.md");
  }
  return {};
}

// Checks every night of the sandbox; returns how many were published.
int check_nights(const Sandbox& sb, const std::string& expected_proposal, std::size_t digests_per_night) {
  int published = 0;
  for (const auto& e : fs::directory_iterator(nights_dir(sb))) {
    const std::string dir = e.path().string();
    SCOPED_TRACE(dir);
    EXPECT_TRUE(fs::exists(dir + "/manifest.json")) << "a night was left unfinished";
    if (!fs::exists(dir + "/manifest.json")) continue;
    ++published;
    EXPECT_EQ(read_text(dir + "/proposed/claude_skill.fx-skill.SKILL.md"), expected_proposal);
    // Each record once: the persisted stage outputs have unique ids and the full count.
    std::set<std::string> ids;
    std::size_t lines = 0;
    for (const char* f : {"artifacts/stages/h1.digests.jsonl", "artifacts/stages/h2.digests.jsonl"}) {
      for (const auto& line : split(read_text(dir + "/" + f), '\n')) {
        if (line.empty()) continue;
        ++lines;
        ids.insert(record_from_json<SessionDigest>(line).session_id);
      }
    }
    EXPECT_EQ(lines, digests_per_night);
    EXPECT_EQ(ids.size(), digests_per_night);
    NightReport report;
    EXPECT_NO_THROW(from_json(read_text(dir + "/report.json"), report));
  }
  return published;
}

}  // namespace

TEST(StoreRunKill, SigkillAtRandomPointsThenRerunCompletesTheNight) {
  std::string expected;
  double full_ms = 0;
  {
    Sandbox ref;
    const auto t0 = std::chrono::steady_clock::now();
    const auto r = run_skillpipe(run_args(ref), ref.env());
    full_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expected = reference_proposal(ref);
    ASSERT_EQ(expected.rfind("tasks: 500\n", 0), 0u) << expected;
    ASSERT_EQ(check_nights(ref, expected, 500), 1);
  }
  const unsigned seed = static_cast<unsigned>(std::random_device{}());
  SCOPED_TRACE("seed " + std::to_string(seed));
  std::mt19937 rng(seed);
  // The kill window follows the fastest run seen: the cold reference run can be several
  // times slower than warm reruns, and a window longer than a run kills nothing.
  double window_ms = full_ms;
  Sandbox sb;
  int killed = 0;
  int attempts = 0;
  for (; attempts < 60 && (attempts < 20 || killed < 5); ++attempts) {
    std::uniform_real_distribution<double> delay_ms(0, window_ms * 1.1);
    const auto t0 = std::chrono::steady_clock::now();
    const pid_t pid = spawn_run(sb);
    ::usleep(static_cast<useconds_t>(delay_ms(rng) * 1000));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) {
      ++killed;
    } else {
      window_ms = std::min(window_ms, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    }
  }
  const auto r = run_skillpipe(run_args(sb), sb.env());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const int published = check_nights(sb, expected, 500);
  EXPECT_GE(published, 1);
  EXPECT_GT(killed, 0);
  const auto st = run_skillpipe({"status", "--project", sb.project, "--store", sb.root}, sb.env());
  EXPECT_EQ(st.exit_code, 0) << st.err;
  std::printf("[ killed %d of %d runs; %d nights published; cold run %.0f ms, kill window %.0f ms ]\n", killed, attempts,
              published, full_ms, window_ms);
}

TEST(StoreRunKill, RunCrashedAtEveryDurableWriteResumesToTheSameResult) {
  const std::vector<std::string> small = {"stages.h1.count=3", "stages.h2.count=2"};
  std::string expected;
  {
    Sandbox ref;
    const auto r = run_skillpipe(run_args(ref, small), ref.env());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expected = reference_proposal(ref);
    ASSERT_EQ(expected.rfind("tasks: 5\n", 0), 0u) << expected;
  }
  int crashes = 0;
  for (int n = 1; n < 120; ++n) {
    SCOPED_TRACE("crash at write step " + std::to_string(n));
    Sandbox sb;
    auto env = sb.env();
    env.push_back("SKILLPIPE_STORE_FSYNC=0");  // process crashes only: fsync changes nothing but time
    env.push_back("SKILLPIPE_STORE_FAIL_AFTER=" + std::to_string(n));
    const auto crashed = run_skillpipe(run_args(sb, small), env);
    if (crashed.exit_code == 0) break;
    ASSERT_EQ(crashed.exit_code, kFaultExit) << crashed.err;
    ++crashes;
    env.pop_back();
    const auto done = run_skillpipe(run_args(sb, small), env);
    ASSERT_EQ(done.exit_code, 0) << done.err;
    EXPECT_EQ(check_nights(sb, expected, 5), 1);
  }
  EXPECT_GT(crashes, 20);
}
