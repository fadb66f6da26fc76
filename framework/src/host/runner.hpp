// runner.hpp - runs a validated pipeline: instantiate, execute in dependency order, stage
// the night's proposals through the store, write the run summary.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "host/pipeline_spec.hpp"
#include "skillpipe/records.hpp"
#include "skillpipe/stage.hpp"

namespace skillpipe::host {

struct RunOptions {
  std::vector<std::string> plugin_dirs;   // --plugin-path
  std::vector<std::string> overrides;     // --set
  std::string project;                    // --project (overrides the pipeline's)
  std::string store_root;                 // --store (becomes store.root)
  std::string run_dir;                    // --run-dir: also write summary.json here
  bool dry_run = false;                   // load, validate, instantiate; run nothing
  RunFlags flags;                         // run-wide flags (auto_adopt, ...)
};

struct StageStats {
  std::string id;
  std::string plugin;
  std::string kind;
  std::int64_t in = 0;
  std::int64_t out = 0;
  std::int64_t errors = 0;
  double seconds = 0;
  std::string status;                     // ok | resumed | skipped | failed
  std::string error;
  std::map<std::string, std::int64_t> counts;
};

struct RunOutcome {
  int exit_code = 0;                      // 0 ok, 1 stage failed, 2 config, 3 plugin load, 4 hand-off pending
  std::vector<std::string> errors;        // formatted diagnostics
  // The assembly's diagnostics (file, line, pointer) behind the first diagnostics.size()
  // entries of `errors`, for printers that show the location as fields.
  std::vector<Diagnostic> diagnostics;
  std::vector<StageStats> stages;
  NightReport report;
  std::string night_dir;
  std::string night_id;
  bool resumed = false;                   // the night continued an unfinished one
  bool staged = false;                    // the store published the night (manifest written)
  std::string summary_json;
  bool cancelled = false;
};

RunOutcome run_pipeline(const std::string& pipeline_path, const RunOptions& options);
// Validation only (what `skillpipe validate` does).
RunOutcome validate_only(const std::string& pipeline_path, const RunOptions& options);

std::string summary_to_json(const RunOutcome& outcome);

}  // namespace skillpipe::host
