// lab.hpp - what the agentic tests share: a project whose check passes only after the
// project's own generator ran, the skill that says so, and the real CLIs (skipped when
// scripts/agent_clis.sh has not installed them, failed with SKILLPIPE_REQUIRE_AGENTS=1).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "skillpipe/records.hpp"

namespace skillpipe::backend_agent::lab {

inline constexpr const char* kSkillName = "regen-fields";
inline constexpr const char* kSkill =
    "---\nname: regen-fields\ndescription: Refresh the generated files after a schema change.\n---\n"
    "# Regenerate\n\nRun:\n```bash\nsh tools/regen.sh\n```\n";
inline constexpr const char* kTask = "refresh the generated files after the schema change";
inline constexpr const char* kCheck = "sh tests/check.sh";

// A git repository at `dir`: schema.txt gained a field, generated/fields.txt is stale,
// tools/regen.sh regenerates it, tests/check.sh passes only when it is fresh. Returns HEAD.
std::string make_regen_project(const std::string& dir);

// The real CLI for `agent` ("" when not installed; the caller skips or fails).
std::string agent_binary(Agent agent);
// "SKILLPIPE_CLAUDE_BIN is not set; ..." for a skip or failure message.
std::string missing_agent_message(Agent agent);
bool agents_required();

// The bubblewrap to use in tests (SKILLPIPE_BWRAP, else bwrap on PATH), "" when none.
std::string test_bwrap();

// Every regular file under `dir` with its contents' hash.
std::map<std::string, std::string> fingerprint(const std::string& dir);

// Runs git with a fixed identity; throws on failure.
std::string git(const std::string& dir, const std::vector<std::string>& args, const std::string& date = {});

// A task replaying kTask on `project`, judged by kCheck.
TaskRecord regen_task(const std::string& id, const std::string& project);

}  // namespace skillpipe::backend_agent::lab
