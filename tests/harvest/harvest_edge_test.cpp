// Filters and edge cases, each on a small hand-written transcript (tests/data/harvest/edge);
// Codex's own cases are in harvest_codex_edge_test.cpp.
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

TEST_F(HarvestEdge, ClaudeWhatIsAndIsNotAPrompt) {
  claude("filters.jsonl");
  auto out = run("harvest_claude");
  ASSERT_EQ(out.digests.size(), 1u);
  const auto& d = out.digests[0];
  EXPECT_EQ(d.user_prompts, (Strings{"fix the flaky test in parser_test.cpp", "thanks, perfect! now add a regression test",
                                     "this is not correct, the test still fails"}));
  EXPECT_EQ(d.assistant_finals, (Strings{"Fixed: the test raced on a temp dir.", "Added tests/regression_test.cpp.",
                                         "Right, the fixture path was wrong; fixed."}));
  EXPECT_EQ(tool_names(d.tools), (Strings{"Skill", "NotebookEdit", "Grep"}));  // sidechain WebFetch excluded
  EXPECT_EQ(d.skills_used, (Strings{"run-tests"}));
  EXPECT_EQ(d.files_touched, (Strings{"/home/me/src/app/nb.ipynb"}));  // Grep's path is a search root
  EXPECT_EQ(d.git_branch, "feat/x");
  EXPECT_EQ(d.outcome.interrupts, 1);
  EXPECT_EQ(d.compactions, 1);
  EXPECT_EQ(out.count("duplicate_prompts"), 1);
  EXPECT_EQ(out.count("sidechain_records"), 2);
  EXPECT_EQ(out.count("unknown_records"), 1);
  EXPECT_EQ(out.count("synthetic_messages"), 1);
  EXPECT_EQ(out.count("api_error_messages"), 1);
}

// Interactive Claude Code 2.1.x writes a slash command as a system record (the -p mode of the
// recorded fixtures writes it as a user record): both are slash commands, neither a prompt.
TEST_F(HarvestEdge, ClaudeSlashCommandsAsLocalCommandRecords) {
  const std::string base = R"("sessionId":"slash","cwd":"/home/me/src/app","version":"2.1.197")";
  std::filesystem::create_directories(home_.file("projects/-home-me-src-app"));
  append_text(home_.file("projects/-home-me-src-app/slash.jsonl"),
              "{\"type\":\"system\",\"subtype\":\"local_command\",\"content\":\"<command-name>/model</command-name>\\n"
              "<command-message>model</command-message>\\n<command-args>opus</command-args>\",\"uuid\":\"s1\","
              "\"timestamp\":\"2026-03-01T10:00:00.000Z\"," + base + "}\n"
              "{\"type\":\"system\",\"subtype\":\"local_command\",\"content\":\"<local-command-stdout>Set model to "
              "opus</local-command-stdout>\",\"uuid\":\"s2\",\"timestamp\":\"2026-03-01T10:00:01.000Z\"," + base + "}\n"
              "{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":\"fix the flaky parser test\"},\"uuid\":\"u1\","
              "\"timestamp\":\"2026-03-01T10:01:00.000Z\"," + base + "}\n"
              "{\"type\":\"assistant\",\"message\":{\"id\":\"m1\",\"role\":\"assistant\",\"model\":\"claude-x\",\"content\":"
              "[{\"type\":\"text\",\"text\":\"Fixed.\"}],\"stop_reason\":\"end_turn\"},\"uuid\":\"a1\","
              "\"timestamp\":\"2026-03-01T10:02:00.000Z\"," + base + "}\n");
  auto out = run("harvest_claude");
  ASSERT_EQ(out.digests.size(), 1u);
  EXPECT_EQ(out.digests[0].outcome.slash_commands, (Strings{"/model"}));
  EXPECT_EQ(out.digests[0].user_prompts, (Strings{"fix the flaky parser test"}));
  EXPECT_EQ(out.digests[0].assistant_finals, (Strings{"Fixed."}));
  EXPECT_EQ(out.count("unknown_records"), 0);
}

TEST_F(HarvestEdge, ClaudeTokenUsageMaxPerMessageIdThenSummed) {
  claude("filters.jsonl");
  auto out = run("harvest_claude");
  ASSERT_EQ(out.digests.size(), 1u);
  // msg_1 repeats usage (10/2 then 10/40): max 10 in, 40 out; msg_2 20/30; msg_5 5/9.
  EXPECT_EQ(out.digests[0].usage, (TokenUsage{35, 79, 100, 5}));
}

TEST_F(HarvestEdge, FeedbackSignalsCarryThePromptIndex) {
  claude("filters.jsonl");
  auto out = run("harvest_claude");
  ASSERT_EQ(out.digests.size(), 1u);
  EXPECT_EQ(out.digests[0].feedback_signals,
            (std::vector<FeedbackSignal>{{1, "positive", "thanks"}, {1, "positive", "perfect"},
                                         {2, "negative", "not correct"}, {2, "negative", "still fails"}}));
  EXPECT_EQ(out.count("feedback_signals"), 4);
}

TEST_F(HarvestEdge, FeedbackPhrasesExtendFromConfig) {
  claude("filters.jsonl");
  auto out = run("harvest_claude", "\"feedback\":{\"positive\":[\"regression test\"],\"negative\":[\"flaky\"]}");
  ASSERT_EQ(out.digests.size(), 1u);
  const auto& s = out.digests[0].feedback_signals;
  // "fix the flaky test" states the task: the first prompt is never feedback.
  EXPECT_EQ(std::find(s.begin(), s.end(), FeedbackSignal{0, "negative", "flaky"}), s.end());
  EXPECT_NE(std::find(s.begin(), s.end(), FeedbackSignal{1, "positive", "regression test"}), s.end());
}

TEST_F(HarvestEdge, SecretsAreRedactedBeforeTheyLeaveTheHarvester) {
  claude("secrets.jsonl");
  auto out = run("harvest_claude");
  ASSERT_EQ(out.digests.size(), 1u);
  const auto& d = out.digests[0];
  EXPECT_EQ(d.user_prompts[0], "call the API with OPENAI_API_KEY=[REDACTED:openai_key] and check");
  EXPECT_EQ(d.assistant_finals[0],
            "Connected with postgres://app:[REDACTED:url_password]@db:5432/prod; commit "
            "3f786850e387550fdab836ed7e6dc881de23001b.");
  EXPECT_EQ(out.count("redactions"), 2);
}

TEST_F(HarvestEdge, InvalidUtf8IsRepairedAndCounted) {
  claude("bad_utf8.jsonl");
  auto out = run("harvest_claude");
  ASSERT_EQ(out.digests.size(), 1u);
  EXPECT_EQ(out.digests[0].user_prompts[0], "bad byte \xEF\xBF\xBD here and a lone \xEF\xBF\xBD surrogate");
  EXPECT_EQ(out.count("utf8_repaired"), 2);
}

TEST_F(HarvestEdge, ReplaySessionsAreSkipped) {
  claude("replay.jsonl");
  claude("scope-app.jsonl");
  auto out = run("harvest_claude");
  EXPECT_EQ(ids(out), (Strings{"scope-app"}));
  EXPECT_EQ(out.count("sessions_skipped_replay"), 1);
}

TEST_F(HarvestEdge, AgentMarkersAreConfigurable) {
  claude("agent_marker.jsonl");
  EXPECT_EQ(ids(run("harvest_claude")), (Strings{"edge-marker"}));
  auto out = run("harvest_claude", "\"agent_markers\":[\"<!-- nightly-bot -->\"]");
  EXPECT_TRUE(out.digests.empty());
  EXPECT_EQ(out.count("sessions_skipped_agent_marker"), 1);
}

class HarvestScopeFilter : public HarvestEdge {
 protected:
  void SetUp() override {
    for (const char* n : {"scope-app", "scope-sub", "scope-parent", "scope-other", "scope-else"})
      claude(std::string(n) + ".jsonl", std::string("-dir-") + n);
  }
  Strings sorted(HarvestOutput out) {
    Strings v = ids(out);
    std::sort(v.begin(), v.end());
    return v;
  }
};

TEST_F(HarvestScopeFilter, InvokedIsTheProjectWithItsSubAndParentDirectories) {
  auto out = run("harvest_claude", "\"project_scope\":\"invoked\"", "/home/me/src/app");
  EXPECT_EQ(sorted(out), (Strings{"scope-app", "scope-parent", "scope-sub"}));
  EXPECT_EQ(out.count("sessions_skipped_out_of_scope"), 2);
}

TEST_F(HarvestScopeFilter, ListAndAll) {
  EXPECT_EQ(sorted(run("harvest_claude", "\"project_scope\":\"list\",\"projects\":[\"/srv/other\",\"/home/me/src/application\"]")),
            (Strings{"scope-else", "scope-other", "scope-parent"}));  // /home/me/src is a parent
  EXPECT_EQ(sorted(run("harvest_claude", "\"projects\":[\"/srv/other\"]")), (Strings{"scope-else"}));
  EXPECT_EQ(run("harvest_claude", "\"project_scope\":\"all\"").digests.size(), 5u);
  // A run for "all" projects with the default scope harvests everything.
  EXPECT_EQ(run("harvest_claude", "\"project_scope\":\"invoked\"", "all").digests.size(), 5u);
}

TEST_F(HarvestScopeFilter, MaxSessionsKeepsTheNewest) {
  auto out = run("harvest_claude", "\"max_sessions\":2");
  EXPECT_EQ(ids(out), (Strings{"scope-else", "scope-other"}));  // 13:00 and 12:00, newest first
  EXPECT_EQ(out.count("sessions_capped"), 3);
  EXPECT_EQ(out.count("sessions"), 2);
}

TEST_F(HarvestScopeFilter, OlderFilesAreNotOpenedOnceTheCapIsFull) {
  // mtimes follow the sessions' times; with two threads at most a couple of older files
  // are parsed before the workers see the cap is full.
  const std::pair<const char*, const char*> times[] = {{"scope-app", "2026-03-02T09:00:30Z"},
                                                       {"scope-sub", "2026-03-02T10:00:30Z"},
                                                       {"scope-parent", "2026-03-02T11:00:30Z"},
                                                       {"scope-other", "2026-03-02T12:00:30Z"},
                                                       {"scope-else", "2026-03-02T13:00:30Z"}};
  for (auto [n, t] : times)
    set_mtime(home_.file(std::string("projects/-dir-") + n + "/" + n + ".jsonl"), *parse_iso8601_ms(t) / 1000);
  auto out = run("harvest_claude", "\"max_sessions\":1,\"threads\":1");
  EXPECT_EQ(ids(out), (Strings{"scope-else"}));
  EXPECT_EQ(out.count("files_deferred"), 4);
  EXPECT_EQ(out.count("files_read"), 1);
}

TEST_F(HarvestEdge, LookbackWindowComparesInstantsNotStrings) {
  std::string path = claude("window.jsonl");
  // now 2026-03-01T12:00Z, 24 h: the second prompt is 23:30+01:00 = 22:30Z on 02-28, inside.
  auto out = run("harvest_claude", "\"lookback_hours\":24", "all", "2026-03-01T12:00:00Z");
  ASSERT_EQ(out.digests.size(), 1u);
  const auto& d = out.digests[0];
  EXPECT_EQ(d.user_prompts, (Strings{"new request inside the window"}));
  EXPECT_EQ(d.assistant_finals, (Strings{"new answer"}));
  EXPECT_EQ(tool_names(d.tools), (Strings{"Edit"}));  // the old turn's Bash is outside the window
  EXPECT_EQ(d.started_at, "2026-02-28T22:30:00Z");
  EXPECT_EQ(d.attrs.at("partial_window"), "true");
  EXPECT_EQ(run("harvest_claude", "\"lookback_hours\":0", "all", "2026-03-01T12:00:00Z").digests[0].user_prompts.size(), 2u);
  // A file last written before the window is not even opened.
  set_mtime(path, *parse_iso8601_ms("2026-02-20T09:00:00Z") / 1000);
  auto old = run("harvest_claude", "\"lookback_hours\":24", "all", "2026-03-01T12:00:00Z");
  EXPECT_TRUE(old.digests.empty());
  EXPECT_EQ(old.count("files_outside_window"), 1);
}

TEST_F(HarvestEdge, OversizeLinesAreSkippedAndCounted) {
  std::string p = home_.file("projects/-x/big.jsonl");
  std::string big(200000, 'z');
  write_text(p,
             "{\"type\":\"user\",\"uuid\":\"u1\",\"sessionId\":\"big\",\"timestamp\":\"2026-03-01T09:00:00Z\",\"cwd\":\"/p\","
             "\"message\":{\"role\":\"user\",\"content\":\"paste\"}}\n"
             "{\"type\":\"user\",\"uuid\":\"u2\",\"sessionId\":\"big\",\"timestamp\":\"2026-03-01T09:00:01Z\",\"cwd\":\"/p\","
             "\"toolUseResult\":\"" + big + "\",\"message\":{\"role\":\"user\",\"content\":[]}}\n"
             "{\"type\":\"user\",\"uuid\":\"u3\",\"sessionId\":\"big\",\"timestamp\":\"2026-03-01T09:00:02Z\",\"cwd\":\"/p\","
             "\"message\":{\"role\":\"user\",\"content\":\"after the big line\"}}\n");
  auto out = run("harvest_claude", "\"max_line_bytes\":65536");
  ASSERT_EQ(out.digests.size(), 1u);
  EXPECT_EQ(out.digests[0].user_prompts, (Strings{"paste", "after the big line"}));
  EXPECT_EQ(out.count("oversize_lines"), 1);
}

TEST_F(HarvestEdge, LongTextsAreCutToMaxTextBytes) {
  std::string p = home_.file("projects/-x/long.jsonl");
  write_text(p, "{\"type\":\"user\",\"uuid\":\"u1\",\"sessionId\":\"long\",\"timestamp\":\"2026-03-01T09:00:00Z\",\"cwd\":\"/p\","
                "\"message\":{\"role\":\"user\",\"content\":\"" + std::string(5000, 'q') + "\"}}\n");
  auto out = run("harvest_claude", "\"max_text_bytes\":1000");
  ASSERT_EQ(out.digests.size(), 1u);
  EXPECT_LE(out.digests[0].user_prompts[0].size(), 1000u + 3);
  EXPECT_EQ(out.count("texts_truncated"), 1);
}

// A token the cut splits is redacted whole before the cut: cut first, "ghp_" + 29 characters
// would be one short of the rule and stay in the digest.
TEST_F(HarvestEdge, ASecretSplitByTheCutIsRedactedWhole) {
  const std::string token = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8";
  std::string p = home_.file("projects/-x/cut.jsonl");
  write_text(p, "{\"type\":\"user\",\"uuid\":\"u1\",\"sessionId\":\"cut\",\"timestamp\":\"2026-03-01T09:00:00Z\",\"cwd\":\"/p\","
                "\"message\":{\"role\":\"user\",\"content\":\"" + std::string(966, 'q') + " " + token + " and the rest\"}}\n");
  auto out = run("harvest_claude", "\"max_text_bytes\":1000");
  ASSERT_EQ(out.digests.size(), 1u);
  const std::string& kept = out.digests[0].user_prompts[0];
  EXPECT_EQ(kept.find("ghp_A1b2"), std::string::npos) << kept.substr(900);
  EXPECT_NE(kept.find("[REDACTED:"), std::string::npos) << kept.substr(900);
  EXPECT_EQ(out.count("texts_truncated"), 1);
  EXPECT_EQ(out.count("redactions"), 1);
}

TEST_F(HarvestEdge, AnUnreadableFileIsReportedAndTheRestHarvested) {
  claude("scope-app.jsonl");
  write_text(home_.file("projects/-x/broken.jsonl.zst"), std::string("\x28\xb5\x2f\xfd" " not really zstd"));
  auto out = run("harvest_claude");
  EXPECT_EQ(ids(out), (Strings{"scope-app"}));
  EXPECT_EQ(out.count("files_unreadable"), 1);
}

TEST_F(HarvestEdge, ALiveSessionHoldsItsLastTurnBack) {
  claude("secrets.jsonl");
  std::string p = claude("scope-app.jsonl");
  append_text(p, "{\"type\":\"user\",\"uuid\":\"u9\",\"sessionId\":\"scope-app\",\"timestamp\":\"2026-03-02T09:05:00.000Z\","
                 "\"cwd\":\"/home/me/src/app\",\"message\":{\"role\":\"user\",\"content\":\"still typing\"}}\n");
  // Only with a cursor to come back to: without a store nothing would re-read the turn.
  MemoryStore store{"", ""};  // state only: the harvesters keep their cursors there
  auto live = harvest({"harvest_claude",
                       "{\"home\":\"" + home_.path() + "\",\"project_scope\":\"all\",\"lookback_hours\":0,\"settle_minutes\":30}",
                       "all", "",
                       &store});  // real clock: the files were just written
  const SessionDigest* d = live.find("scope-app");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->user_prompts, (Strings{"work in /home/me/src/app"}));
  EXPECT_EQ(live.count("turns_held_back"), 2);
  // Once the file has settled, the next run resumes at the held turn and reads it whole.
  auto later = harvest({"harvest_claude",
                        "{\"home\":\"" + home_.path() + "\",\"project_scope\":\"all\",\"lookback_hours\":0,\"settle_minutes\":0}",
                        "all", "", &store});
  EXPECT_EQ(later.find("scope-app")->user_prompts, (Strings{"still typing"}));
  EXPECT_EQ(later.find("edge-secrets")->user_prompts.size(), 1u);
  auto settled = run("harvest_claude", "\"settle_minutes\":0", "all", "");
  EXPECT_EQ(settled.find("scope-app")->user_prompts.size(), 2u);
}

TEST_F(HarvestEdge, ConfigErrorsNameTheKey) {
  auto reg = make_registry();
  for (const char* plugin : {"harvest_claude", "harvest_codex"}) {
    const char* schema = reg->load(plugin).desc->config_schema_json;
    EXPECT_TRUE(host::check_config(schema, "{\"home\":\"/x\",\"lookback_hours\":24,\"threads\":2}").empty());
    auto issues = host::check_config(schema, "{\"hme\":\"/x\"}");
    ASSERT_FALSE(issues.empty()) << plugin;
    EXPECT_NE(issues[0].pointer.find("hme"), std::string::npos);
    EXPECT_FALSE(host::check_config(schema, "{\"project_scope\":\"mine\"}").empty());
    EXPECT_FALSE(host::check_config(schema, "{\"lookback_hours\":-1}").empty());
  }
  try {
    run("harvest_claude", "\"project_scope\":\"list\"");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(e.pointer().find("projects"), std::string::npos);
  }
}

TEST_F(HarvestEdge, AMissingHomeIsEmptyNotAnError) {
  auto out = harvest({"harvest_claude", "{\"home\":\"" + home_.file("nowhere") + "\",\"project_scope\":\"all\"}"});
  EXPECT_TRUE(out.digests.empty());
}

// ---- Codex ------------------------------------------------------------------------------

TEST_F(HarvestEdge, ClaudeToolErrorsAndAnAbortedEndingAreRecorded) {
  claude("aborted.jsonl");
  auto out = run("harvest_claude");
  ASSERT_EQ(out.digests.size(), 1u);
  const auto& d = out.digests[0];
  EXPECT_EQ(d.user_prompts, (Strings{"migrate the build to meson"}));
  EXPECT_TRUE(d.outcome.observed);
  EXPECT_EQ(d.outcome.tool_errors, 1);  // is_error false is not an error
  EXPECT_TRUE(d.outcome.aborted);       // the user's last act was to stop the agent
  // Each call counted once and its failure charged to it.
  EXPECT_EQ(d.tools, (std::vector<ToolUse>{{"Bash", 2, 1}}));
  EXPECT_EQ(d.outcome.tool_calls, 2);
}

}  // namespace
}  // namespace skillpipe::testing
