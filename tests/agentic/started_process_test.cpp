// StartedProcess (plugins/backend_common/subprocess.hpp): a program spawned ahead of its input
// waits with its pipes open, then gets its stdin and runs to its end; one that ended while it
// waited still hands over its output and exit code; one never finished is killed with its
// group when dropped.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <thread>

#include "clean_process.hpp"

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

TEST(StartedProcess, DroppedUnfinishedItIsKilledWithItsGroup) {
  auto p = start_clean(shell("sleep 300 & echo $!; wait"));
  ASSERT_TRUE(p->started());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto t0 = std::chrono::steady_clock::now();
  p.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  CleanProcess missing;
  missing.argv = {"/nonexistent/agent"};
  auto q = start_clean(missing);
  EXPECT_FALSE(q->started());
  EXPECT_FALSE(q->waiting());
  EXPECT_FALSE(q->finish("x", 1, nullptr, {}).started);
}

}  // namespace
}  // namespace skillpipe::backend_agent
