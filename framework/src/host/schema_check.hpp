// schema_check.hpp - validates a component's config JSON against its plugin's JSON Schema.
// The logic lives in libskillpipe (skillpipe/schema.hpp) so the conformance harness that
// plugin authors run reports exactly what the host reports.
#pragma once

#include <string>
#include <vector>

#include "skillpipe/schema.hpp"

namespace skillpipe::host {

using SchemaIssue = skillpipe::SchemaIssue;

// Every unknown key (where the schema says additionalProperties: false), then the first
// other violation RapidJSON's validator finds. An unparsable schema is reported too.
std::vector<SchemaIssue> check_config(const std::string& schema_json, const std::string& config_json);

}  // namespace skillpipe::host
