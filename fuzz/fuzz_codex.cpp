// libFuzzer harness: one Codex rollout (plain or .zst) file -> digests -> JSON (the harvest path up
// to redaction). Seeds: the Codex fixtures under tests/data (scripts/fuzz.sh).
#include <cstdint>

#include "codex_parser.hpp"
#include "fuzz_file.hpp"
#include "skillpipe/json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const skillpipe::harvest::Options options = skillpipe::fuzz::all_in_scope();
  const std::string path = skillpipe::fuzz::write_input(data, size);
  const auto result = skillpipe::harvest_codex::parse_codex_file(skillpipe::fuzz::first_read(path), options);
  for (const auto& d : result.digests) (void)skillpipe::to_json(d);
  return 0;
}
