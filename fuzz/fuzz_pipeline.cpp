// libFuzzer harness: a pipeline file through the host's parser (strict YAML load with its
// size and alias limits, key checks, typing of config scalars, locations). An input holding
// a line "#--set <override>" also applies that override, as `--set` does. Seeds: the bundled
// pipelines and the YAML files under tests/data (scripts/fuzz.sh).
#include <cstdint>
#include <string>
#include <vector>

#include "host/pipeline_spec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> overrides;
  for (std::size_t at = text.find("#--set "); at != std::string::npos; at = text.find("#--set ", at + 1)) {
    const std::size_t end = text.find('\n', at);
    overrides.push_back(text.substr(at + 7, end == std::string::npos ? std::string::npos : end - at - 7));
  }
  const auto result = skillpipe::host::parse_pipeline_text(text, "fuzz.yaml", overrides);
  for (const auto& e : result.errors) (void)e.format();
  return 0;
}
