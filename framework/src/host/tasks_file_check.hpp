// tasks_file_check.hpp - `skillpipe run --tasks-file FILE` is honoured or refused, never
// silently ignored: the file must exist, and a task-producing stage (a miner) of the pipeline
// must read it - one whose config schema declares `tasks_file`.
#pragma once

#include <string>
#include <vector>

#include "host/pipeline_spec.hpp"
#include "host/plugin_registry.hpp"

namespace skillpipe::host {

// The problems with `tasks_file` for this pipeline (empty when it is honoured, or not set).
// `from_option`: the path came from the pipeline's `options:` rather than the command line.
std::vector<Diagnostic> check_tasks_file(const std::string& tasks_file, bool from_option, const PipelineSpec& spec,
                                         PluginRegistry& registry);

}  // namespace skillpipe::host
