// replay_request.hpp - what a replay request becomes: the agent's prompt, the documents to
// install, the task's check commands, and the ReplayJob that run_replay / prepare_replay take.
#pragma once

#include <string>
#include <vector>

#include "metered_backend.hpp"
#include "replay_run.hpp"
#include "skillpipe/backend.hpp"

namespace skillpipe::backend_agent {

// The check commands a task's judge asks for (rule op check_command, groups included).
void collect_checks(const std::vector<RuleCheck>& checks, std::vector<std::string>& out);
// The prompt: the replay marker the harvesters skip, the intent, context and contract, redacted.
std::string prompt_of(const TaskRecord& t);
SourceHint hint_of(const TaskRecord& t);
// The documents under test; the skill named by the request, else by its frontmatter.
ReplayDocs docs_of(const ReplaySetup& rs);
// Names a request without the git look-ups its cache material needs (cheap enough for
// forget(), after every batch).
std::string request_key(const ChatRequest& r);
// The job of one attempt; its id names the replay's directory.
ReplayJob job_of(const ReplaySetup& rs, const backend_common::PreparedCall& call, int attempt, const StartPoint& start);

}  // namespace skillpipe::backend_agent
