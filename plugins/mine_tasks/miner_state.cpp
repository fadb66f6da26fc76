// miner_state.cpp - the miner's cross-night state: its JSON forms, and loading it from the store (miner_state.hpp).
#include "miner_state.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "skillpipe/errors.hpp"
#include "skillpipe/fields.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/stage.hpp"
#include "skillpipe/store.hpp"

namespace skillpipe::mine_tasks {

namespace {

// <prefix>/splits, as its fields.
struct SplitState {
  std::string format = "mine_tasks.splits.v1";
  std::string seed;
  std::map<std::string, Split> assignments;
};
SKILLPIPE_FIELDS(SplitState) {
  v("format", r.format);
  v("seed", r.seed);
  v("assignments", r.assignments);
}

}  // namespace

std::map<std::string, Split> parse_splits(const std::string& json, std::string* seed) {
  SplitState st;
  read_json(json, st, "split state");
  if (seed && !st.seed.empty()) *seed = st.seed;
  return std::move(st.assignments);
}

std::string splits_to_json(const std::map<std::string, Split>& assigned, const std::string& seed) {
  return write_json(SplitState{"mine_tasks.splits.v1", seed, assigned});
}

std::vector<TaskRecord> parse_archive(const std::string& jsonl, int* bad_lines) {
  std::vector<TaskRecord> out;
  for (const auto& line : split(jsonl, '\n')) {
    if (trim(line).empty()) continue;
    try {
      out.push_back(record_from_json<TaskRecord>(line));
    } catch (const RecordError&) {
      if (bad_lines) ++*bad_lines;
    }
  }
  return out;
}

std::string archive_to_jsonl(const std::vector<TaskRecord>& archive) {
  std::string out;
  for (const auto& t : archive) out += to_json(t) + "\n";
  return out;
}

void update_archive(std::vector<TaskRecord>& archive, const std::vector<TaskRecord>& tonight, const std::string& night,
                    std::size_t cap) {
  for (const auto& t : tonight) {
    if (t.origin != Origin::kReal || starts_with(t.id, "recall:")) continue;
    TaskRecord a = t;
    a.attrs["last_night"] = night;
    auto it = std::find_if(archive.begin(), archive.end(), [&](const TaskRecord& x) { return x.id == t.id; });
    if (it != archive.end()) archive.erase(it);
    archive.push_back(std::move(a));  // newest last
  }
  if (archive.size() > cap) archive.erase(archive.begin(), archive.end() - static_cast<std::ptrdiff_t>(cap));
}

MinerState load_state(Store* store, const MinerOptions& o, Context& ctx) {
  MinerState state;
  if (!store) {
    ctx.logger().info("no store: split assignments and the task archive do not persist");
    return state;
  }
  const std::string skey = o.state_prefix + "/splits", akey = o.state_prefix + "/archive";
  if (auto s = store->get_state(skey); s && !trim(*s).empty()) {
    try {
      state.assigned = parse_splits(*s, &state.seed);
    } catch (const Error& e) {
      store->put_state(skey + ".corrupt", *s);
      ctx.logger().warn("{}; starting with no recorded splits (the old state is kept under '{}.corrupt')", e.what(), skey);
      ctx.count("state_reset");
    }
  }
  if (!state.seed.empty() && state.seed != o.seed && !state.assigned.empty())
    ctx.logger().warn("seed changed from {} to {}: tasks already assigned keep their split; new tasks use the new seed",
                      state.seed, o.seed);
  state.seed = o.seed;
  if (auto a = store->get_state(akey); a && !trim(*a).empty()) {
    int bad = 0;
    state.archive = parse_archive(*a, &bad);
    if (bad > 0) {
      ctx.logger().warn("task archive: {} unreadable line(s) skipped", bad);
      ctx.count("archive_bad_lines", bad);
    }
  }
  return state;
}

}  // namespace skillpipe::mine_tasks
