// offline_harness.hpp - drives mine_patterns and consolidate_draft as loaded plugins over
// an in-memory store, the way the host runs a night.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "host/basic_context.hpp"
#include "host/plugin_registry.hpp"
#include "skillpipe/testing/memory_store.hpp"
#include "skillpipe/records.hpp"
#include "skillpipe/stage.hpp"
#include "test_support.hpp"

namespace skillpipe::testing {

// Digests from a JSONL file (one SessionDigest per line); `project`, when given, replaces
// each session's project (the fixtures' sessions then ran in the test's own project).
std::vector<SessionDigest> load_digests(const std::string& path, const std::string& project = "");
std::string offline_data(const std::string& name);  // tests/data/offline/<name>

// Sets an environment variable for the object's lifetime (SKILLPIPE_NOW, HOME).
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value);
  ~ScopedEnv();
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::string old_;
  bool had_ = false;
};

class OfflineNight {
 public:
  // `project` is the night's project directory; backends may be added before running.
  OfflineNight(std::string project, MemoryStore& store);
  ~OfflineNight();

  void add_backend(const std::string& id, Backend* backend) { services_.backends[id] = backend; }
  RunFlags& flags() { return run_.flags; }

  std::vector<TaskRecord> mine(const std::vector<SessionDigest>& digests, const std::string& config_json = "{}");
  ConsolidateResult consolidate(const std::vector<SessionDigest>& digests, const std::vector<TaskRecord>& tasks,
                                const std::string& config_json);
  std::map<std::string, std::int64_t> last_counts() const { return counts_; }

 private:
  std::unique_ptr<host::PluginRegistry> registry_;
  host::Services services_;
  RunInfo run_;
  std::map<std::string, std::int64_t> counts_;
};

}  // namespace skillpipe::testing
