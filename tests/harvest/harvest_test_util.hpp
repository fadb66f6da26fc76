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
#include "skillpipe/testing/memory_store.hpp"
#include "test_support.hpp"

namespace skillpipe::testing {

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
