#include "warm_replays.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>

namespace skillpipe::backend_agent {

std::optional<CpuTicks> read_cpu_ticks() {
  std::FILE* f = std::fopen("/proc/stat", "r");
  if (!f) return std::nullopt;
  unsigned long long v[8] = {};
  const int n = std::fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                            &v[6], &v[7]);
  std::fclose(f);
  if (n < 8) return std::nullopt;
  CpuTicks t;
  t.busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
  t.total = t.busy + v[3] + v[4];
  return t;
}

double IdleCores::operator()() {
  const std::optional<CpuTicks> now = read_cpu_ticks();
  if (!now) return 0;
  const bool first = total_ == 0;
  const unsigned long long d_busy = now->busy - busy_, d_total = now->total - total_;
  busy_ = now->busy;
  total_ = now->total;
  if (first || d_total == 0) return 0;
  const double cores = std::max(1u, std::thread::hardware_concurrency());
  return cores * static_cast<double>(d_total - std::min(d_busy, d_total)) / static_cast<double>(d_total);
}

WarmReplays::WarmReplays(Hooks hooks, std::size_t depth) : hooks_(std::move(hooks)), depth_(depth) {}

WarmReplays::~WarmReplays() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  // The entries' destructors kill the agents and remove the workspaces.
}

std::deque<WarmReplays::Entry>::iterator WarmReplays::find(const std::string& id) {
  return std::find_if(queue_.begin(), queue_.end(), [&](const Entry& e) { return e.job.id == id; });
}

void WarmReplays::expect(std::vector<ReplayJob> jobs) {
  if (depth_ == 0) return;
  {
    std::lock_guard<std::mutex> lk(mu_);
    for (auto& j : jobs)
      if (!claimed_.count(j.id) && find(j.id) == queue_.end()) queue_.push_back(Entry{std::move(j), State::kQueued, false, false, nullptr});
    if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
  }
  cv_.notify_all();
}

void WarmReplays::forget(const std::vector<std::string>& ids) {
  std::vector<std::unique_ptr<PreparedReplay>> drop;  // destroyed outside the lock: it kills and removes
  {
    std::lock_guard<std::mutex> lk(mu_);
    for (const auto& id : ids) {
      auto it = find(id);
      if (it == queue_.end()) continue;
      if (it->state == State::kPreparing || it->state == State::kStarting) {
        it->forgotten = true;  // the thread drops it when done
        continue;
      }
      if (it->ready) {
        drop.push_back(std::move(it->ready));
        ++stats_.dropped;
      }
      queue_.erase(it);
    }
  }
  cv_.notify_all();
}

std::unique_ptr<PreparedReplay> WarmReplays::take(const std::string& id, const std::function<bool()>& cancelled) {
  std::unique_lock<std::mutex> lk(mu_);
  claimed_.insert(id);
  auto it = find(id);
  // Being worked on right now: finishing is quicker than starting over, and the work owns the
  // replay's directory, so a cancelled call still waits for it (its setup then stops early).
  auto busy = [&] {
    it = find(id);
    return it != queue_.end() && (it->state == State::kPreparing || it->state == State::kStarting);
  };
  while (busy()) {
    if (!it->hurried && cancelled && cancelled()) it->hurried = true;
    cv_.wait_for(lk, std::chrono::milliseconds(50));
  }
  if (it == queue_.end()) return nullptr;
  std::unique_ptr<PreparedReplay> out = std::move(it->ready);
  if (out) ++stats_.taken;
  queue_.erase(it);
  lk.unlock();
  cv_.notify_all();  // the window moved on
  return out;
}

WarmReplays::Stats WarmReplays::stats() const {
  std::lock_guard<std::mutex> lk(mu_);
  return stats_;
}

// The first entry in state `s` among the next `depth` calls.
WarmReplays::Entry* WarmReplays::first_in_window(State s) {
  const std::size_t window = std::min(depth_, queue_.size());
  for (std::size_t i = 0; i < window; ++i)
    if (queue_[i].state == s) return &queue_[i];
  return nullptr;
}

WarmReplays::Entry* WarmReplays::settle(const std::string& id, std::unique_ptr<PreparedReplay>& made) {
  auto it = find(id);  // deque references move when entries are erased: look it up again
  if (it != queue_.end() && !it->forgotten && !stopping_) return &*it;
  if (it != queue_.end()) {
    if (!made) made = std::move(it->ready);
    queue_.erase(it);
  }
  if (made) ++stats_.dropped;
  return nullptr;
}

void WarmReplays::prepare_one(std::unique_lock<std::mutex>& lk, Entry& e) {
  e.state = State::kPreparing;
  const ReplayJob job = e.job;
  lk.unlock();
  std::unique_ptr<PreparedReplay> made;
  try {
    made = hooks_.prepare(job, [this, &job] {
      std::lock_guard<std::mutex> g(mu_);
      const auto it = find(job.id);
      return stopping_ || it == queue_.end() || it->forgotten || it->hurried;
    });
  } catch (const std::exception&) {
    made.reset();  // the call runs cold and reports the problem itself
  }
  lk.lock();
  if (Entry* mine = settle(job.id, made)) {
    mine->state = made ? State::kReady : State::kFailed;
    ++(made ? stats_.prepared : stats_.failed);
    mine->ready = std::move(made);
  }
  lk.unlock();
  made.reset();  // dropped: kills nothing yet, removes the workspace - outside the lock
  lk.lock();
}

void WarmReplays::start_one(std::unique_lock<std::mutex>& lk, Entry& e) {
  e.state = State::kStarting;  // take() and forget() leave it alone until it is settled
  const std::string id = e.job.id;
  PreparedReplay* p = e.ready.get();
  lk.unlock();
  bool ok = false;
  try {
    ok = hooks_.start(*p);
  } catch (const std::exception&) {
    ok = false;  // no agent yet: the call starts it
  }
  lk.lock();
  std::unique_ptr<PreparedReplay> gone;
  if (Entry* mine = settle(id, gone)) {
    mine->state = State::kStarted;
    if (ok) ++stats_.started;
  }
  lk.unlock();
  gone.reset();  // forgotten meanwhile: kills the agent, removes the workspace
  lk.lock();
}

// Works only while a core is idle: the replays in flight come first, and a call whose replay
// is not ready yet runs cold, as it would without this.
void WarmReplays::run() {
  std::unique_lock<std::mutex> lk(mu_);
  bool rebase = true;  // the next idleness window starts now
  while (!stopping_) {
    if (!has_work()) {
      cv_.wait(lk);
      rebase = true;  // the time asleep says nothing about the load now
      continue;
    }
    if (hooks_.min_idle > 0 && !idle_enough(lk, rebase)) continue;
    if (Entry* e = first_in_window(State::kQueued))  // the window may have moved meanwhile
      prepare_one(lk, *e);
    else if (Entry* r = hooks_.start ? first_in_window(State::kReady) : nullptr)
      start_one(lk, *r);
    rebase = true;  // what was just done (an agent's start-up) shows in the next window
    cv_.notify_all();
  }
}

// Whether `min_idle` cores were idle over one window of poll_s, waited out here; the window
// starts now when `rebase` says the last reading is stale, else where that reading ended.
bool WarmReplays::idle_enough(std::unique_lock<std::mutex>& lk, bool& rebase) {
  if (rebase) {
    lk.unlock();
    hooks_.idle_cores();
    lk.lock();
    rebase = false;
  }
  // take() and forget() wake the thread; only stopping ends the window early.
  cv_.wait_for(lk, std::chrono::duration<double>(hooks_.poll_s), [this] { return stopping_; });
  if (stopping_) return false;
  lk.unlock();
  const double idle = hooks_.idle_cores();
  lk.lock();
  return !stopping_ && idle >= hooks_.min_idle;
}

bool WarmReplays::has_work() {
  return first_in_window(State::kQueued) || (hooks_.start && first_in_window(State::kReady));
}

}  // namespace skillpipe::backend_agent
