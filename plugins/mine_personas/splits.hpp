// splits.hpp - SkillOpt-Sleep's train/val/test assignment, reproduced exactly.
//
//   bucket = int(sha256(str(seed) + task_id), 16) mod 100
//   bucket < round(val_fraction*100)                         -> val
//   bucket < that + round(test_fraction*100)                 -> test
//   otherwise                                                 -> train
// round() is Python's (half to even). Dream tasks always go to train. With >= 2 real tasks,
// val is made non-empty by promoting the lowest-hash train task (then, only if needed, a
// test task), and train is made non-empty by promoting the lowest-hash val task.
#pragma once

#include <string>
#include <vector>

#include "skillpipe/records.hpp"

namespace skillpipe::mine_personas {

struct SplitOptions {
  long long seed = 42;
  double val_fraction = 0.34;
  double test_fraction = 0.0;
};

// sha256(str(seed)+id) as a 64-digit lower-case hex number (ties among promotions are
// broken by it); its value mod 100 is split_bucket(str(seed), id) (skillpipe/kit/split.hpp).
std::string split_hash(long long seed, const std::string& id);

// Sets `split` on every task; returns notes about promotions. Throws ConfigError for
// fractions outside [0,1] or summing to 1 or more.
std::vector<std::string> assign_splits(std::vector<TaskRecord>& tasks, const SplitOptions& opt);

}  // namespace skillpipe::mine_personas
