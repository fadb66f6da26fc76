#include "host/schema_check.hpp"

namespace skillpipe::host {

std::vector<SchemaIssue> check_config(const std::string& schema_json, const std::string& config_json) {
  return check_config_against_schema(schema_json, config_json);
}

}  // namespace skillpipe::host
