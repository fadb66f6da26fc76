// WarmReplays (plugins/backend_agent/warm_replays.hpp) with hooks that only record: the next
// `depth` calls are prepared in call order and their agents started, only while a core was
// idle over a whole window; a call takes its own prepared replay (waiting for one being
// prepared, cutting its setup short when cancelled); what is not called is dropped on forget()
// and on destruction; a job whose call came is never prepared again; nothing with depth 0.
#include "warm_replays.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

namespace skillpipe::backend_agent {
namespace {

using namespace std::chrono_literals;

using Clock = std::chrono::steady_clock;

struct Recorder {
  std::mutex mu;
  std::vector<std::string> prepared, started;
  std::vector<Clock::time_point> looks, actions;  // idle_cores() calls; prepare/start calls
  std::atomic<double> idle{2.0};
  std::atomic<int> prepare_ms{0};
  std::atomic<bool> start_ok{true};
  std::string fail_id;
  std::string slow_setup_id;  // its setup runs until told to stop (up to 10 s)
  std::atomic<bool> setup_stopped{false};

  WarmReplays::Hooks hooks() {
    WarmReplays::Hooks h;
    h.prepare = [this](const ReplayJob& job, const std::function<bool()>& stopping) {
      act();
      std::this_thread::sleep_for(std::chrono::milliseconds(prepare_ms.load()));
      if (job.id == fail_id) throw std::runtime_error("cannot make the workspace");
      if (job.id == slow_setup_id) {
        const auto end = Clock::now() + 10s;
        while (!stopping() && Clock::now() < end) std::this_thread::sleep_for(5ms);
        setup_stopped = stopping();
      }
      std::lock_guard<std::mutex> lk(mu);
      prepared.push_back(job.id);
      auto p = std::make_unique<PreparedReplay>();
      p->o.notes.push_back(job.id);  // which job it was made for
      return p;
    };
    h.start = [this](PreparedReplay& p) {
      act();
      std::lock_guard<std::mutex> lk(mu);
      started.push_back(p.o.notes.front());
      return start_ok.load();
    };
    h.idle_cores = [this] {
      std::lock_guard<std::mutex> lk(mu);
      looks.push_back(Clock::now());
      return idle.load();
    };
    h.poll_s = 0.01;
    return h;
  }
  void act() {
    std::lock_guard<std::mutex> lk(mu);
    actions.push_back(Clock::now());
  }
  template <class T>
  std::vector<T> snapshot(const std::vector<T>& v) {
    std::lock_guard<std::mutex> lk(mu);
    return v;
  }
};

std::vector<ReplayJob> jobs(std::initializer_list<const char*> ids) {
  std::vector<ReplayJob> out;
  for (const char* id : ids) {
    ReplayJob j;
    j.id = id;
    j.prompt = "prompt";
    j.project = "/project";
    out.push_back(std::move(j));
  }
  return out;
}

// Polls until `done` holds (the thread works on its own time), up to 5 s.
template <class F>
bool eventually(F done) {
  for (int i = 0; i < 500; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

TEST(WarmReplays, PreparesTheNextCallsInOrderAndHandsEachToItsOwnCall) {
  Recorder r;
  WarmReplays w(r.hooks(), 2);
  w.expect(jobs({"a", "b", "c", "d"}));
  ASSERT_TRUE(eventually([&] { return r.snapshot(r.started).size() == 2; }));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(r.snapshot(r.prepared), (std::vector<std::string>{"a", "b"})) << "only the next `depth` calls";
  EXPECT_EQ(r.snapshot(r.started), (std::vector<std::string>{"a", "b"}));

  std::unique_ptr<PreparedReplay> a = w.take("a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->o.notes.front(), "a");
  ASSERT_TRUE(eventually([&] { return r.snapshot(r.started).size() == 3; })) << "the window moves on to c";
  EXPECT_EQ(r.snapshot(r.prepared).back(), "c");
  EXPECT_EQ(w.take("nobody"), nullptr);
  const WarmReplays::Stats st = w.stats();
  EXPECT_EQ(st.prepared, 3);
  EXPECT_EQ(st.started, 3);
  EXPECT_EQ(st.taken, 1);
}

TEST(WarmReplays, WorksOnlyWhileACoreIsIdle) {
  Recorder r;
  r.idle = 0.2;  // the replays in flight use the machine
  WarmReplays w(r.hooks(), 4);
  w.expect(jobs({"a", "b"}));
  std::this_thread::sleep_for(200ms);
  EXPECT_TRUE(r.snapshot(r.prepared).empty());
  EXPECT_EQ(w.take("a"), nullptr) << "not ready: the call runs cold";
  r.idle = 1.5;
  ASSERT_TRUE(eventually([&] { return r.snapshot(r.started).size() == 1; }));
  EXPECT_EQ(r.snapshot(r.prepared), std::vector<std::string>{"b"}) << "a was taken: never prepared";
}

TEST(WarmReplays, ACallWaitsForItsReplayBeingPreparedRightThen) {
  Recorder r;
  r.prepare_ms = 300;
  WarmReplays w(r.hooks(), 1);
  w.expect(jobs({"a"}));
  std::this_thread::sleep_for(50ms);  // the thread is inside prepare("a")
  const auto t0 = std::chrono::steady_clock::now();
  std::unique_ptr<PreparedReplay> a = w.take("a");
  ASSERT_TRUE(a) << "waited for it instead of preparing the same directory twice";
  EXPECT_GT(std::chrono::steady_clock::now() - t0, 100ms);
}

TEST(WarmReplays, ForgottenAndLeftoverReplaysAreDropped) {
  Recorder r;
  {
    WarmReplays w(r.hooks(), 3);
    w.expect(jobs({"a", "b", "c"}));
    ASSERT_TRUE(eventually([&] { return r.snapshot(r.started).size() == 3; }));
    w.forget({"a", "b", "unknown"});
    EXPECT_EQ(w.take("a"), nullptr);
    const WarmReplays::Stats st = w.stats();
    EXPECT_EQ(st.dropped, 2);
    w.expect(jobs({"c", "d"}));  // c is queued already: not twice
    ASSERT_TRUE(eventually([&] { return r.snapshot(r.started).size() == 4; }));
    EXPECT_EQ(r.snapshot(r.prepared), (std::vector<std::string>{"a", "b", "c", "d"}));
  }  // c and d were never called: the destructor drops them and returns
  SUCCEED();
}

TEST(WarmReplays, AFailedPreparationLeavesTheCallToRunCold) {
  Recorder r;
  r.fail_id = "a";
  WarmReplays w(r.hooks(), 2);
  w.expect(jobs({"a", "b"}));
  ASSERT_TRUE(eventually([&] { return w.stats().failed == 1 && w.stats().started == 1; }));
  EXPECT_EQ(w.take("a"), nullptr);
  EXPECT_NE(w.take("b"), nullptr);
}

TEST(WarmReplays, DepthZeroPreparesNothingAndAgentsThatReadInputFirstAreNotStarted) {
  Recorder r;
  {
    WarmReplays w(r.hooks(), 0);
    w.expect(jobs({"a"}));
    std::this_thread::sleep_for(100ms);
    EXPECT_EQ(w.take("a"), nullptr);
  }
  EXPECT_TRUE(r.snapshot(r.prepared).empty());
  WarmReplays::Hooks h = r.hooks();
  h.start = nullptr;  // Codex: only the workspace is made ahead
  WarmReplays w(std::move(h), 2);
  w.expect(jobs({"x"}));
  ASSERT_TRUE(eventually([&] { return w.stats().prepared == 1; }));
  std::this_thread::sleep_for(50ms);
  EXPECT_TRUE(r.snapshot(r.started).empty());
  EXPECT_NE(w.take("x"), nullptr);
}

// A call that came may be running its replay in the job's directory: a later batch that
// announces the same job (the cache's single-flight joins it to that call) must not prepare
// that directory again.
TEST(WarmReplays, AJobWhoseCallCameIsNeverPreparedAgain) {
  Recorder r;
  WarmReplays w(r.hooks(), 4);
  EXPECT_EQ(w.take("cold"), nullptr) << "called before it was announced: it runs cold";
  w.expect(jobs({"a"}));
  ASSERT_TRUE(eventually([&] { return r.snapshot(r.started).size() == 1; }));
  ASSERT_NE(w.take("a"), nullptr);
  w.expect(jobs({"a", "cold", "b"}));  // a second batch while a and cold run
  ASSERT_TRUE(eventually([&] { return r.snapshot(r.started).size() == 2; }));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(r.snapshot(r.prepared), (std::vector<std::string>{"a", "b"}));
}

// A call cancelled while it waits for its replay's setup cuts that setup short (it does not
// wait out a setup command's timeout), and still gets the replay: the directory is its own.
TEST(WarmReplays, ACancelledCallStopsTheSetupItWaitsFor) {
  Recorder r;
  r.slow_setup_id = "a";
  WarmReplays w(r.hooks(), 1);
  w.expect(jobs({"a"}));
  ASSERT_TRUE(eventually([&] { return r.snapshot(r.actions).size() == 1; }));  // inside prepare("a")
  std::this_thread::sleep_for(100ms);
  EXPECT_FALSE(r.setup_stopped);
  const auto t0 = Clock::now();
  std::unique_ptr<PreparedReplay> a = w.take("a", [] { return true; });
  EXPECT_LT(Clock::now() - t0, 3s);
  EXPECT_TRUE(r.setup_stopped) << "the setup was told to stop";
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->o.notes.front(), "a");
}

TEST(WarmReplays, ForgettingAReplayBeingPreparedStopsItsSetup) {
  Recorder r;
  r.slow_setup_id = "a";
  WarmReplays w(r.hooks(), 1);
  w.expect(jobs({"a"}));
  ASSERT_TRUE(eventually([&] { return r.snapshot(r.actions).size() == 1; }));
  w.forget({"a"});
  ASSERT_TRUE(eventually([&] { return w.stats().dropped == 1; }));
  EXPECT_TRUE(r.setup_stopped);
  EXPECT_EQ(w.take("a"), nullptr);
}

// Idleness is read over a whole window begun after the last piece of work: a fresh baseline,
// then poll_s later the reading, so an agent just started counts as busy.
TEST(WarmReplays, ReadsIdlenessOverAWholeWindowAfterEachPieceOfWork) {
  Recorder r;
  WarmReplays::Hooks h = r.hooks();
  h.poll_s = 0.05;
  WarmReplays w(std::move(h), 2);
  w.expect(jobs({"a", "b"}));
  ASSERT_TRUE(eventually([&] { return r.snapshot(r.started).size() == 2; }));
  const auto looks = r.snapshot(r.looks);
  const auto actions = r.snapshot(r.actions);
  ASSERT_EQ(actions.size(), 4u);  // prepare a, prepare b, start a, start b
  for (std::size_t i = 0; i < actions.size(); ++i) {
    const Clock::time_point from = i == 0 ? Clock::time_point{} : actions[i - 1];
    std::vector<Clock::time_point> between;
    for (const auto& t : looks)
      if (t > from && t < actions[i]) between.push_back(t);
    ASSERT_GE(between.size(), 2u) << "a baseline and a reading before action " << i;
    EXPECT_GE(between.back() - between[between.size() - 2], 45ms) << "the reading spans the window";
  }
}

TEST(WarmReplays, AnAgentThatDidNotStartIsNotCountedAsStarted) {
  Recorder r;
  r.start_ok = false;
  WarmReplays w(r.hooks(), 1);
  w.expect(jobs({"a"}));
  ASSERT_TRUE(eventually([&] { return r.snapshot(r.started).size() == 1; }));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(w.stats().started, 0);
  EXPECT_NE(w.take("a"), nullptr) << "its workspace is still ready; the call starts the agent";
}

}  // namespace
}  // namespace skillpipe::backend_agent

namespace skillpipe::backend_agent {
namespace {

TEST(IdleCores, MeasuresTheCoresLeftIdleBetweenTwoLooks) {
  ASSERT_TRUE(read_cpu_ticks().has_value()) << "/proc/stat is readable on Linux";
  IdleCores idle;
  EXPECT_EQ(idle(), 0) << "the first look has nothing to compare with";
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const double v = idle();
  EXPECT_GE(v, 0);
  EXPECT_LE(v, std::max(1u, std::thread::hardware_concurrency()) + 1e-9);
}

}  // namespace
}  // namespace skillpipe::backend_agent
