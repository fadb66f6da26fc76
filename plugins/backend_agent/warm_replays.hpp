// warm_replays.hpp - replays made ready before their calls come.
//
// An agent CLI spends seconds of CPU starting up before its first model call (Claude Code
// 2.1.197: about 1.4 CPU-s). The evaluation service says which replays are coming (the SDK's
// Lookahead); one thread here prepares the next `depth` of them - workspace, documents,
// scratch home, setup commands - and then starts their agents, to wait for their prompts.
// It works only while a core is idle: work that competed with the replays in flight (their
// agents' start-ups above all) would only delay them, and nice cannot help (each sandbox is
// its own session, and the kernel shares the CPU between sessions, not processes). So the
// next replays get ready while the ones in flight wait on the model. A call takes its prepared
// replay (waiting for it when it is being prepared right then) or, when there is none, runs
// cold. A replay whose call never comes is dropped: its agent killed, its workspace removed.
// It never reached the model, so it cost nothing but local work.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "replay_run.hpp"

namespace skillpipe::backend_agent {

// The whole machine's CPU time so far, in clock ticks, from /proc/stat's first line.
struct CpuTicks {
  unsigned long long busy = 0;   // all but idle and iowait
  unsigned long long total = 0;
};
std::optional<CpuTicks> read_cpu_ticks();

// Cores left idle since the previous call (0 on the first call, or when /proc/stat is unreadable).
class IdleCores {
 public:
  double operator()();

 private:
  unsigned long long busy_ = 0, total_ = 0;
};

class WarmReplays {
 public:
  struct Hooks {
    // Makes one replay's workspace ready; `stopping` turns true when it is no longer wanted
    // (forgotten, its call gave up waiting for it, or shutting down): setup commands stop then.
    // Throws when it cannot (the call then runs cold and reports why).
    std::function<std::unique_ptr<PreparedReplay>(const ReplayJob& job, const std::function<bool()>& stopping)> prepare;
    // Starts its agent, true when it did; empty when the agent reads its input before starting up.
    std::function<bool(PreparedReplay& p)> start;
    // Cores idle since the last call; the thread works only while `min_idle` were over a
    // whole window of `poll_s` begun after its last piece of work (so an agent it has just
    // started shows as busy, and /proc/stat's 10 ms ticks are not read over a few ms).
    std::function<double()> idle_cores = IdleCores();
    double min_idle = 0.75;  // 0: whatever the load
    double poll_s = 0.2;
  };
  WarmReplays(Hooks hooks, std::size_t depth);
  ~WarmReplays();  // stops the thread and drops every replay that was not taken
  WarmReplays(const WarmReplays&) = delete;
  WarmReplays& operator=(const WarmReplays&) = delete;

  // Queues jobs in the order their calls will come. A job already queued is skipped, and so is
  // one whose call came already: its replay may be running in the job's directory right now.
  void expect(std::vector<ReplayJob> jobs);
  // These calls will not come: drops their jobs and whatever was made ready for them.
  void forget(const std::vector<std::string>& ids);
  // The job's prepared replay, or null when there is none; either way the job is done with.
  // One being prepared right then is waited for; once `cancelled`, its setup is cut short.
  std::unique_ptr<PreparedReplay> take(const std::string& id, const std::function<bool()>& cancelled = nullptr);

  struct Stats {
    std::int64_t prepared = 0;  // workspaces made ready
    std::int64_t started = 0;   // agents started ahead
    std::int64_t taken = 0;     // prepared replays handed to their calls
    std::int64_t dropped = 0;   // prepared, never called
    std::int64_t failed = 0;    // could not be prepared
  };
  Stats stats() const;

 private:
  enum class State { kQueued, kPreparing, kReady, kStarting, kStarted, kFailed };
  struct Entry {
    ReplayJob job;
    State state = State::kQueued;
    bool forgotten = false;  // forgotten while the thread worked on it: dropped when done
    bool hurried = false;    // its call was cancelled while waiting for it: stop its setup
    std::unique_ptr<PreparedReplay> ready;
  };

  void run();
  bool idle_enough(std::unique_lock<std::mutex>& lk, bool& rebase);
  void prepare_one(std::unique_lock<std::mutex>& lk, Entry& e);
  void start_one(std::unique_lock<std::mutex>& lk, Entry& e);
  // The entry the thread worked on, or null when it is gone (taken, forgotten, stopping).
  Entry* settle(const std::string& id, std::unique_ptr<PreparedReplay>& made);
  Entry* first_in_window(State s);                          // under mu_
  bool has_work();                                          // under mu_
  std::deque<Entry>::iterator find(const std::string& id);  // under mu_

  Hooks hooks_;
  std::size_t depth_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Entry> queue_;  // not yet taken, in call order
  std::set<std::string> claimed_;  // ids whose call came (take): never prepared again
  Stats stats_;
  bool stopping_ = false;
  std::thread thread_;  // started by the first expect(); outlives every agent it started
};

}  // namespace skillpipe::backend_agent
