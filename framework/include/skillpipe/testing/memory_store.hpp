// memory_store.hpp - an in-memory Store for tests (header-only, no GoogleTest), like the
// OpenTelemetry Collector's componenttest doubles: nights, streams, artifacts, state and the
// response cache in maps, thread-safe, with the Store contract's behaviour - open_night()
// resumes an unfinished night, a staged night is final, close_night() is safe twice. It cannot
// adopt (adoption() is nullptr). State is one map for the whole store, not one per project.
//
//   skillpipe::testing::MemoryStore store;             // night "0001-test" already open
//   services.store = &store;                            // hand it to a stage under test
//   store.put_state("mine_tasks/splits", "...");        // seed state
//   EXPECT_EQ(store.cache_size(), 5u);                  // inspect what the stage did
//
// Two MemoryStore objects made from one shared Data see the same nights, state and cache,
// which is how a test models a killed run and its resume.
#pragma once

#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "skillpipe/errors.hpp"
#include "skillpipe/store.hpp"

namespace skillpipe::testing {

class MemoryStore : public Store {
 public:
  struct Night {
    NightHandle handle;
    bool published = false;
    bool abandoned = false;
    std::map<std::string, std::vector<std::string>, std::less<>> streams;
    std::map<std::string, std::string, std::less<>> artifacts;
    std::optional<NightReport> report;
    std::vector<Proposal> proposals;
  };
  struct Data {
    std::mutex mu;
    std::deque<Night> nights;  // a deque: handles returned by night() stay valid
    std::map<std::string, std::string, std::less<>> state;
    std::map<std::string, std::string, std::less<>> cache;
    int put_state_calls = 0, cache_hits = 0, cache_puts = 0;
  };

  // With a night id, that night is open at once for "/test/project" (what a test of one stage
  // needs); with "" no night is open until open_night().
  explicit MemoryStore(std::string night_dir = {}, std::string night_id = "0001-test",
                       std::shared_ptr<Data> data = std::make_shared<Data>())
      : data_(std::move(data)) {
    if (!night_id.empty()) start(std::move(night_id), std::move(night_dir), "/test/project");
  }
  // Another view of the same nights, state and cache (a resumed run), with no night open.
  static std::unique_ptr<MemoryStore> sharing(std::shared_ptr<Data> data) {
    return std::make_unique<MemoryStore>(std::string(), std::string(), std::move(data));
  }
  std::shared_ptr<Data> data() const { return data_; }

  // ---- NightStore ----
  NightHandle open_night(const std::string& project, Context&) override {
    std::lock_guard<std::mutex> lk(data_->mu);
    if (open_ && data_->nights[*open_].handle.project == project) return data_->nights[*open_].handle;
    if (open_) throw Error("memory store: night " + current().handle.night_id + " is already open");
    for (std::size_t i = 0; i < data_->nights.size(); ++i) {
      Night& n = data_->nights[i];
      if (n.handle.project == project && !n.published && !n.abandoned) {
        n.handle.resumed = true;
        open_ = i;
        return n.handle;
      }
    }
    char id[32];
    std::snprintf(id, sizeof id, "%04zu-memory", data_->nights.size() + 1);
    return start_locked(id, {}, project);
  }
  void close_night(bool completed) override {
    std::lock_guard<std::mutex> lk(data_->mu);
    if (!open_) return;
    if (completed) current().published = true;  // finished without staging: published, no report
    open_.reset();
  }
  const NightHandle& night() const override {
    static const NightHandle none;
    std::lock_guard<std::mutex> lk(data_->mu);
    return open_ ? data_->nights[*open_].handle : none;
  }
  void append(std::string_view stream, const std::vector<std::string>& lines) override {
    std::lock_guard<std::mutex> lk(data_->mu);
    auto& v = writable().streams[std::string(stream)];
    v.insert(v.end(), lines.begin(), lines.end());
  }
  std::vector<std::string> read(std::string_view stream) const override {
    std::lock_guard<std::mutex> lk(data_->mu);
    const auto& s = opened().streams;
    const auto it = s.find(stream);
    return it == s.end() ? std::vector<std::string>{} : it->second;
  }
  void write_artifact(std::string_view relpath, std::string_view content) override {
    std::lock_guard<std::mutex> lk(data_->mu);
    writable().artifacts[std::string(relpath)] = std::string(content);
  }
  std::optional<std::string> read_artifact(std::string_view relpath) const override {
    std::lock_guard<std::mutex> lk(data_->mu);
    const auto& a = opened().artifacts;
    const auto it = a.find(relpath);
    if (it == a.end()) return std::nullopt;
    return it->second;
  }
  void stage(const std::vector<Proposal>& proposals, const NightReport& report) override {
    std::lock_guard<std::mutex> lk(data_->mu);
    Night& n = writable();
    n.proposals = proposals;
    n.report = report;
    n.report->night_id = n.handle.night_id;
    n.published = true;
  }
  std::vector<NightInfo> nights(std::string_view project) const override {
    std::lock_guard<std::mutex> lk(data_->mu);
    std::vector<NightInfo> out;
    for (const auto& n : data_->nights)
      if (n.handle.project == project) out.push_back({n.handle.night_id, n.handle.dir, n.published, n.abandoned});
    return out;
  }
  std::vector<NightReport> past_reports(std::string_view project) const override {
    std::lock_guard<std::mutex> lk(data_->mu);
    std::vector<NightReport> out;
    for (const auto& n : data_->nights)
      if (n.published && n.report && (project.empty() || n.handle.project == project)) out.push_back(*n.report);
    return out;
  }

  // ---- StateStore ----
  std::optional<std::string> get_state(std::string_view key) const override {
    std::lock_guard<std::mutex> lk(data_->mu);
    const auto it = data_->state.find(key);
    if (it == data_->state.end()) return std::nullopt;
    return it->second;
  }
  void put_state(std::string_view key, std::string_view value) override {
    std::lock_guard<std::mutex> lk(data_->mu);
    ++data_->put_state_calls;
    data_->state[std::string(key)] = std::string(value);
  }
  std::optional<std::string> cache_get(std::string_view key) const override {
    std::lock_guard<std::mutex> lk(data_->mu);
    const auto it = data_->cache.find(key);
    if (it == data_->cache.end()) return std::nullopt;
    ++data_->cache_hits;
    return it->second;
  }
  void cache_put(std::string_view key, std::string_view value) override {
    std::lock_guard<std::mutex> lk(data_->mu);
    ++data_->cache_puts;
    data_->cache[std::string(key)] = std::string(value);
  }

  // ---- for tests ----
  // Finishes the open night and opens `night_id` for the same project, as the next run would;
  // state and cache are kept.
  void next_night(std::string night_id, std::string night_dir = {}) {
    std::lock_guard<std::mutex> lk(data_->mu);
    std::string project = "/test/project";
    if (open_) {
      project = current().handle.project;
      current().published = true;
    }
    start_locked(std::move(night_id), std::move(night_dir), project);
  }
  std::map<std::string, std::string, std::less<>> state() const { return locked(&Data::state); }
  void clear_state() {
    std::lock_guard<std::mutex> lk(data_->mu);
    data_->state.clear();
  }
  void erase_state(std::string_view key) {
    std::lock_guard<std::mutex> lk(data_->mu);
    if (auto it = data_->state.find(key); it != data_->state.end()) data_->state.erase(it);
  }
  int put_state_calls() const { return locked(&Data::put_state_calls); }
  std::size_t cache_size() const { return locked(&Data::cache).size(); }
  int cache_hits() const { return locked(&Data::cache_hits); }
  int cache_puts() const { return locked(&Data::cache_puts); }
  // The open night's artifacts, and what the latest staged night proposed.
  std::map<std::string, std::string, std::less<>> artifacts() const {
    std::lock_guard<std::mutex> lk(data_->mu);
    return opened().artifacts;
  }
  std::vector<Proposal> staged() const {
    std::lock_guard<std::mutex> lk(data_->mu);
    for (auto it = data_->nights.rbegin(); it != data_->nights.rend(); ++it)
      if (it->report) return it->proposals;
    return {};
  }

 private:
  template <class T>
  T locked(T Data::*member) const {
    std::lock_guard<std::mutex> lk(data_->mu);
    return (*data_).*member;
  }
  void start(std::string id, std::string dir, std::string project) {
    std::lock_guard<std::mutex> lk(data_->mu);
    start_locked(std::move(id), std::move(dir), std::move(project));
  }
  const NightHandle& start_locked(std::string id, std::string dir, std::string project) {
    Night n;
    n.handle = {std::move(project), std::move(id), std::move(dir), false};
    data_->nights.push_back(std::move(n));
    open_ = data_->nights.size() - 1;
    return data_->nights.back().handle;
  }
  Night& current() { return data_->nights[*open_]; }
  const Night& opened() const {
    if (!open_) throw Error("memory store: no night is open (open_night() first)");
    return data_->nights[*open_];
  }
  Night& writable() {
    if (!open_) throw Error("memory store: no night is open (open_night() first)");
    if (current().published) throw Error("memory store: night " + current().handle.night_id + " is already published");
    return current();
  }

  std::shared_ptr<Data> data_;
  std::optional<std::size_t> open_;
};

}  // namespace skillpipe::testing
