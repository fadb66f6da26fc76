// pipeline_spec.hpp - a pipeline YAML file, parsed but not yet validated against plugins.
//
// Every node keeps its file:line:col so that validation errors point at the exact spot.
// Config blocks are converted to JSON text (plain scalars typed as YAML 1.2 core: bool, int,
// float, null; quoted scalars stay strings; `~` and ${ENV} expanded in strings).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace skillpipe::host {

struct Mark {
  int line = 0;  // 1-based; 0 = unknown
  int col = 0;
};

struct Diagnostic {
  std::string file;
  Mark mark;
  std::string pointer;   // JSON pointer of the bad key inside the pipeline, e.g. /stages/2/config/min
  std::string message;
  bool load_error = false;  // a plugin was found but refused (exit 3 rather than 2)
  std::string format() const;  // "file:line:col: /pointer: message"
};

struct ComponentSpec {
  std::string id;
  std::string plugin;
  std::string config_json = "{}";
  std::string pointer;             // where this component sits, e.g. /stages/3
  Mark mark;
  Mark plugin_mark;
  std::string plugin_override;     // the --set that named the plugin ("" = the file did)
  // Config values --set put there: pointer inside config ("" = all of it) -> the override.
  std::vector<std::pair<std::string, std::string>> config_overrides;
  std::map<std::string, Mark> config_marks;  // JSON pointer inside config -> mark
  // Stages only:
  std::vector<std::pair<std::string, Mark>> inputs;
  std::string on_record_error = "skip";      // skip | fail
  long long max_record_errors = 50;
  bool observe = true;                       // judges: also score the tasks' observed solutions
};

struct PipelineSpec {
  std::string path;       // absolute
  std::string dir;
  int format = 0;
  std::string name;
  std::string project;    // "invoked" (default), "all", or a path
  std::vector<std::string> plugin_path;      // resolved against dir
  std::optional<ComponentSpec> store;
  std::vector<ComponentSpec> backends;
  std::vector<ComponentSpec> stages;
  std::map<std::string, std::string> templates;   // name -> absolute file path
  std::map<std::string, std::string> options;     // run-wide options (parallelism, ...)
};

struct ParseResult {
  PipelineSpec spec;
  std::vector<Diagnostic> errors;
};

// Parses `path`, applying `overrides` ("stages.<id>.<key>=VALUE", "backends.<id>.<key>=VALUE",
// "store.<key>=VALUE", "<top-level-key>=VALUE") before anything is interpreted.
ParseResult parse_pipeline(const std::string& path, const std::vector<std::string>& overrides = {});
ParseResult parse_pipeline_text(const std::string& text, const std::string& path,
                                const std::vector<std::string>& overrides = {});

}  // namespace skillpipe::host
