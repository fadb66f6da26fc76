// StartedProcess (plugins/backend_common/subprocess.hpp): a program spawned ahead of its input
// waits with its pipes open, then gets its stdin and runs to its end; one that ended while it
// waited still hands over its output and exit code; one never finished (dropped, or its
// finish() threw) is killed with its whole group, also when its leader had ended already.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "clean_process.hpp"
#include "subprocess.hpp"

namespace skillpipe::backend_agent {
namespace {

CleanProcess shell(const std::string& script) {
  CleanProcess p;
  p.argv = {"/bin/sh", "-c", script};
  p.env = base_environment();
  return p;
}

TEST(StartedProcess, WaitsForItsInputThenRunsToTheEnd) {
  auto p = start_clean(shell("read line; echo \"got $line\"; exit 4"));
  ASSERT_TRUE(p->started()) << p->start_error();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(p->waiting());
  std::vector<std::string> lines;
  const ProcessOutcome r = p->finish("hello\n", 10, [&](std::string_view l) {
    lines.emplace_back(l);
    return true;
  }, {});
  EXPECT_EQ(r.out, "got hello\n");
  EXPECT_EQ(lines, std::vector<std::string>{"got hello"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_LT(r.elapsed_s, 5) << "the timeout and the time count from finish()";
}

TEST(StartedProcess, OneThatEndedWhileWaitingStillHandsOverItsOutput) {
  auto p = start_clean(shell("echo early; echo oops >&2; exit 3"));
  for (int i = 0; i < 100 && p->waiting(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(p->waiting());
  const ProcessOutcome r = p->finish("ignored", 10, nullptr, {});
  EXPECT_EQ(r.out, "early\n");
  EXPECT_EQ(r.err, "oops\n");
  EXPECT_EQ(r.exit_code, 3);
}

// The pid a script wrote to `file` once it is there (up to 5 s), or 0.
pid_t pid_written_to(const std::string& file) {
  for (int i = 0; i < 250; ++i) {
    std::ifstream in(file);
    long pid = 0;
    if (in >> pid && pid > 0) return static_cast<pid_t>(pid);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return 0;
}

// Gone, or a zombie left for its new parent to reap: either way it runs no more (up to 5 s).
bool ended(pid_t pid) {
  for (int i = 0; i < 250; ++i) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return true;
    const auto close = line.rfind(')');
    if (close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z') return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

struct PidFile {
  std::string path = "/tmp/skillpipe-started-process-" + std::to_string(::getpid()) + ".pid";
  ~PidFile() { std::remove(path.c_str()); }
};

TEST(StartedProcess, DroppedUnfinishedItIsKilledWithItsGroup) {
  const PidFile f;
  auto p = start_clean(shell("sleep 300 & echo $! > " + f.path + "; wait"));
  ASSERT_TRUE(p->started());
  const pid_t child = pid_written_to(f.path);
  ASSERT_GT(child, 0);
  const auto t0 = std::chrono::steady_clock::now();
  p.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_TRUE(ended(child)) << "the program's own child was killed with it";
  CleanProcess missing;
  missing.argv = {"/nonexistent/agent"};
  auto q = start_clean(missing);
  EXPECT_FALSE(q->started());
  EXPECT_FALSE(q->waiting());
  EXPECT_FALSE(q->finish("x", 1, nullptr, {}).started);
}

// A parent killed with SIGKILL cannot kill its child's group; dying_with_parent gives the child
// a parent-death signal, so an agent CLI does not run on (and pay) after its night is gone.
TEST(StartedProcess, AChildStartedDyingWithItsParentEndsWhenTheParentIsKilled) {
  ASSERT_FALSE(backend_common::find_executable("setpriv").empty()) << "util-linux's setpriv is on every Debian";
  const PidFile f;
  const pid_t parent = ::fork();
  if (parent == 0) {
    backend_common::ProcessSpec spec;
    spec.argv = backend_common::dying_with_parent({"/bin/sh", "-c", "echo $$ > " + f.path + "; exec sleep 300"});
    spec.timeout_s = 600;
    backend_common::run_process(spec, {});
    ::_exit(0);
  }
  const pid_t child = pid_written_to(f.path);
  ASSERT_GT(child, 0);
  ::kill(parent, SIGKILL);
  ::waitpid(parent, nullptr, 0);
  EXPECT_TRUE(ended(child)) << "the child outlived its parent";
  if (!ended(child)) ::kill(child, SIGKILL);
}

// An agent that ended on its own while waiting may leave processes in its group; dropping it
// kills them too (its pid is not reaped before, so the group id is still its own).
TEST(StartedProcess, ALeaderThatEndedWhileWaitingTakesItsGroupWithItWhenDropped) {
  const PidFile f;
  auto p = start_clean(shell("sleep 300 & echo $! > " + f.path + "; exit 0"));
  const pid_t child = pid_written_to(f.path);
  ASSERT_GT(child, 0);
  for (int i = 0; i < 250 && p->waiting(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_FALSE(p->waiting());
  EXPECT_FALSE(ended(child)) << "its child outlives it until it is dropped";
  p.reset();
  EXPECT_TRUE(ended(child));
}

// A finish() cut by an exception (here from the line callback) leaves nothing running.
TEST(StartedProcess, AFinishThatThrowsLeavesNothingRunning) {
  const PidFile f;
  auto p = start_clean(shell("sleep 300 & echo $! > " + f.path + "; echo line; wait"));
  const pid_t child = pid_written_to(f.path);
  ASSERT_GT(child, 0);
  EXPECT_THROW(p->finish("", 30, [](std::string_view) -> bool { throw std::runtime_error("callback failed"); }, {}),
               std::runtime_error);
  p.reset();
  EXPECT_TRUE(ended(child));
}

}  // namespace
}  // namespace skillpipe::backend_agent
