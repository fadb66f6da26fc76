// store_fixture.hpp - helpers for the store_files tests: a loaded, configured store, a
// sandbox with its own HOME and project, and whole-tree snapshots for comparing stores.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "skillpipe/records.hpp"
#include "skillpipe/store.hpp"
#include "test_support.hpp"

namespace store_test {

// A store_files instance as the host makes one: loaded from its .so and configured.
struct LoadedStore {
  std::unique_ptr<skillpipe::host::PluginRegistry> registry;
  skillpipe::host::Services services;
  std::unique_ptr<skillpipe::host::BasicContext> ctx;
  std::shared_ptr<skillpipe::Store> store;

  // `extra_config` is more JSON members, e.g. R"("resume": false)".
  LoadedStore(const std::string& root, const std::string& project, const std::string& extra_config = {});
  ~LoadedStore();
  skillpipe::Store& operator*() { return *store; }
  skillpipe::Store* operator->() { return store.get(); }
};

// A sandbox: <tmp>/home (HOME for the store and the CLI), <tmp>/project, <tmp>/store.
struct Sandbox {
  skillpipe::testing::TempDir tmp;
  std::string home, project, root;
  Sandbox();
  ~Sandbox();
  // Environment for CLI children: HOME and a fixed clock.
  std::vector<std::string> env() const;
  std::string skill_path(const std::string& name) const { return home + "/.claude/skills/" + name + "/SKILL.md"; }
  std::string memory_path() const { return project + "/CLAUDE.md"; }

 private:
  std::string old_home_;
};

skillpipe::Proposal make_proposal(const std::string& name, const std::string& target, const std::string& live_path,
                                  const std::string& proposed, const std::string& status = "accepted");
skillpipe::NightReport make_report();

// relative path -> bytes of every regular file under `dir` (lock files and temp files left
// out: their content is process bookkeeping).
std::map<std::string, std::string> snapshot(const std::string& dir);
std::string sha256(const std::string& s);
// Runs `fn` in a forked child and returns its exit status (128+signal when killed).
int in_child(const std::function<int()>& fn);

inline constexpr int kFaultExit = 86;  // store_files' fault-injection exit status
inline constexpr const char* kNow = "2026-01-02T03:17:00Z";

}  // namespace store_test
