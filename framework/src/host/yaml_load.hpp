// yaml_load.hpp - YAML text to a yaml-cpp tree, strictly and within bounds.
//
// yaml-cpp accepts what a hand-written configuration file should not: a repeated key (the
// first wins, the second is silently dropped), a second document after `---` (ignored), and
// aliases whose expansion is exponential in the file's size ("billion laughs": Load is
// cheap because aliases share nodes, but every walk over the tree expands them). This
// loader refuses all three with file:line:column, bounds nesting depth, and turns every
// yaml-cpp exception into a located diagnostic, so no caller sees one.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "host/pipeline_spec.hpp"

namespace skillpipe::host {

struct YamlLimits {
  std::int64_t max_nodes = 100000;  // nodes after alias expansion
  int max_depth = 64;               // nesting of mappings and sequences
};

// The default caps are far above any real pipeline (the bundled ones have < 300 nodes and a
// depth < 8) and far below what makes a walk over the tree slow.
inline constexpr std::uintmax_t kMaxPipelineBytes = 1 << 20;

// Parses `text` (named `file` in diagnostics) as exactly one YAML document. On any problem
// the diagnostics are appended to `errors` and nullopt is returned.
std::optional<YAML::Node> load_yaml_strict(const std::string& text, const std::string& file,
                                           std::vector<Diagnostic>& errors, const YamlLimits& limits = {});

}  // namespace skillpipe::host
