// state_store.hpp - a Store that keeps only per-project state (all a harvester touches: its
// cursors). Header-only and free of GoogleTest, so the harvest tests and the harvest benchmark
// drive the plugins through the same double.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "skillpipe/errors.hpp"
#include "skillpipe/records.hpp"
#include "skillpipe/store.hpp"

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

}  // namespace skillpipe::testing
