// validate.hpp - checks a parsed pipeline against the plugins it names, collecting every
// error before anything runs: unknown or refused plugins, configs that break their schema,
// unresolved inputs, record-kind mismatches on edges, cycles, duplicate ids, missing backends.
#pragma once

#include <string>
#include <vector>

#include "host/pipeline_spec.hpp"
#include "host/plugin_registry.hpp"

namespace skillpipe::host {

// What flows along an edge out of a stage of each kind.
enum class RecordKind { kDigests, kTasks, kJudge, kProposals, kNone };
const char* to_string(RecordKind k);
RecordKind output_of(StageKind k);

struct ValidatedPipeline {
  std::vector<std::size_t> order;        // stage indexes in dependency order
  std::vector<StageKind> kinds;          // per stage (valid only when loaded)
};

// Appends every problem to `errors`; returns the dependency order when the graph is sound.
ValidatedPipeline validate_pipeline(const PipelineSpec& spec, PluginRegistry& registry,
                                    std::vector<Diagnostic>& errors);

// 3 if a plugin was found but refused, else 2 (or 0 when there are no errors).
int exit_code_for(const std::vector<Diagnostic>& errors);

}  // namespace skillpipe::host
