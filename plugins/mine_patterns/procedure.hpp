// procedure.hpp - the commands sessions ran, as the steps a drafted skill tells the agent to take.
//
// A session's steps come from its shell commands (SessionDigest::commands, already redacted):
// a command that succeeded is a run step, a redirection or here-document into a file is a
// write step ("cat > NOTES.md <<EOF ..." is only a write). Steps of several sessions are
// compared by a key that ignores their variable parts (arguments), so "pytest tests/a.py"
// and "pytest tests/b.py" are one step, shown as "pytest <file>".
#pragma once

#include <string>
#include <vector>

#include "skillpipe/records.hpp"

namespace skillpipe::mine_patterns {

// The successful commands of a session as steps, in order, each once; paths under `project`
// are made relative, here-document bodies dropped, `cd` left out. `support` is 1.
std::vector<ProcedureStep> session_steps(const std::vector<CommandRun>& commands, const std::string& project);

// What makes two steps the same step: for a run, each program of the pipeline with its
// subcommand and flags ("git log --merges --oneline | wc -l"); for a write, the path with
// its numbers abstracted.
std::string step_key(const ProcedureStep& step);

// The common sequence of several sessions: the steps at least half of them took (at least
// two sessions when there are several), in their usual order, with the parts that differ
// between sessions abstracted ("<file>", "<n>", "<arg>"); `support` counts the sessions.
std::vector<ProcedureStep> common_procedure(const std::vector<std::vector<ProcedureStep>>& sessions,
                                            std::size_t max_steps = 8);

}  // namespace skillpipe::mine_patterns
