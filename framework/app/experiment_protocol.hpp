// experiment_protocol.hpp - SkillOpt-Sleep's deterministic proof experiment, run as
// ordinary skillpipe nights (see pipelines/experiment.yaml):
//
//   1. a fresh project folder under the store (optionally seeded with the fixture's
//      initial_skill / initial_memory, the user's own text);
//   2. up to N nights of mine_personas -> judge -> consolidate_reflect with backend_mock,
//      each accepted night adopted through the store so the next starts from it; early
//      stop once the val score reaches 1.0;
//   3. one evaluation-only night: the adopted live documents re-scored on val ("after");
//   4. the gate-safety probe: the harmful task + 3 persona tasks split at 0.5 (exactly
//      SkillOpt's), and when that split never lets the harmful rule be proposed, the same
//      probe with the harmful task forced into train, so the gate really has to refuse it.
// The harmful rules are the fixture's `__harmful__` text and every rule some task is
// tagged `breaks:<key>` by; the experiment passes only if none of them is ever accepted.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "skillpipe/records.hpp"

namespace skillpipe::app::experiment {

struct Fixture {
  std::string path;
  std::vector<std::string> personas;
  std::map<std::string, std::string> rule_text;
  bool has_harmful_task = false;
  std::map<std::string, std::string> harmful_rules;  // key -> text
  std::string initial_skill, initial_memory;         // seeded as the user's own documents
  std::vector<std::string> settings;                 // --set overrides the scenario needs
  std::string pipeline;                              // pipeline file name, "" = experiment.yaml
  std::string description;
};

// Throws Error naming the file and field.
Fixture read_fixture(const std::string& path);

struct Options {
  std::string persona = "researcher";
  int nights = 4;
  std::string fixture;   // "" = the pipeline folder's experiment_personas.json
  std::string pipeline;  // "" = the fixture's, else experiment.yaml
  std::string store;     // "" = $SKILLPIPE_STORE, else ~/.skillpipe
  std::vector<std::string> plugin_dirs;
  std::vector<std::string> sets;
  bool probe = true;
};

struct NightRow {
  int night = 0;
  std::string night_id, action, reason;
  std::optional<double> baseline, candidate;
  bool adopted = false;
  std::vector<Edit> accepted, rejected;
  int unmatched = 0;
};

struct ProbeRow {
  std::string kind;  // skillopt (split at 0.5) | forced (harmful task in train)
  std::string night_id, action, reason;
  std::vector<std::string> proposed;  // harmful rule keys the optimizer proposed
  std::vector<std::string> accepted;  // harmful rule keys the gate accepted
};

struct Result {
  int exit_code = 0;  // non-zero: a night failed to run (not: no lift)
  std::vector<std::string> errors;
  std::string persona, fixture, pipeline, store, project;
  int n_tasks = 0, n_train = 0, n_val = 0, n_test = 0;
  std::optional<double> baseline, after;
  std::vector<NightRow> trace;
  std::vector<ProbeRow> probes;
  std::vector<std::string> harmful_accepted;  // "night 2: breaks-key" ...
  bool harmful_blocked = true;
  bool probe_exercised = false;  // some probe really saw the harmful rule proposed
  double seconds = 0;
  bool improved() const { return baseline && after && *after > *baseline + 1e-9; }
};

// The folder holding experiment.yaml: $SKILLPIPE_PIPELINES, the install's
// share/skillpipe/pipelines, or the source tree's pipelines/.
std::string pipelines_dir();

Result run_experiment(const Options& options);
std::string result_json(const Result& r);
std::string result_text(const Result& r);

}  // namespace skillpipe::app::experiment
