// ab/spec.hpp - the A/B experiment file (`skillpipe ab FILE`).
//
// An experiment is not a pipeline: it names a base pipeline and the arms, each a list of
// --set overrides on it (and optionally its own skill or memory), plus the tasks every arm
// is scored on:
//
//   skillpipe_ab: 1
//   name: rule judge vs LLM judge
//   pipeline: nightly.yaml            # relative to this file
//   tasks: tasks.jsonl                # TaskRecord JSONL (a night's tasks.jsonl, a mined set)
//   replays: replays.jsonl            # optional: score these recorded replays, replay nothing
//   splits: [val, test]               # optional filter
//   backend: replay                   # backend id that replays (default: the only backend)
//   judges: [judge]                   # judge stage ids to score with (default: all judge stages)
//   arms:                             # `mode: night`: each arm runs a whole night instead
//     - {name: rule}
//     - name: llm
//       set: ["stages.judge.plugin=judge_llm", "stages.judge.config={backend: llm}"]
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "host/pipeline_spec.hpp"

namespace skillpipe::host::ab {

struct ArmSpec {
  std::string name;
  std::vector<std::string> sets;          // --set overrides on the base pipeline
  std::vector<Mark> set_marks;            // where each of `sets` is written in the file
  Mark mark;                              // where the arm is written
  std::optional<std::string> skill_file;  // replaces the experiment's skill for this arm
  std::optional<std::string> memory_file;
};

struct AbSpec {
  std::string path;             // absolute
  std::string mode = "scores";  // scores: same tasks + replays; night: a night per arm
  std::string name;
  std::string pipeline;             // absolute
  std::string tasks_file;           // absolute ("" = must come from --tasks)
  std::string replays_file;         // absolute, "" = replay through the backend
  std::string replay_variant;       // with replays: only this variant ("" = all)
  std::vector<std::string> splits;  // train | val | test; empty = every task
  std::string backend;              // "" = the pipeline's only backend
  std::vector<std::string> judges;  // judge stage ids; empty = every judge stage
  int rollouts = 1;
  std::string skill_file;  // absolute, "" = no skill
  std::string memory_file;
  std::vector<std::string> sets;  // overrides for every arm
  double pass_threshold = 0.5;    // hard >= this is a pass
  int bootstrap_samples = 2000;
  double confidence = 0.95;
  std::uint64_t seed = 20261123;
  int max_disagreements = 50;  // listed per pair in the report
  std::vector<ArmSpec> arms;
};

// Parses and checks the file; every problem goes to `errors` with its file, line and column
// (typed, as the pipeline parser's are, so `--log-format json` carries them as fields).
// Relative paths are resolved against the file's directory.
std::optional<AbSpec> parse_ab_spec(const std::string& path, std::vector<Diagnostic>& errors);

// The pipeline's errors about one of the arm's overrides ("override 'stages.x.plugin=y' ...")
// re-located at the line of the experiment file that wrote it; other errors are unchanged.
std::vector<std::string> locate_at_arm(const AbSpec& spec, const ArmSpec& arm, const std::vector<std::string>& errors);

}  // namespace skillpipe::host::ab
