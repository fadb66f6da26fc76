// schema_check.hpp - validates a component's config JSON against its plugin's JSON Schema.
#pragma once

#include <string>
#include <vector>

namespace skillpipe::host {

struct SchemaIssue {
  std::string pointer;   // inside the config, e.g. /min_score ("" = the config itself)
  std::string message;
};

// Every unknown key (where the schema says additionalProperties: false), then the first
// other violation RapidJSON's validator finds. An unparsable schema is reported too.
std::vector<SchemaIssue> check_config(const std::string& schema_json, const std::string& config_json);

}  // namespace skillpipe::host
