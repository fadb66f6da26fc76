// trajectory_text.hpp - what an agentic replay did, compact enough for a grader's prompt:
// how the run ended, the skills invoked, each command with its exit code, the files changed
// and the task's checks with their exit codes. A grader that sees only the final text would
// believe an agent that says "tests pass" without running them.
#pragma once

#include <string>

#include "skillpipe/records.hpp"

namespace skillpipe::judge_llm {

// "" when `t` has no tool call, file change or check (nothing beyond the final text).
// At most `max_calls` tool calls are listed (the first and last ones; the gap is counted).
// Every line is redacted; each call's input is cut to 300 characters.
std::string trajectory_text(const Trajectory& t, std::size_t max_calls = 40);

}  // namespace skillpipe::judge_llm
