#include "memory_store.hpp"

namespace skillpipe::testing {

MemoryStore::MemoryStore(std::string night_dir, std::string night_id) {
  night_.project = "/tmp/project";
  night_.night_id = std::move(night_id);
  night_.dir = std::move(night_dir);
}

NightHandle MemoryStore::open_night(const std::string& project, Context&) {
  night_.project = project;
  return night_;
}
void MemoryStore::close_night(bool) {}

void MemoryStore::next_night(const std::string& night_id) {
  night_.night_id = night_id;
  streams.clear();
  artifacts.clear();
}

void MemoryStore::append(std::string_view stream, const std::vector<std::string>& lines) {
  auto& v = streams[std::string(stream)];
  v.insert(v.end(), lines.begin(), lines.end());
}
std::vector<std::string> MemoryStore::read(std::string_view stream) const {
  const auto it = streams.find(stream);
  return it == streams.end() ? std::vector<std::string>{} : it->second;
}
void MemoryStore::write_artifact(std::string_view relpath, std::string_view content) {
  artifacts[std::string(relpath)] = std::string(content);
}
std::optional<std::string> MemoryStore::read_artifact(std::string_view relpath) const {
  const auto it = artifacts.find(relpath);
  if (it == artifacts.end()) return std::nullopt;
  return it->second;
}
void MemoryStore::stage(const std::vector<Proposal>& proposals, const NightReport& report) {
  staged = proposals;
  reports.push_back(report);
}
std::vector<NightReport> MemoryStore::past_reports(std::string_view) const { return reports; }
std::optional<std::string> MemoryStore::get_state(std::string_view key) const {
  const auto it = state.find(key);
  if (it == state.end()) return std::nullopt;
  return it->second;
}
void MemoryStore::put_state(std::string_view key, std::string_view value) {
  ++put_state_calls;
  state[std::string(key)] = std::string(value);
}
std::optional<std::string> MemoryStore::cache_get(std::string_view) const { return std::nullopt; }
void MemoryStore::cache_put(std::string_view, std::string_view) {}

namespace {
CommandResult refused() {
  CommandResult r;
  r.exit_code = 2;
  r.text = "the in-memory test store does not adopt\n";
  return r;
}
}  // namespace

CommandResult MemoryStore::status(std::string_view, bool) { return refused(); }
CommandResult MemoryStore::adopt(const AdoptRequest&, bool) { return refused(); }
CommandResult MemoryStore::rollback(const RollbackRequest&, bool) { return refused(); }
CommandResult MemoryStore::history(std::string_view, bool) { return refused(); }

}  // namespace skillpipe::testing
