// libFuzzer harness: one Claude Code transcript file -> digests -> JSON (the harvest path up
// to redaction). Seeds: the Claude fixtures under tests/data (scripts/fuzz.sh).
#include <cstdint>

#include "claude_parser.hpp"
#include "fuzz_file.hpp"
#include "skillpipe/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const skillpipe::harvest::Options options = skillpipe::fuzz::all_in_scope();
  const std::string path = skillpipe::fuzz::write_input(data, size);
  const auto result = skillpipe::harvest_claude::parse_claude_file(skillpipe::fuzz::first_read(path), options);
  for (const auto& d : result.digests) (void)skillpipe::to_json(d);
  return 0;
}
