// heuristic_miner.hpp - a task from each session without any model call.
//
// The intent is the session's first substantive prompt (not a slash command or a bare
// "go on"); the outcome comes from feedback signals (positive only -> success, any negative
// -> fail, otherwise >= 3 user turns -> mixed, else unknown); the next substantive prompts
// become context ("Follow-up constraints from the same session:"); the last assistant
// final is the attempted solution; tags name the tools, branch and source; a skill hint is
// set when the session used exactly one skill.
#pragma once

#include <optional>
#include <string>

#include "miner_options.hpp"
#include "skillpipe/records.hpp"

namespace skillpipe::mine_tasks {

// SkillOpt's id: "task_" + sha256(project + "::" + intent)[:12].
std::string heuristic_task_id(const std::string& project, const std::string& intent);

// Outcome from feedback signals and turn count (SkillOpt's rule).
Outcome outcome_from_feedback(const SessionDigest& d);

// Shared session facts for any mined task: tags, skill hint, times, source session.
void stamp_session_facts(const SessionDigest& d, TaskRecord& t);

// nullopt when the session has no substantive prompt.
std::optional<TaskRecord> heuristic_task(const SessionDigest& d, const MinerOptions& o);

}  // namespace skillpipe::mine_tasks
