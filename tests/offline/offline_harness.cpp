#include "offline_harness.hpp"

#include <cstdlib>
#include <stdexcept>

#include "skillpipe/config.hpp"
#include "skillpipe/json.hpp"

namespace skillpipe::testing {

std::vector<SessionDigest> load_digests(const std::string& path, const std::string& project) {
  std::vector<SessionDigest> out;
  if (!for_each_jsonl_line(
          path, [&](std::string_view line, std::int64_t) { out.push_back(record_from_json<SessionDigest>(line)); }))
    throw std::runtime_error("cannot open " + path);
  if (!project.empty())
    for (auto& d : out) d.project = project;
  return out;
}

std::string offline_data(const std::string& name) { return test_data_dir() + "/offline/" + name; }

ScopedEnv::ScopedEnv(const char* name, const std::string& value) : name_(name) {
  if (const char* v = std::getenv(name)) {
    had_ = true;
    old_ = v;
  }
  ::setenv(name, value.c_str(), 1);
}

ScopedEnv::~ScopedEnv() {
  if (had_)
    ::setenv(name_.c_str(), old_.c_str(), 1);
  else
    ::unsetenv(name_.c_str());
}

OfflineNight::OfflineNight(std::string project, MemoryStore& store) : registry_(make_registry()) {
  services_.store = &store;
  run_.project = std::move(project);
  run_.night_id = store.night().night_id;
}

OfflineNight::~OfflineNight() = default;

std::vector<TaskRecord> OfflineNight::mine(const std::vector<SessionDigest>& digests, const std::string& config_json) {
  auto miner = registry_->create_as<Miner>("mine_patterns");
  run_.night_id = services_.store->night().night_id;
  host::BasicContext ctx("patterns", run_, &services_);
  miner->configure(Config::parse(config_json), ctx);
  auto out = miner->mine(DigestList(digests), ctx);
  miner->finish(ctx);
  counts_ = ctx.counts();
  return out;
}

ConsolidateResult OfflineNight::consolidate(const std::vector<SessionDigest>& digests,
                                            const std::vector<TaskRecord>& tasks, const std::string& config_json) {
  auto c = registry_->create_as<Consolidator>("consolidate_draft");
  run_.night_id = services_.store->night().night_id;
  host::BasicContext ctx("draft", run_, &services_);
  c->configure(Config::parse(config_json), ctx);
  ConsolidateInput in;
  in.digests = std::make_shared<DigestList>(digests);
  in.tasks = tasks;
  auto out = c->consolidate(in, ctx);
  c->finish(ctx);
  counts_ = ctx.counts();
  return out;
}

}  // namespace skillpipe::testing
