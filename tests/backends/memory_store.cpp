#include "memory_store.hpp"

namespace skillpipe::testing {

namespace {
CommandResult unsupported() { return {1, "not supported by the test store", "{}"}; }
}  // namespace

void MemoryStore::set_night(std::string night_id, std::string dir) {
  std::lock_guard<std::mutex> lk(mu_);
  night_.project = "/test/project";
  night_.night_id = std::move(night_id);
  night_.dir = std::move(dir);
}

NightHandle MemoryStore::open_night(const std::string& project, Context&) {
  std::lock_guard<std::mutex> lk(mu_);
  night_.project = project;
  if (night_.night_id.empty()) night_.night_id = "0001-test";
  return night_;
}

void MemoryStore::close_night(bool) {}

void MemoryStore::append(std::string_view stream, const std::vector<std::string>& json_lines) {
  std::lock_guard<std::mutex> lk(mu_);
  auto& v = streams_[std::string(stream)];
  v.insert(v.end(), json_lines.begin(), json_lines.end());
}

std::vector<std::string> MemoryStore::read(std::string_view stream) const {
  std::lock_guard<std::mutex> lk(mu_);
  auto it = streams_.find(stream);
  return it == streams_.end() ? std::vector<std::string>{} : it->second;
}

void MemoryStore::write_artifact(std::string_view relpath, std::string_view content) {
  std::lock_guard<std::mutex> lk(mu_);
  artifacts_[std::string(relpath)] = std::string(content);
}

std::optional<std::string> MemoryStore::read_artifact(std::string_view relpath) const {
  std::lock_guard<std::mutex> lk(mu_);
  auto it = artifacts_.find(relpath);
  if (it == artifacts_.end()) return std::nullopt;
  return it->second;
}

void MemoryStore::stage(const std::vector<Proposal>&, const NightReport&) {}
std::vector<NightReport> MemoryStore::past_reports(std::string_view) const { return {}; }

std::optional<std::string> MemoryStore::get_state(std::string_view key) const {
  std::lock_guard<std::mutex> lk(mu_);
  auto it = state_.find(key);
  if (it == state_.end()) return std::nullopt;
  return it->second;
}

void MemoryStore::put_state(std::string_view key, std::string_view value) {
  std::lock_guard<std::mutex> lk(mu_);
  state_[std::string(key)] = std::string(value);
}

std::optional<std::string> MemoryStore::cache_get(std::string_view key) const {
  std::lock_guard<std::mutex> lk(mu_);
  auto it = cache_.find(key);
  if (it == cache_.end()) return std::nullopt;
  ++hits_;
  return it->second;
}

void MemoryStore::cache_put(std::string_view key, std::string_view value) {
  std::lock_guard<std::mutex> lk(mu_);
  cache_[std::string(key)] = std::string(value);
  ++puts_;
}

std::size_t MemoryStore::cache_size() const {
  std::lock_guard<std::mutex> lk(mu_);
  return cache_.size();
}

CommandResult MemoryStore::status(std::string_view, bool) { return unsupported(); }
CommandResult MemoryStore::adopt(const AdoptRequest&, bool) { return unsupported(); }
CommandResult MemoryStore::rollback(const RollbackRequest&, bool) { return unsupported(); }
CommandResult MemoryStore::history(std::string_view, bool) { return unsupported(); }

}  // namespace skillpipe::testing
