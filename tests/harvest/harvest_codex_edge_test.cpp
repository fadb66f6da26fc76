// Codex edge cases, each on a small hand-written rollout (tests/data/harvest/edge/codex):
// paginated history, sub-agent rollouts, desktop wrappers, forks, zstd and archived
// sessions, failed calls.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "harvest_edge_fixture.hpp"
#include "harvest_test_util.hpp"
#include "host/schema_check.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::testing {
namespace {

TEST_F(HarvestEdge, CodexPaginatedHistoryUsesItemCompletedMessages) {
  codex("rollout-2026-03-01T10-00-00-0199aaaa-0000-7000-8000-000000000001.jsonl");
  auto out = run("harvest_codex");
  ASSERT_EQ(out.digests.size(), 1u);
  const auto& d = out.digests[0];
  EXPECT_EQ(d.user_prompts, (Strings{"rename the config loader", "looks good, thanks"}));
  EXPECT_EQ(d.assistant_finals, (Strings{"Renamed to config_loader.cpp.", "You're welcome."}));  // final_answer phase wins
  EXPECT_EQ(tool_names(d.tools), (Strings{"apply_patch"}));
  EXPECT_EQ(d.files_touched, (Strings{"/home/me/src/app/src/config.cpp", "/home/me/src/app/src/config_loader.cpp"}));
  EXPECT_EQ(d.usage, (TokenUsage{600, 50, 400, 0}));  // cached input is part of input_tokens
  EXPECT_EQ(d.attrs.at("history_mode"), "paginated");
  EXPECT_EQ(out.count("unknown_records"), 0);  // world_state is a known kind
  EXPECT_EQ(d.feedback_signals, (std::vector<FeedbackSignal>{{1, "positive", "looks good"}, {1, "positive", "thanks"}}));
}

TEST_F(HarvestEdge, CodexSubagentRolloutsAreNotTheUsers) {
  codex("rollout-2026-03-01T11-00-00-0199aaaa-0000-7000-8000-000000000002.jsonl");
  auto out = run("harvest_codex");
  EXPECT_TRUE(out.digests.empty());
  EXPECT_EQ(out.count("sessions_skipped_subagent"), 1);
}

TEST_F(HarvestEdge, CodexDesktopWrappersPreamblesAndTools) {
  codex("rollout-2026-03-01T12-00-00-0199aaaa-0000-7000-8000-000000000003.jsonl");
  auto out = run("harvest_codex");
  ASSERT_EQ(out.digests.size(), 1u);
  const auto& d = out.digests[0];
  // IDE wrapper: only the request; <user_shell_command>, <turn_aborted>, AGENTS.md, <skill>
  // and the compacted replacement history are not prompts.
  EXPECT_EQ(d.user_prompts, (Strings{"write release notes for 1.2", "now also bump the version"}));
  EXPECT_EQ(d.assistant_finals, (Strings{"Release notes are in NOTES.md (task complete).", ""}));
  EXPECT_EQ(d.n_assistant_turns, 2);
  EXPECT_EQ(tool_names(d.tools), (Strings{"web_search", "shell"}));
  EXPECT_EQ(d.skills_used, (Strings{"release-notes"}));
  EXPECT_EQ(d.files_touched, (Strings{"/home/me/src/app/NOTES.md", "/home/me/src/app/CHANGELOG.md"}));
  EXPECT_EQ(d.outcome.interrupts, 1);
  EXPECT_EQ(d.compactions, 1);
  EXPECT_EQ(d.attrs.at("originator"), "Codex Desktop");
}

TEST_F(HarvestEdge, CodexForkUsesItsOwnMetaAndCountsCopiedPromptsOnce) {
  codex("rollout-2026-03-01T13-00-00-0199aaaa-0000-7000-8000-000000000004.jsonl");
  auto out = run("harvest_codex");
  ASSERT_EQ(out.digests.size(), 1u);
  const auto& d = out.digests[0];
  EXPECT_EQ(d.session_id, "0199aaaa-0000-7000-8000-000000000004");
  EXPECT_EQ(d.project, "/home/me/src/app/fork");
  EXPECT_EQ(d.git_branch, "fork-branch");
  EXPECT_EQ(d.user_prompts, (Strings{"parent prompt copied into the fork", "continue in the fork"}));
  EXPECT_EQ(d.assistant_finals, (Strings{"", "Continuing."}));
  EXPECT_EQ(out.count("duplicate_prompts"), 1);
}

TEST_F(HarvestEdge, CodexZstdRolloutsAreReadAndAPlainTwinWins) {
  const std::string name = "rollout-2026-03-01T10-00-00-0199aaaa-0000-7000-8000-000000000001.jsonl";
  std::string plain = codex(name);
  zstd_file(plain, plain + ".zst");
  std::filesystem::remove(plain);
  auto z = run("harvest_codex");
  ASSERT_EQ(z.digests.size(), 1u);
  EXPECT_EQ(z.digests[0].user_prompts.size(), 2u);
  EXPECT_EQ(z.digests[0].raw_path, plain + ".zst");
  codex(name);  // Codex materialises a plain copy when the thread is resumed
  auto both = run("harvest_codex");
  ASSERT_EQ(both.digests.size(), 1u);
  EXPECT_EQ(both.digests[0].raw_path, plain);
  EXPECT_EQ(both.count("files_duplicate"), 1);
}

TEST_F(HarvestEdge, CodexArchivedSessionsAreHarvested) {
  codex("rollout-2026-03-01T10-00-00-0199aaaa-0000-7000-8000-000000000001.jsonl", "archived_sessions");
  auto out = run("harvest_codex");
  ASSERT_EQ(out.digests.size(), 1u);
  EXPECT_NE(out.digests[0].raw_path.find("/archived_sessions/"), std::string::npos);
}

TEST_F(HarvestEdge, CodexFailedCallsAreChargedToTheirTool) {
  codex("rollout-2026-03-02T09-00-00-0199aaaa-0000-7000-8000-000000000009.jsonl", "sessions/2026/03/02");
  auto out = run("harvest_codex");
  ASSERT_EQ(out.digests.size(), 1u);
  const auto& d = out.digests[0];
  EXPECT_EQ(d.tools, (std::vector<ToolUse>{{"exec_command", 2, 1}, {"apply_patch", 1, 0}}));
  EXPECT_TRUE(d.outcome.observed);
  EXPECT_EQ(d.outcome.tool_calls, 3);
  EXPECT_EQ(d.outcome.tool_errors, 1);
  EXPECT_FALSE(d.outcome.aborted);
  EXPECT_EQ(d.model, "gpt-5-codex");
  EXPECT_EQ(d.agent_version, "0.77.0");
  EXPECT_EQ(d.files_touched, (Strings{"/home/me/src/app/src/parse.cpp"}));
}

}  // namespace
}  // namespace skillpipe::testing
