// Every real Codex rollout parses with the prompt/final/tool counts read off the files
// (tests/data/harvest/real/codex, copied from shared/fixtures/real; see SOURCES.md there).
#include <gtest/gtest.h>

#include <algorithm>

#include "harvest_test_util.hpp"

namespace skillpipe::testing {
namespace {

using Strings = std::vector<std::string>;

class HarvestCodexFixtures : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    home_ = new TempDir;
    copy_tree(harvest_data("real/codex/sessions"), home_->file("sessions"));
    copy_tree(harvest_data("real/codex/archived_sessions"), home_->file("archived_sessions"));
    out_ = new HarvestOutput(harvest({"harvest_codex", "{\"home\":\"" + home_->path() +
                                                           "\",\"project_scope\":\"all\",\"lookback_hours\":0,"
                                                           "\"max_sessions\":0,\"settle_minutes\":0}"}));
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
TempDir* HarvestCodexFixtures::home_ = nullptr;
HarvestOutput* HarvestCodexFixtures::out_ = nullptr;

TEST_F(HarvestCodexFixtures, OneDigestPerRolloutWithAPrompt) {
  EXPECT_EQ(out_->count("files_seen"), 5);
  EXPECT_EQ(out_->digests.size(), 4u);
  EXPECT_EQ(out_->count("files_without_prompts"), 1);  // 0.63: a lone session_meta line
  EXPECT_EQ(out_->count("bad_lines"), 0);
  EXPECT_EQ(out_->count("torn_tail"), 0);  // that line has no '\n' but is a whole record
  for (const auto& d : out_->digests) {
    EXPECT_EQ(d.source, "codex");
    EXPECT_EQ(d.user_prompts.size(), d.assistant_finals.size());
    for (const auto& p : d.user_prompts) {
      EXPECT_EQ(p.find("<environment_context>"), std::string::npos);
      EXPECT_EQ(p.find("# AGENTS.md instructions"), std::string::npos);
    }
  }
}

TEST_F(HarvestCodexFixtures, V0_58CliRolloutOnePromptManyShellCalls) {
  const auto& d = get("019a93b9-f380-7600-98ff-940e6b99603c");
  ASSERT_EQ(d.user_prompts.size(), 1u);  // event and response item of the same prompt count once
  EXPECT_EQ(d.user_prompts[0].rfind("finish up the users work by rigging up the chatbot-ui to use lmstudio", 0), 0u);
  EXPECT_EQ(d.assistant_finals, (Strings{""}));  // no agent message: the rollout stops mid-task
  EXPECT_EQ(tool_names(d.tools), (Strings{"shell", "update_plan"}));
  // apply_patch heredocs inside shell argv; relative to the session cwd.
  EXPECT_EQ(d.files_touched, (Strings{"/home/user/projects/temp/chatbot-ui/components/chat/chat-helpers/index.ts"}));
  EXPECT_EQ(d.project, "/home/user/projects/temp/chatbot-ui");
  EXPECT_EQ(d.git_branch, "main");
  // File name says 15:30 local; the content is UTC.
  EXPECT_EQ(d.started_at, "2025-11-17T21:30:28Z");
  // Last cumulative total: 1099261 input of which 1027328 cached, 22305 output.
  EXPECT_EQ(d.usage.input, 1099261 - 1027328);
  EXPECT_EQ(d.usage.cache_read, 1027328);
  EXPECT_EQ(d.usage.output, 22305);
  EXPECT_EQ(d.agent_version, "0.58.0");
}

TEST_F(HarvestCodexFixtures, V0_77ExecRolloutWithRepeatedTokenCounts) {
  const auto& d = get("019b7f94-51b4-7593-922e-ba12b5b73b52");
  EXPECT_EQ(d.user_prompts, (Strings{"what is current repository about? summarize purpuse and explain goals"}));
  EXPECT_EQ(tool_names(d.tools), (Strings{"shell"}));
  EXPECT_EQ(d.usage.input, 22474 - 14848);
  EXPECT_EQ(d.usage.output, 300);
  EXPECT_EQ(d.attrs.at("originator"), "codex_exec");
  EXPECT_EQ(d.attrs.at("source"), "exec");
  EXPECT_EQ(d.git_branch, "codex");
}

TEST_F(HarvestCodexFixtures, V0_104DesktopCompactedRollout) {
  const auto& d = get("019c8a59-e9dd-71f0-9ae3-4079fe9726a9");
  EXPECT_EQ(d.user_prompts.size(), 38u);  // 38 user_message events over 33 turns
  EXPECT_EQ(d.assistant_finals.size(), 38u);
  // 33 turns end in task_complete; the 5 prompts typed mid-turn keep the agent message.
  auto from_task_complete = std::count_if(d.assistant_finals.begin(), d.assistant_finals.end(), [](const std::string& f) {
    return f.rfind("[REDACTED_LAST_AGENT_MESSAGE", 0) == 0;
  });
  EXPECT_EQ(from_task_complete, 33);
  EXPECT_EQ(std::count(d.assistant_finals.begin(), d.assistant_finals.end(), ""), 0);
  EXPECT_EQ(d.attrs.at("originator"), "Codex Desktop");
  EXPECT_EQ(d.compactions, 1);
  for (const char* t : {"exec_command", "write_stdin", "update_plan", "apply_patch", "web_search",
                        "mcp__supabase_right_aim_ops__execute_sql"})
    EXPECT_NE(std::find_if(d.tools.begin(), d.tools.end(), [&](const ToolUse& u) { return u.name == t; }), d.tools.end()) << t;
  EXPECT_EQ(d.tools.size(), 15u);
  EXPECT_GT(d.usage.output, 0);
}

TEST_F(HarvestCodexFixtures, ArchivedDesktopRolloutWithUnfinishedCall) {
  const auto& d = get("019c8a70-dda7-7f33-98ea-f30553347322");
  EXPECT_EQ(d.user_prompts, (Strings{"[REDACTED_MESSAGE len=86 sha=2239bcba]"}));
  EXPECT_EQ(d.assistant_finals, (Strings{"[REDACTED_MESSAGE len=124 sha=7a220b7e]"}));
  EXPECT_EQ(tool_names(d.tools), (Strings{"exec_command"}));
  EXPECT_EQ(d.usage.input, 34469 - 3456);
  EXPECT_EQ(d.usage.output, 431);
  EXPECT_NE(d.raw_path.find("/archived_sessions/"), std::string::npos);
}

// The claude-code-log synthetic rollouts: current envelope, legacy un-enveloped, archived.
class HarvestCodexSynthetic : public ::testing::Test {
 protected:
  HarvestOutput run(const std::string& name, const std::string& dest) {
    copy_tree(harvest_data("real/codex/synthetic/" + name), home_.file(dest));
    return harvest({"harvest_codex", "{\"home\":\"" + home_.path() +
                                         "\",\"project_scope\":\"all\",\"lookback_hours\":0,\"settle_minutes\":0}"});
  }
  TempDir home_;
};

TEST_F(HarvestCodexSynthetic, EnvelopeWithCustomToolCallsAndUnknownRecord) {
  auto out = run("rollout-2026-01-02T03-04-05-11111111-1111-4111-8111-111111111111.jsonl",
                 "sessions/2026/01/02/rollout-2026-01-02T03-04-05-11111111-1111-4111-8111-111111111111.jsonl");
  ASSERT_EQ(out.digests.size(), 1u);
  const auto& d = out.digests[0];
  EXPECT_EQ(d.user_prompts, (Strings{"List the synthetic files."}));
  EXPECT_EQ(d.assistant_finals, (Strings{"The synthetic files are alpha.txt and beta.txt."}));
  EXPECT_EQ(tool_names(d.tools), (Strings{"exec_command", "apply_patch", "mcp__synthetic__lookup"}));
  EXPECT_EQ(d.files_touched, (Strings{"/workspace/synthetic-project/gamma.txt"}));
  EXPECT_EQ(out.count("unknown_records"), 1);  // future_synthetic_record
}

TEST_F(HarvestCodexSynthetic, LegacyUnenvelopedRollout) {
  auto out = run("rollout-44444444-4444-4444-8444-444444444444.jsonl",
                 "sessions/rollout-44444444-4444-4444-8444-444444444444.jsonl");
  ASSERT_EQ(out.digests.size(), 1u);
  const auto& d = out.digests[0];
  EXPECT_EQ(d.session_id, "44444444-4444-4444-8444-444444444444");
  EXPECT_EQ(d.user_prompts, (Strings{"Open the synthetic legacy session."}));
  EXPECT_EQ(d.assistant_finals, (Strings{"The synthetic legacy session is open."}));
  EXPECT_EQ(d.started_at, "2026-01-04T05:06:07Z");  // items carry no time: the header's
}

TEST_F(HarvestCodexSynthetic, ArchivedMinimalRollout) {
  auto out = run("archived-rollout-55555555-5555-4555-8555-555555555555.jsonl",
                 "archived_sessions/rollout-55555555-5555-4555-8555-555555555555.jsonl");
  ASSERT_EQ(out.digests.size(), 1u);
  EXPECT_EQ(out.digests[0].user_prompts, (Strings{"Archived synthetic prompt."}));
  EXPECT_EQ(out.digests[0].assistant_finals, (Strings{""}));
  EXPECT_EQ(out.digests[0].n_assistant_turns, 0);
  EXPECT_EQ(out.digests[0].project, "/workspace/synthetic-project");
}

}  // namespace
}  // namespace skillpipe::testing
