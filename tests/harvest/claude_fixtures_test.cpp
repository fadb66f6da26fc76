// Every real Claude Code fixture parses with the prompt/final/tool counts read off the files
// (tests/data/harvest/real/claude, copied from shared/fixtures/real; see SOURCES.md there).
#include <gtest/gtest.h>

#include <algorithm>

#include "harvest_test_util.hpp"

namespace skillpipe::testing {
namespace {

using Strings = std::vector<std::string>;

// A Claude home whose projects/ is the real fixture tree.
class HarvestClaudeFixtures : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    home_ = new TempDir;
    copy_tree(harvest_data("real/claude/projects"), home_->file("projects"));
    out_ = new HarvestOutput(harvest({"harvest_claude",
                                      "{\"home\":\"" + home_->path() +
                                          "\",\"project_scope\":\"all\",\"lookback_hours\":0,\"max_sessions\":0}"}));
  }
  static void TearDownTestSuite() {
    delete out_;
    delete home_;
  }
  static const SessionDigest& get(const std::string& id) {
    const SessionDigest* d = out_->find(id);
    if (!d) throw std::runtime_error("no digest for " + id);
    return *d;
  }
  static TempDir* home_;
  static HarvestOutput* out_;
};
TempDir* HarvestClaudeFixtures::home_ = nullptr;
HarvestOutput* HarvestClaudeFixtures::out_ = nullptr;

TEST_F(HarvestClaudeFixtures, OneDigestPerMainSessionAndNoSubAgents) {
  Strings ids;
  for (const auto& d : out_->digests) ids.push_back(d.session_id);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (Strings{"03eb5929-52b3-4b13-ada3-b93ae35806b8", "29ccd257-68b1-427f-ae5f-6524b7cb6f20",
                          "326189cf-5676-4237-8cde-1ce80aae4a9f", "3680252d-d4e3-4416-bddd-8f5b5b4fdb7f",
                          "5ed31c36-bca8-40fd-8d24-f1a1f0af7901", "c45af7b1-cb7c-4e51-93db-8cbb250a877a",
                          "ef958aa1-0e93-49f0-bb71-150f63befcd1", "f852ad25-1024-47da-964e-5eaae5bd6e6a"}));
  // agent-3430b97e, agent-3ea04571, agent-af1ff21 (flat) are not read; subagents/ dirs not walked.
  EXPECT_EQ(out_->count("files_subagent"), 3);
  EXPECT_EQ(out_->count("files_seen"), 11);
  // Empty, summary-only and snapshot-only files yield no session.
  EXPECT_EQ(out_->count("files_without_prompts"), 3);
  // A session that only ran a slash command is kept for what it did: no prompt, the command.
  const auto& cmd_only = get("3680252d-d4e3-4416-bddd-8f5b5b4fdb7f");
  EXPECT_TRUE(cmd_only.user_prompts.empty());
  EXPECT_EQ(cmd_only.outcome.slash_commands, (Strings{"/model"}));
  EXPECT_EQ(out_->count("bad_lines"), 0);
  for (const auto& d : out_->digests) {
    EXPECT_EQ(d.source, "claude");
    EXPECT_EQ(d.user_prompts.size(), d.assistant_finals.size());
    EXPECT_EQ(d.n_user_turns, static_cast<int>(d.user_prompts.size()));
    for (const auto& p : d.user_prompts) {
      EXPECT_EQ(p.find("<command-name>"), std::string::npos);
      EXPECT_EQ(p.find("Caveat:"), std::string::npos);
      EXPECT_EQ(p.find("[Request interrupted"), std::string::npos);
      EXPECT_EQ(p.find("This session is being continued"), std::string::npos);
    }
  }
}

TEST_F(HarvestClaudeFixtures, V2_1_114TeammatesSession) {
  const auto& d = get("ef958aa1-0e93-49f0-bb71-150f63befcd1");
  ASSERT_EQ(d.user_prompts.size(), 2u);
  EXPECT_EQ(d.user_prompts[1], "Well, the subagents seem to be either stuck or done... can you check?");
  EXPECT_EQ(d.assistant_finals[0].rfind("Round 2 dispatched to alice, bob, carol.", 0), 0u);
  EXPECT_EQ(d.assistant_finals[1].rfind("Experiment complete. All six tasks done.", 0), 0u);
  EXPECT_EQ(d.n_assistant_turns, 2);
  // 2.1.x names: Agent (was Task), TaskCreate/TaskUpdate (was TodoWrite).
  EXPECT_EQ(tool_names(d.tools), (Strings{"ToolSearch", "Bash", "TaskCreate", "TaskUpdate", "Agent", "SendMessage", "TaskList"}));
  EXPECT_EQ(d.subagent_calls, 6);
  EXPECT_EQ(d.agent_version, "2.1.114");
  EXPECT_EQ(d.outcome.slash_commands, (Strings{"/exit"}));
  EXPECT_EQ(d.project, "-experiments/worktrees");  // the record's cwd, never the dir name
  EXPECT_EQ(d.git_branch, "master");
  EXPECT_EQ(d.started_at, "2026-04-18T13:18:42Z");
  EXPECT_GT(d.usage.output, 0);
}

TEST_F(HarvestClaudeFixtures, V2_0_76CompactionSession) {
  const auto& d = get("c45af7b1-cb7c-4e51-93db-8cbb250a877a");
  EXPECT_EQ(d.user_prompts, (Strings{"can you run a command ls -la", "ok can you create a hello_world.py file and add a minimal code in it?",
                                     "can you read it back with Read tool?", "can you run `cat nonexistent.txt`",
                                     "do something requiring multiple tools in one turn,"}));
  EXPECT_EQ(d.assistant_finals[3].rfind("As expected, the command failed with an error:", 0), 0u);
  EXPECT_EQ(tool_names(d.tools), (Strings{"Bash", "Write", "Read"}));
  EXPECT_EQ(d.files_touched, (Strings{"/workspace/hello_world.py", "/workspace/number_generator.py", "/workspace/data.txt"}));
  EXPECT_EQ(d.compactions, 1);
  EXPECT_EQ(d.outcome.slash_commands, (Strings{"/compact"}));
  EXPECT_EQ(d.project, "/workspace");
  // Records are out of timestamp order; the compaction summary at 19:21:02 ends it.
  EXPECT_EQ(d.ended_at, "2026-01-02T19:21:02Z");
}

TEST_F(HarvestClaudeFixtures, V1_0_128InterruptsAndRejectedTools) {
  const auto& d = get("f852ad25-1024-47da-964e-5eaae5bd6e6a");
  ASSERT_EQ(d.user_prompts.size(), 4u);
  EXPECT_EQ(d.user_prompts[3].rfind("Never mind! But I'd like to ask you to add a `<details>` element", 0), 0u);
  EXPECT_EQ(d.assistant_finals[0].rfind("I'll analyze the tokenizer application", 0), 0u);
  EXPECT_EQ(d.assistant_finals[1].rfind("Excellent! I have successfully completed", 0), 0u);
  EXPECT_EQ(d.assistant_finals[2].rfind("Looking at your code and the constraints", 0), 0u);
  EXPECT_EQ(d.assistant_finals[3].rfind("Perfect! I've successfully added both documentation sections", 0), 0u);
  EXPECT_EQ(tool_names(d.tools), (Strings{"ExitPlanMode", "TodoWrite", "MultiEdit", "Edit", "Read"}));
  EXPECT_EQ(d.outcome.interrupts, 2);
  // Rejected tool uses come back as is_error tool results: evidence for the success judge.
  // The user went on after the interrupts, so the session did not end aborted.
  EXPECT_EQ(d.outcome.tool_errors, 4);
  EXPECT_TRUE(d.outcome.observed);
  EXPECT_FALSE(d.outcome.aborted);
  EXPECT_EQ(d.outcome.slash_commands, (Strings{"/clear"}));
  EXPECT_EQ(d.files_touched.size(), 3u);
}

TEST_F(HarvestClaudeFixtures, V1_0_51OldSystemRecordsAndBashMode) {
  const auto& d = get("326189cf-5676-4237-8cde-1ce80aae4a9f");
  EXPECT_EQ(d.user_prompts, (Strings{"please fix these"}));  // <bash-input>/<bash-stdout> are not prompts
  EXPECT_EQ(d.assistant_finals[0].rfind("Perfect! Both type checking issues have been resolved", 0), 0u);
  EXPECT_EQ(tool_names(d.tools), (Strings{"TodoWrite", "Read", "MultiEdit", "Edit", "Bash"}));
  EXPECT_EQ(d.files_touched, (Strings{"/Users/dain/workspace/claude-code-log/test/test_cache.py"}));
  EXPECT_EQ(d.git_branch, "");
}

TEST_F(HarvestClaudeFixtures, V2_1_42SevenTurnSession) {
  const auto& d = get("03eb5929-52b3-4b13-ada3-b93ae35806b8");
  EXPECT_EQ(d.user_prompts.size(), 7u);
  EXPECT_EQ(d.assistant_finals.size(), 7u);
  EXPECT_EQ(d.n_assistant_turns, 7);
  EXPECT_EQ(d.assistant_finals[0].rfind("Got it. One idea file", 0), 0u);  // blank "\n\n" blocks trimmed
  EXPECT_EQ(tool_names(d.tools), (Strings{"Bash", "Read"}));
  EXPECT_EQ(d.project, "/home/user/project");
}

TEST_F(HarvestClaudeFixtures, IdeContextBlocksAreNotPartOfThePrompt) {
  const auto& d = get("5ed31c36-bca8-40fd-8d24-f1a1f0af7901");
  ASSERT_EQ(d.user_prompts.size(), 1u);
  EXPECT_EQ(d.user_prompts[0].rfind("I keep getting mysterious build errors", 0), 0u);
  EXPECT_EQ(tool_names(d.tools), (Strings{"Glob", "Write"}));
  EXPECT_EQ(d.files_touched, (Strings{"/Users/dain/workspace/danieldemmel.me-next/.markdownlintrc.json"}));
}

TEST_F(HarvestClaudeFixtures, V2_1_17TaskToolWithSubagentDirectory) {
  const auto& d = get("29ccd257-68b1-427f-ae5f-6524b7cb6f20");
  ASSERT_EQ(d.user_prompts.size(), 1u);
  EXPECT_EQ(tool_names(d.tools), (Strings{"Task"}));
  EXPECT_EQ(d.subagent_calls, 1);
  EXPECT_EQ(d.assistant_finals[0].rfind("Here's an overview of the **claude-code-log** project", 0), 0u);
}

TEST_F(HarvestClaudeFixtures, TokenUsageIsCountedOncePerMessageId) {
  // 326189cf: 1.0.51 writes one line per content block, repeating usage; per message id the
  // maximum of each field is summed. Read off the file: 15 message ids, their
  // per-field maxima sum to 43 input and 487 output tokens.
  const auto& d = get("326189cf-5676-4237-8cde-1ce80aae4a9f");
  EXPECT_EQ(d.usage.input, 43);
  EXPECT_EQ(d.usage.output, 487);
}

// The claude-code-log synthetic files (hand-written by that project, real formats).
class HarvestClaudeSynthetic : public ::testing::Test {
 protected:
  HarvestOutput run_file(const std::string& name) {
    copy_tree(harvest_data("real/claude/synthetic/" + name), home_.file("projects/-tmp/" + name));
    return harvest({"harvest_claude", "{\"home\":\"" + home_.path() +
                                          "\",\"project_scope\":\"all\",\"lookback_hours\":0,\"settle_minutes\":0}"});
  }
  TempDir home_;
};

TEST_F(HarvestClaudeSynthetic, SessionWithoutTrailingNewline) {
  auto out = run_file("session_b.jsonl");
  ASSERT_EQ(out.digests.size(), 1u);
  const auto& d = out.digests[0];
  EXPECT_EQ(d.user_prompts.size(), 2u);  // the last line has no '\n' but is a whole record
  EXPECT_EQ(d.assistant_finals[1], "");
  EXPECT_EQ(d.n_assistant_turns, 1);
  ASSERT_EQ(d.feedback_signals.size(), 1u);
  EXPECT_EQ(d.feedback_signals[0], (FeedbackSignal{1, "positive", "Perfect"}));
  EXPECT_EQ(out.count("torn_tail"), 0);
}

TEST_F(HarvestClaudeSynthetic, RepresentativeMessages) {
  auto out = run_file("representative_messages.jsonl");
  ASSERT_EQ(out.digests.size(), 1u);
  const auto& d = out.digests[0];
  EXPECT_EQ(d.user_prompts.size(), 4u);
  EXPECT_EQ(d.assistant_finals[1].rfind("Perfect! I've created an example of a parameterized decorator.", 0), 0u);
  EXPECT_EQ(d.assistant_finals[3], "");
  EXPECT_EQ(tool_names(d.tools), (Strings{"Edit", "Bash"}));
  EXPECT_EQ(d.files_touched, (Strings{"/tmp/decorator_example.py"}));
}

TEST_F(HarvestClaudeSynthetic, TodoWriteTurnsEndingInToolCalls) {
  auto out = run_file("todowrite_examples.jsonl");
  ASSERT_EQ(out.digests.size(), 1u);
  const auto& d = out.digests[0];
  EXPECT_EQ(d.user_prompts.size(), 2u);
  // Each turn's last message (by message id) is a TodoWrite call without text.
  EXPECT_EQ(d.assistant_finals, (Strings{"", ""}));
  EXPECT_EQ(d.n_assistant_turns, 2);
  EXPECT_EQ(tool_names(d.tools), (Strings{"TodoWrite"}));
}

TEST_F(HarvestClaudeSynthetic, EdgeCasesFile) {
  auto out = run_file("edge_cases.jsonl");
  ASSERT_EQ(out.digests.size(), 1u);
  const auto& d = out.digests[0];
  ASSERT_EQ(d.user_prompts.size(), 3u);  // caveat text, command wrapper and output are not prompts
  EXPECT_EQ(d.user_prompts[2], "Testing special characters: café, naïve, résumé, 中文, العربية, русский, 🎉 emojis 🚀 and symbols ∑∆√π∞");
  EXPECT_EQ(d.assistant_finals[0].rfind("Great example! Markdown formatting is indeed supported.", 0), 0u);
  EXPECT_EQ(tool_names(d.tools), (Strings{"FailingTool", "MultiEdit", "TodoWrite"}));
  EXPECT_EQ(d.outcome.slash_commands, (Strings{"test-command"}));
  EXPECT_EQ(out.count("non_object_lines"), 3);      // "massive error", 42, [1]
  EXPECT_EQ(out.count("records_without_type"), 1);  // {"silly": "this"}
  EXPECT_EQ(out.count("malformed_records"), 1);     // "message": "error"
}

TEST_F(HarvestClaudeSynthetic, RewindBranchesAndCompactionSummary) {
  auto out = run_file("dag_compact_after_rewind.jsonl");
  ASSERT_EQ(out.digests.size(), 1u);
  const auto& d = out.digests[0];
  EXPECT_EQ(d.user_prompts, (Strings{"Start", "First attempt", "Second attempt", "Keep going", "After compaction"}));
  EXPECT_EQ(d.assistant_finals, (Strings{"Ready", "First answer", "Second answer", "Kept going", "Final answer"}));
  EXPECT_EQ(d.compactions, 1);
}

}  // namespace
}  // namespace skillpipe::testing
