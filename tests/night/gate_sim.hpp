// gate_sim.hpp - the seeded noise simulation of the validation gate, run through the real
// `skillpipe experiment` (mine_personas -> judge_exact -> consolidate_reflect with
// backend_mock), so it measures the gate users get, not a model of it.
//
// Two scenarios, each trial with its own noise seed and task split:
//   noise  40 tasks (12 val, 8 test) that all pass under the user's own memory; the target's
//          answers flip at random (20%) and the optimizer proposes a no-op rule every time.
//          Any accepted edit is a false acceptance.
//   power  40 tasks needing 12 different rules (about one val task per rule), none known;
//          edit budget 2. Counts the rules learned (accepted and adopted) within N nights.
// The bench (bench/gate_sim) prints the table for every gate mode; tests/night runs the
// default mode's false acceptance over 60 trials.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace skillpipe::gatesim {

struct Scenario {
  std::string name = "noise";  // noise | power
  double flip_rate = 0.2;
  int nights = 3;
};

struct Mode {
  std::string label;
  std::vector<std::string> sets;  // --set overrides of the consolidate stage
};

struct Outcome {
  int trials = 0;
  int failed_runs = 0;            // an experiment that did not run (never counted as a pass)
  int trials_with_acceptance = 0;  // noise: trials where some no-op edit was accepted
  int edits_accepted = 0;          // noise: no-op edits accepted over all trials
  double rules_learned = 0;        // power: mean rules learned per trial (of kRules)
  std::vector<std::string> errors;
};

inline constexpr int kRules = 12;

// Runs `skillpipe ARGS...`, returning (exit code, stdout).
using Runner = std::function<std::pair<int, std::string>(const std::vector<std::string>& args)>;

// Writes the scenario's persona file and pipeline into `dir`.
void write_scenario_files(const std::string& dir);

// `trials` experiments of the scenario under the mode, seeds 1..trials.
Outcome simulate(const Scenario& s, const Mode& m, int trials, const std::string& dir, const Runner& run);

// The gate modes the README table reports, the default first.
std::vector<Mode> gate_modes();

}  // namespace skillpipe::gatesim
