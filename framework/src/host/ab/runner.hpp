// ab/runner.hpp - runs the arms of an A/B experiment on the same tasks and the same replays.
//
// How "the same replays" is guaranteed: each arm instantiates its pipeline's store,
// backends and judge stages (nothing else). Replays are produced once per distinct replay
// setup (backend plugin + config + identity, attempt template, skill, memory, rollouts)
// through the host's evaluation service, so prompts are exactly a night's prompts and
// answers go through the store's response cache; every arm with that setup then scores the
// very same ReplayResult records with its own judges. With `replays:` in the experiment
// file nothing is replayed at all. Each arm reports a fingerprint of the replays it scored.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "host/ab/spec.hpp"
#include "skillpipe/records.hpp"

namespace skillpipe::host::ab {

struct Usage {
  TokenUsage tokens;
  double cost_usd = 0;
  std::int64_t calls = 0;
  std::int64_t cached_calls = 0;
};

// One task as one arm scored it: means over samples of the mean over judges.
struct ArmTask {
  std::optional<double> hard;  // nullopt: every replay of the task failed
  std::optional<double> soft;
  int samples = 0;
  int errors = 0;
  std::vector<Verdict> verdicts;
};

struct ArmResult {
  std::string name;
  std::vector<std::string> sets;
  std::vector<std::string> judges;  // "stage_id (plugin)"
  // The documents its replays ran under: path ("" = none) and sha256 of the text used.
  std::string skill_file, skill_sha256;
  std::string memory_file, memory_sha256;
  std::string backend;              // identity of the replay backend ("" with a replays file)
  std::vector<ArmTask> tasks;       // in the order of AbRun::tasks
  Usage replay;                     // what its replays cost (shared ones included)
  Usage judging;                    // backend calls the judges made
  std::string replays_from;         // "" fresh, "file", or the arm whose replays it reused
  std::string replay_fingerprint;   // sha256 prefix over (task, sample, response, error)
  double seconds = 0;
};

struct AbRun {
  AbSpec spec;
  std::vector<TaskRecord> tasks;
  std::vector<ArmResult> arms;
  std::vector<std::string> errors;  // formatted; non-empty means nothing was compared
  std::vector<std::string> warnings;
  int exit_code = 0;  // 0 ok, 1 failed, 2 config, 3 plugin load
};

struct RunOptions {
  std::vector<std::string> plugin_dirs;  // --plugin-path
  std::vector<std::string> sets;         // --set, applied to every arm after the file's
  std::string store_root;                // --store
  std::string project;                   // --project
};

AbRun run_ab(const AbSpec& spec, const RunOptions& options);

// Loads TaskRecord or ReplayResult JSONL; errors name the file and line.
std::vector<TaskRecord> load_tasks(const std::string& path, const std::vector<std::string>& splits,
                                   std::vector<std::string>& errors);
std::vector<ReplayResult> load_replays(const std::string& path, const std::string& variant,
                                       std::vector<std::string>& errors);

}  // namespace skillpipe::host::ab
