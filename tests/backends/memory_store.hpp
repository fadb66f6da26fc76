// memory_store.hpp - an in-memory Store test double: response cache, state and night
// handle. Staging and adoption are not part of what backend tests exercise.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>

#include "skillpipe/store.hpp"

namespace skillpipe::testing {

class MemoryStore : public Store {
 public:
  // A night handle as if open_night() had run (dir may be "").
  void set_night(std::string night_id, std::string dir);

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

  std::size_t cache_size() const;
  int cache_hits() const { return hits_.load(); }
  int cache_puts() const { return puts_.load(); }

 private:
  mutable std::mutex mu_;
  NightHandle night_;
  std::map<std::string, std::string, std::less<>> cache_;
  std::map<std::string, std::string, std::less<>> state_;
  std::map<std::string, std::vector<std::string>, std::less<>> streams_;
  std::map<std::string, std::string, std::less<>> artifacts_;
  mutable std::atomic<int> hits_{0};
  std::atomic<int> puts_{0};
};

}  // namespace skillpipe::testing
