// pipeline_overrides.hpp - `--set KEY=VALUE` overrides applied to a loaded pipeline tree,
// and the pieces of the pipeline grammar the parser and the overrides share.
#pragma once

#include <yaml-cpp/yaml.h>

#include <set>
#include <string>
#include <vector>

#include "host/pipeline_spec.hpp"

namespace skillpipe::host {

// The keys a stage entry, and a backend or store entry, may have (anything else under
// `stages.<id>.` or `backends.<id>.` in an override is a config key).
extern const std::set<std::string> kStageKeys;
extern const std::set<std::string> kComponentKeys;

// A node's file position (1-based), or none for a node an override put in the tree.
Mark mark_of(const YAML::Node& n);

// Where an override put a value: its JSON pointer and the override as the user wrote it.
struct OverrideSite {
  std::string pointer;
  std::string text;
};

// Applies each KEY=VALUE override to `root` in order; a bad override is reported to
// `errors` (naming the override, or the file's line when the file's shape is at fault) and
// skipped. Returns where each applied value landed.
std::vector<OverrideSite> apply_overrides(YAML::Node root, const std::string& file,
                                          const std::vector<std::string>& overrides, std::vector<Diagnostic>& errors);

}  // namespace skillpipe::host
