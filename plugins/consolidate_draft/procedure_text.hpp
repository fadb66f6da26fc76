// procedure_text.hpp - a pattern's procedure as steps for one agent, in that agent's words.
//
// The steps are what the successful sessions did (PatternInfo::procedure: the commands they
// ran, the files they wrote). The wording names the target agent's own tools - Claude Code's
// Bash/Write/Edit, Codex's shell and apply_patch - never another agent's, so a Claude skill
// drafted from Codex sessions still speaks Claude Code.
#pragma once

#include <string>

#include "pattern_view.hpp"
#include "skillpipe/records.hpp"

namespace skillpipe::consolidate_draft {

// The numbered steps ("1. Run `git log --oneline --merges` with the `Bash` tool (4 of 4
// sessions).\n..."), or "" when the sessions left nothing to describe.
std::string procedure_steps(const PatternView& p, Agent agent);

}  // namespace skillpipe::consolidate_draft
