#include "splits.hpp"

#include <optional>

#include "skillpipe/errors.hpp"
#include "skillpipe/kit/split.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::mine_personas {
namespace {

struct Key {
  std::string hash;
  std::string id;
  bool operator<(const Key& o) const { return hash != o.hash ? hash < o.hash : id < o.id; }
};

}  // namespace

std::string split_hash(long long seed, const std::string& id) { return sha256_hex(std::to_string(seed) + id); }

std::vector<std::string> assign_splits(std::vector<TaskRecord>& tasks, const SplitOptions& opt) {
  for (const auto& [name, v] :
       {std::pair<const char*, double>{"val_fraction", opt.val_fraction}, {"test_fraction", opt.test_fraction}})
    if (!(v >= 0.0 && v <= 1.0))
      throw ConfigError(std::string(name) + " must be between 0 and 1, got " + std::to_string(v),
                        std::string("/") + name);
  if (opt.val_fraction + opt.test_fraction >= 1.0)
    throw ConfigError("val_fraction + test_fraction must be below 1", "/val_fraction");
  std::vector<std::string> notes;
  std::size_t real = 0;
  for (auto& t : tasks) {
    if (t.origin == Origin::kDream) {
      t.split = Split::kTrain;
      continue;
    }
    ++real;
    t.split = split_of_bucket(split_bucket(std::to_string(opt.seed), t.id), opt.val_fraction, opt.test_fraction);
  }
  auto any = [&](Split s, bool real_only) {
    for (const auto& t : tasks)
      if (t.split == s && (!real_only || t.origin != Origin::kDream)) return true;
    return false;
  };
  auto promote = [&](Split to, Split from) -> bool {
    std::optional<std::size_t> best;
    Key best_key;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
      if (tasks[i].origin == Origin::kDream || tasks[i].split != from) continue;
      Key k{split_hash(opt.seed, tasks[i].id), tasks[i].id};
      if (!best || k < best_key) {
        best = i;
        best_key = k;
      }
    }
    if (!best) return false;
    tasks[*best].split = to;
    notes.push_back("task " + tasks[*best].id + " moved from " + to_string(from) + " to " + to_string(to) +
                    " so that " + to_string(to) + " is not empty");
    return true;
  };
  if (real >= 2 && !any(Split::kVal, true)) {
    promote(Split::kVal, Split::kTrain);
    if (!any(Split::kVal, true)) promote(Split::kVal, Split::kTest);
  }
  if (real >= 2 && !any(Split::kTrain, false)) promote(Split::kTrain, Split::kVal);
  return notes;
}

}  // namespace skillpipe::mine_personas
