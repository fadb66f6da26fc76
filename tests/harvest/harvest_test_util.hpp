// harvest_test_util.hpp - run the harvester plugins the way a pipeline does, against homes
// built in temporary directories from tests/data/harvest.
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "skillpipe/errors.hpp"
#include "skillpipe/records.hpp"
#include "skillpipe/store.hpp"
#include "test_support.hpp"

namespace skillpipe::testing {

// A Store that only keeps per-project state, which is all a harvester touches (cursors).
class StateStore : public Store {
 public:
  NightHandle open_night(const std::string&, Context&) override { throw Error("state store: no nights"); }
  void close_night(bool) override {}
  const NightHandle& night() const override { return night_; }
  void append(std::string_view, const std::vector<std::string>&) override { throw Error("state store: no streams"); }
  std::vector<std::string> read(std::string_view) const override { return {}; }
  void write_artifact(std::string_view, std::string_view) override { throw Error("state store: no artifacts"); }
  std::optional<std::string> read_artifact(std::string_view) const override { return std::nullopt; }
  void stage(const std::vector<Proposal>&, const NightReport&) override { throw Error("state store: no staging"); }
  std::vector<NightReport> past_reports(std::string_view) const override { return {}; }
  std::optional<std::string> get_state(std::string_view key) const override {
    std::lock_guard lk(mu_);
    auto it = state_.find(std::string(key));
    if (it == state_.end()) return std::nullopt;
    return it->second;
  }
  void put_state(std::string_view key, std::string_view value) override {
    std::lock_guard lk(mu_);
    state_[std::string(key)] = std::string(value);
    ++puts_;
  }
  std::optional<std::string> cache_get(std::string_view) const override { return std::nullopt; }
  void cache_put(std::string_view, std::string_view) override {}
  skillpipe::CommandResult status(std::string_view, bool) override { return {}; }
  skillpipe::CommandResult adopt(const AdoptRequest&, bool) override { return {}; }
  skillpipe::CommandResult rollback(const RollbackRequest&, bool) override { return {}; }
  skillpipe::CommandResult history(std::string_view, bool) override { return {}; }
  int puts() const { return puts_; }

 private:
  NightHandle night_;
  mutable std::mutex mu_;
  std::map<std::string, std::string> state_;
  int puts_ = 0;
};

struct HarvestOutput {
  std::vector<SessionDigest> digests;
  std::map<std::string, std::int64_t> counts;
  std::int64_t count(const std::string& k) const {
    auto it = counts.find(k);
    return it == counts.end() ? 0 : it->second;
  }
  const SessionDigest* find(const std::string& session_id) const {
    for (const auto& d : digests)
      if (d.session_id == session_id) return &d;
    return nullptr;
  }
};

struct HarvestRun {
  HarvestRun(std::string plugin_name, std::string config_json, std::string run_project = "all",
             std::string now = "", Store* state_store = nullptr)
      : plugin(std::move(plugin_name)), config(std::move(config_json)), project(std::move(run_project)),
        now_utc(std::move(now)), store(state_store) {}
  std::string plugin;
  std::string config;               // the stage config (JSON)
  std::string project;              // RunInfo::project
  std::string now_utc;              // RunInfo::now_utc ("" = real clock)
  Store* store = nullptr;
};

// Loads the plugin (.so), configures it and harvests. Throws what the plugin throws.
HarvestOutput harvest(const HarvestRun& run);

// tests/data/harvest/<rel>
std::string harvest_data(const std::string& rel);
// Copies a file or a directory tree (creating parents).
void copy_tree(const std::string& from, const std::string& to);
// Appends bytes to a file.
void append_text(const std::string& path, const std::string& text);
// zstd-compresses `from` into `to` (one frame).
void zstd_file(const std::string& from, const std::string& to);
// Sets a file's mtime (epoch seconds).
void set_mtime(const std::string& path, std::int64_t epoch_s);

}  // namespace skillpipe::testing
