// The stream readers on the event streams recorded from Claude Code 2.1.197 and Codex 0.171.0
// (tests/data/cli/streams).
#include <gtest/gtest.h>

#include "agent_stream.hpp"
#include "test_support.hpp"

namespace skillpipe::backend_common {
namespace {

AgentRun load(Agent agent, const std::string& name) {
  const std::string dir = agent == Agent::kClaude ? "claude-code-2.1.197" : "codex-0.171.0";
  return parse_agent_stream(agent, testing::read_text(testing::test_data_dir() + "/cli/streams/" + dir + "/" + name));
}

TEST(ClaudeStream, SkillInvokedThenItsCommandRan) {
  const AgentRun r = load(Agent::kClaude, "skill-invoked.jsonl");
  EXPECT_EQ(r.agent_version, "2.1.197");
  EXPECT_EQ(r.end, RunEnd::kCompleted);
  ASSERT_EQ(r.calls.size(), 2u);
  EXPECT_EQ(r.calls[0].name, "Skill");
  EXPECT_EQ(r.calls[1].name, "Bash");
  EXPECT_EQ(r.calls[1].command, "git log --merges --oneline | wc -l");
  EXPECT_EQ(r.calls[1].exit_code, 0);
  EXPECT_EQ(r.calls[1].output, "3");
  EXPECT_EQ(r.skills_invoked, std::vector<std::string>{"merge-count"});
  ASSERT_FALSE(r.skills_listed.empty());
  EXPECT_EQ(r.skills_listed[0], "merge-count");
  EXPECT_EQ(r.turns, 4);
  EXPECT_EQ(r.usage.input, 9300);
  EXPECT_EQ(r.usage.output, 270);
  ASSERT_TRUE(r.cost_usd.has_value());
  EXPECT_NEAR(*r.cost_usd, 0.05325, 1e-9);
  EXPECT_EQ(r.final_text, "Done. I followed the merge-count skill and ran `git log --merges --oneline | wc -l`.");
}

// A tool input nested past the JSON limit (a model can send one) is an unreadable line, not a
// stack overflow; the rest of the stream still counts.
TEST(ClaudeStream, ALineNestedPastTheLimitIsUnreadable) {
  const std::string stream = testing::read_text(testing::test_data_dir() +
                                                "/cli/streams/claude-code-2.1.197/skill-invoked.jsonl");
  const std::string deep = R"({"type":"assistant","message":{"content":[{"type":"tool_use","input":)" +
                           std::string(100000, '[') + std::string(100000, ']') + "}]}}\n";
  const AgentRun r = parse_agent_stream(Agent::kClaude, deep + stream);
  EXPECT_EQ(r.unreadable_lines, 1);
  EXPECT_EQ(r.end, RunEnd::kCompleted);
  EXPECT_EQ(r.skills_invoked, std::vector<std::string>{"merge-count"});
}

TEST(ClaudeStream, FailedCommandHasItsExitCode) {
  const AgentRun r = load(Agent::kClaude, "failing-command.jsonl");
  ASSERT_EQ(r.calls.size(), 1u);
  EXPECT_FALSE(r.calls[0].ok);
  EXPECT_EQ(r.calls[0].exit_code, 1);
  EXPECT_TRUE(r.skills_invoked.empty());
  EXPECT_EQ(r.end, RunEnd::kCompleted);
}

TEST(ClaudeStream, EndingsAreTold) {
  EXPECT_EQ(load(Agent::kClaude, "max-turns.jsonl").end, RunEnd::kMaxTurns);
  EXPECT_EQ(load(Agent::kClaude, "interrupted.jsonl").end, RunEnd::kInterrupted);
  const AgentRun api = load(Agent::kClaude, "api-failure.jsonl");
  EXPECT_EQ(api.end, RunEnd::kApiError);
  EXPECT_EQ(api.api_error_status, 529);
  EXPECT_NE(api.error.find("529"), std::string::npos);
  EXPECT_TRUE(api.final_text.empty()) << "a synthetic error message is not an answer";
}

TEST(CodexStream, SkillReadThroughTheShellCountsAsInvoked) {
  const AgentRun r = load(Agent::kCodex, "skill-invoked.jsonl");
  EXPECT_EQ(r.end, RunEnd::kCompleted);
  ASSERT_EQ(r.calls.size(), 2u);
  EXPECT_EQ(r.calls[0].command, "cat /tmp/skillpipe-fixture/project/.agents/skills/merge-count/SKILL.md");
  EXPECT_EQ(r.calls[1].command, "git log --merges --oneline | wc -l");
  EXPECT_EQ(r.calls[1].exit_code, 0);
  EXPECT_EQ(r.skills_invoked, std::vector<std::string>{"merge-count"});
  EXPECT_EQ(r.usage.input, 9300);
  EXPECT_EQ(r.usage.output, 270);
  EXPECT_FALSE(r.cost_usd.has_value());
  EXPECT_EQ(r.session_id, "01a249d7-c8ac-7d52-96b8-bebfbdd234ae");
}

TEST(CodexStream, FailuresAndEndings) {
  const AgentRun f = load(Agent::kCodex, "failing-command.jsonl");
  ASSERT_EQ(f.calls.size(), 1u);
  EXPECT_FALSE(f.calls[0].ok);
  EXPECT_EQ(f.calls[0].exit_code, 1);
  const AgentRun api = load(Agent::kCodex, "api-failure.jsonl");
  EXPECT_EQ(api.end, RunEnd::kApiError);
  EXPECT_EQ(api.api_error_status, 529);
  EXPECT_EQ(load(Agent::kCodex, "interrupted.jsonl").end, RunEnd::kNoResult);
  EXPECT_TRUE(load(Agent::kCodex, "skill-not-invoked.jsonl").skills_invoked.empty());
}

TEST(CodexStream, CachedInputIsNotCountedAsInput) {
  AgentRun r = parse_agent_stream(
      Agent::kCodex, R"({"type":"turn.completed","usage":{"input_tokens":1000,"cached_input_tokens":600,"output_tokens":5}})");
  EXPECT_EQ(r.usage.input, 400);
  EXPECT_EQ(r.usage.cache_read, 600);
}

TEST(ShellCommands, CodexLoginShellWrapperIsRemoved) {
  EXPECT_EQ(unwrap_shell_command("/bin/bash -lc ls"), "ls");
  EXPECT_EQ(unwrap_shell_command("/bin/bash -lc 'git log | wc -l'"), "git log | wc -l");
  EXPECT_EQ(unwrap_shell_command(R"(/bin/bash -lc "touch x; python3 -c 'print(1)'")"), "touch x; python3 -c 'print(1)'");
  EXPECT_EQ(unwrap_shell_command(R"(/bin/bash -lc 'it'"'"'s')"), "it's");
  EXPECT_EQ(unwrap_shell_command("make test"), "make test");
  EXPECT_EQ(unwrap_shell_command("/bin/bash -lc 'a' 'b'"), "/bin/bash -lc 'a' 'b'");
  EXPECT_EQ(skill_read_by("sed -n 1,200p .agents/skills/release-notes/SKILL.md"), "release-notes");
  EXPECT_EQ(skill_read_by("cat README.md"), "");
  EXPECT_EQ(claude_exit_code("Exit code 127\nsh: x: not found"), 127);
  EXPECT_FALSE(claude_exit_code("ok").has_value());
}

TEST(Streams, GarbageLinesAreCountedNotFatal) {
  AgentStreamReader r(Agent::kClaude);
  r.feed("not json");
  r.feed("{broken");
  r.feed("");
  EXPECT_EQ(r.run().unreadable_lines, 1);
  EXPECT_EQ(r.run().end, RunEnd::kNoResult);
}

}  // namespace
}  // namespace skillpipe::backend_common
