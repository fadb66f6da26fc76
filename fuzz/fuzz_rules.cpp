// libFuzzer harness: the rule-check language as judge_rule sees it. Line 1 is a task record
// (its judge.checks), the rest a replay result (response, tools_called and, for the
// trajectory ops, a trajectory); both as JSON, as in a tasks file and a replay file. The
// checks are validated, described and scored, with and without the trajectory. Seeds: the
// task/response pairs under tests/data/judges plus fuzz/seeds/rules (scripts/fuzz.sh).
#include <cstdint>
#include <string>
#include <string_view>

#include "skillpipe/json.hpp"
#include "skillpipe/kit/rules.hpp"

namespace rules = skillpipe::rules;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = text.find('\n');
  skillpipe::TaskRecord task;
  skillpipe::ReplayResult replay;
  try {
    skillpipe::from_json(text.substr(0, nl), task);
    if (nl != std::string_view::npos) skillpipe::from_json(text.substr(nl + 1), replay);
  } catch (const std::exception&) {
    return 0;  // a malformed record is refused with a message (tests cover the wording)
  }
  const auto& checks = task.judge.checks;
  (void)rules::validate_checks(checks);
  for (const auto& c : checks) (void)rules::describe(c);
  (void)rules::score_checks(checks, replay.response, replay.tools_called);
  if (replay.trajectory) (void)rules::score_checks(checks, replay.response, replay.tools_called, &*replay.trajectory);
  return 0;
}
