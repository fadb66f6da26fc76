// lab.hpp - what the agentic tests share: a project whose check passes only after the
// project's own generator ran, the skill that says so, and the real CLIs (skipped when
// scripts/agent_clis.sh has not installed them, failed with SKILLPIPE_REQUIRE_AGENTS=1).
#pragma once

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "model_server.hpp"
#include "skillpipe/records.hpp"
#include "test_support.hpp"

namespace skillpipe::backend_agent {

// The test-support names every agentic test file uses.
using testing::read_text;
using testing::TempDir;
using testing::write_text;

namespace lab {

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

// Every non-blank line of a JSONL file, parsed (a night's streams/*.jsonl).
std::vector<rapidjson::Document> read_jsonl(const std::string& path);

// Runs git with a fixed identity; throws on failure.
std::string git(const std::string& dir, const std::vector<std::string>& args, const std::string& date = {});

// A task replaying kTask on `project`, judged by kCheck.
TaskRecord regen_task(const std::string& id, const std::string& project);

// The scripted model that follows skills (model_server/skill_agent.hpp), blind to the CLIs'
// bundled skills, answering every call after `delay_ms`.
model_server::PolicyPtr skill_model(int delay_ms = 0);

// A test run once per pinned agent CLI: SetUp skips it when the agent's CLI is not
// installed (fails it with SKILLPIPE_REQUIRE_AGENTS=1) and starts the scripted model that
// follows skills (model_server/skill_agent.hpp). A subclass's SetUp calls this one first and
// returns when IsSkipped() or HasFatalFailure().
class AgentTest : public ::testing::TestWithParam<Agent> {
 protected:
  void SetUp() override;
  bool claude() const { return GetParam() == Agent::kClaude; }
  std::string binary() const { return agent_binary(GetParam()); }
  // The model endpoint this agent's CLI is pointed at (Anthropic Messages or OpenAI).
  std::string model_url() const;

  std::unique_ptr<model_server::ModelServer> server_;
};

// The test-name suffix for an agent parameter: "Claude" or "Codex".
std::string agent_param_name(const ::testing::TestParamInfo<Agent>& info);

}  // namespace lab
}  // namespace skillpipe::backend_agent

// Runs an AgentTest-derived suite once per pinned agent CLI.
#define SKILLPIPE_FOR_EACH_AGENT(Suite)                                                        \
  INSTANTIATE_TEST_SUITE_P(Pinned, Suite, ::testing::Values(::skillpipe::Agent::kClaude, ::skillpipe::Agent::kCodex), \
                           ::skillpipe::backend_agent::lab::agent_param_name)
