// memory_store.hpp - an in-memory Store for the offline tests: state, streams and
// artifacts in maps, one night open, stage() recorded. Adoption is not modelled (the
// store_files tests cover it); those calls answer "refused".
#pragma once

#include <map>
#include <string>
#include <vector>

#include "skillpipe/store.hpp"

namespace skillpipe::testing {

class MemoryStore : public Store {
 public:
  explicit MemoryStore(std::string night_dir = {}, std::string night_id = "0001-test");

  NightHandle open_night(const std::string& project, Context& ctx) override;
  void close_night(bool completed) override;
  const NightHandle& night() const override { return night_; }
  void append(std::string_view stream, const std::vector<std::string>& json_lines) override;
  std::vector<std::string> read(std::string_view stream) const override;
  void write_artifact(std::string_view relpath, std::string_view content) override;
  std::optional<std::string> read_artifact(std::string_view relpath) const override;
  void stage(const std::vector<Proposal>& proposals, const NightReport& report) override;
  std::vector<NightReport> past_reports(std::string_view project) const override;
  std::optional<std::string> get_state(std::string_view key) const override;
  void put_state(std::string_view key, std::string_view value) override;
  std::optional<std::string> cache_get(std::string_view key) const override;
  void cache_put(std::string_view key, std::string_view value) override;
  CommandResult status(std::string_view project, bool json) override;
  CommandResult adopt(const AdoptRequest& request, bool json) override;
  CommandResult rollback(const RollbackRequest& request, bool json) override;
  CommandResult history(std::string_view project, bool json) override;

  // Starts the next night (keeps state), as a new run would.
  void next_night(const std::string& night_id);

  std::map<std::string, std::string, std::less<>> state;
  std::map<std::string, std::vector<std::string>, std::less<>> streams;
  std::map<std::string, std::string, std::less<>> artifacts;
  std::vector<Proposal> staged;
  std::vector<NightReport> reports;
  int put_state_calls = 0;

 private:
  NightHandle night_;
};

}  // namespace skillpipe::testing
