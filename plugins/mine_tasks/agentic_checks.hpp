// agentic_checks.hpp - checks an agentic replay can verify, derived from what the source
// session shows (rule language: kit/rules.hpp), for tasks replayed by backend_agent:
//
//   check_command CMD     the last verification command (tests, build, lint) that ended
//                         green in a session that succeeded - run in the replay's workspace
//                         after the agent ends, exit 0 passes
//   file_changed PATH     files the accepted solution touched (inside the project)
//   command_ran REGEX     a command the user asked for in a correction ("no, run `make ci`")
//
// Only a session the session judge calls a success yields checks; a command the safety scan
// finds dangerous never becomes a check (checks run in the workspace, confined, but still).
#pragma once

#include <vector>

#include "miner_options.hpp"
#include "skillpipe/records.hpp"

namespace skillpipe::mine_tasks {

std::vector<RuleCheck> derive_agentic_checks(const SessionDigest& d, const MinerOptions& o);

// Adds the derived checks (deduplicated) to a task mined from `d`, making it rule-judged.
void add_agentic_checks(const SessionDigest& d, TaskRecord& t, const MinerOptions& o);

// True for commands that verify work: test runners, builds, linters, type checkers.
bool is_verification_command(std::string_view command);

}  // namespace skillpipe::mine_tasks
