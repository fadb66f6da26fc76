// schema.hpp - checks a stage config against its plugin's JSON Schema (draft-04).
//
// The host validates every `config:` block with this before configure() is called, and the
// conformance harness (skillpipe/testing/conformance.hpp) uses the same function, so plugin
// authors see exactly the errors users would. RapidJSON stays inside libskillpipe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace skillpipe {

struct SchemaIssue {
  std::string pointer;  // inside the config, e.g. /min_score ("" = the config itself)
  std::string message;  // e.g. "unknown key 'colour' (allowed: count, source)"
  bool operator==(const SchemaIssue&) const = default;
};

// Every unknown key (where the schema says "additionalProperties": false, at any depth), or
// else the first other violation (type, enum, range, required key). An unparsable schema or
// a config that is not a JSON object is reported as one issue with an empty pointer.
// Empty result: the config is valid.
std::vector<SchemaIssue> check_config_against_schema(std::string_view schema_json, std::string_view config_json);

// True when `json` is one syntactically valid JSON value (used to check that a plugin's
// schema parses at all).
bool is_valid_json(std::string_view json);

}  // namespace skillpipe
