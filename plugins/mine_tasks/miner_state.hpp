// miner_state.hpp - what mine_tasks keeps in the store across nights (per project):
//   <prefix>/splits   {"format":"mine_tasks.splits.v1","seed":"42","assignments":{"<id>":"val",...}}
//   <prefix>/archive  JSONL of the real tasks of past nights (newest last), capped
#pragma once

#include <map>
#include <string>
#include <vector>

#include "miner_options.hpp"
#include "skillpipe/records.hpp"

namespace skillpipe {
class Context;
class Store;
}  // namespace skillpipe

namespace skillpipe::mine_tasks {

struct MinerState {
  std::string seed;                        // the seed the assignments were made with
  std::map<std::string, Split> assigned;
  std::vector<TaskRecord> archive;
};

// Throws Error with what is wrong; the caller decides how to recover.
std::map<std::string, Split> parse_splits(const std::string& json, std::string* seed);
std::string splits_to_json(const std::map<std::string, Split>& assigned, const std::string& seed);
std::vector<TaskRecord> parse_archive(const std::string& jsonl, int* bad_lines);
std::string archive_to_jsonl(const std::vector<TaskRecord>& archive);

// Adds or replaces tonight's real tasks (by id), stamps attrs.last_night, keeps the newest
// `cap` by last_seen.
void update_archive(std::vector<TaskRecord>& archive, const std::vector<TaskRecord>& tonight, const std::string& night,
                    std::size_t cap);

// The state of earlier nights from the store: unreadable splits are kept aside under
// '<key>.corrupt' and start over, unreadable archive lines are skipped (both counted and
// logged). Without a store nothing persists. The seed is always `o.seed`; a change is logged.
MinerState load_state(Store* store, const MinerOptions& o, Context& ctx);

}  // namespace skillpipe::mine_tasks
