// Incremental cursors kept in the store: append, unchanged, truncate, rotate, torn tail,
// compression/archive moves, token deltas, the cap, sticky skips, forgotten files.
#include <gtest/gtest.h>

#include <filesystem>

#include "harvest_test_util.hpp"

namespace skillpipe::testing {
namespace {

using Strings = std::vector<std::string>;
namespace fs = std::filesystem;

class HarvestCursorStore : public ::testing::Test {
 protected:
  HarvestOutput run(const std::string& plugin, const std::string& extra = "") {
    std::string cfg = "{\"home\":\"" + home_.path() + "\",\"project_scope\":\"all\",\"lookback_hours\":0,\"settle_minutes\":0";
    if (extra.find("max_sessions") == std::string::npos) cfg += ",\"max_sessions\":0";
    if (!extra.empty()) cfg += "," + extra;
    return harvest({plugin, cfg + "}", "all", "2026-11-01T00:00:00Z", &store_});
  }
  std::string claude_file(const std::string& name = "3fb74381-1bf4-475e-8c6f-442d872b1bcf.jsonl") {
    return home_.file("projects/-p/" + name);
  }
  TempDir home_;
  MemoryStore store_{"", ""};  // state only: the harvesters keep their cursors there
};

TEST_F(HarvestCursorStore, AppendedTurnsAreReadFromTheCursorOnly) {
  // turn-1 is a byte prefix of turn-2 (the same Claude session file after one more turn).
  std::string path = claude_file();
  copy_tree(harvest_data("real/claude/incremental/3fb74381-1bf4-475e-8c6f-442d872b1bcf.turn-1.jsonl"), path);
  auto first = run("harvest_claude");
  ASSERT_EQ(first.digests.size(), 1u);
  EXPECT_EQ(first.digests[0].user_prompts, (Strings{"show tools"}));
  std::string full = read_text(harvest_data("real/claude/incremental/3fb74381-1bf4-475e-8c6f-442d872b1bcf.turn-2.jsonl"));
  std::string prefix = read_text(path);
  ASSERT_EQ(full.compare(0, prefix.size(), prefix), 0);
  append_text(path, full.substr(prefix.size()));  // same inode, grown
  auto second = run("harvest_claude");
  ASSERT_EQ(second.digests.size(), 1u);
  const auto& d = second.digests[0];
  EXPECT_EQ(d.session_id, "3fb74381-1bf4-475e-8c6f-442d872b1bcf");
  EXPECT_EQ(d.user_prompts, (Strings{"hi", "expore current repo and provide highlevel information", "tell me more about agent module"}));
  EXPECT_EQ(d.assistant_finals.size(), 3u);
  EXPECT_EQ(d.attrs.at("resumed_from_offset"), std::to_string(prefix.size()));
  EXPECT_EQ(second.count("files_appended"), 1);
  EXPECT_EQ(second.count("bytes"), static_cast<std::int64_t>(full.size() - prefix.size()));
  auto third = run("harvest_claude");
  EXPECT_TRUE(third.digests.empty());
  EXPECT_EQ(third.count("files_unchanged"), 1);
  EXPECT_EQ(third.count("bytes"), 0);
}

TEST_F(HarvestCursorStore, ATruncatedFileIsReadAgainFromTheStart) {
  std::string path = claude_file();
  copy_tree(harvest_data("real/claude/incremental/3fb74381-1bf4-475e-8c6f-442d872b1bcf.turn-2.jsonl"), path);
  ASSERT_EQ(run("harvest_claude").digests.at(0).user_prompts.size(), 4u);
  // Rewritten in place, shorter (same inode).
  std::string turn1 = read_text(harvest_data("real/claude/incremental/3fb74381-1bf4-475e-8c6f-442d872b1bcf.turn-1.jsonl"));
  fs::resize_file(path, 0);
  append_text(path, turn1);
  auto out = run("harvest_claude");
  EXPECT_EQ(out.count("files_truncated"), 1);
  ASSERT_EQ(out.digests.size(), 1u);
  EXPECT_EQ(out.digests[0].user_prompts, (Strings{"show tools"}));
}

TEST_F(HarvestCursorStore, ARotatedFileIsReadAgainFromTheStart) {
  std::string path = claude_file("s.jsonl");
  copy_tree(harvest_data("edge/claude/scope-app.jsonl"), path);
  ASSERT_EQ(run("harvest_claude").digests.size(), 1u);
  // A new file replaces the old one under the same name (new inode, different content).
  copy_tree(harvest_data("edge/claude/secrets.jsonl"), path + ".tmp");
  fs::rename(path + ".tmp", path);
  auto out = run("harvest_claude");
  EXPECT_EQ(out.count("files_rotated"), 1);
  ASSERT_EQ(out.digests.size(), 1u);
  EXPECT_EQ(out.digests[0].session_id, "edge-secrets");
}

TEST_F(HarvestCursorStore, ATornTailIsRetriedOnceComplete) {
  std::string path = claude_file("torn.jsonl");
  copy_tree(harvest_data("edge/claude/torn.jsonl"), path);
  auto first = run("harvest_claude");
  EXPECT_EQ(first.count("torn_tail"), 1);
  ASSERT_EQ(first.digests.size(), 1u);
  EXPECT_EQ(first.digests[0].user_prompts, (Strings{"first request"}));
  append_text(path, "uest\"}}\n");  // the writer finishes the line
  auto second = run("harvest_claude");
  ASSERT_EQ(second.digests.size(), 1u);
  EXPECT_EQ(second.digests[0].user_prompts, (Strings{"second request"}));
  EXPECT_EQ(second.count("torn_tail"), 0);
}

TEST_F(HarvestCursorStore, CompressedThenArchivedRolloutIsNotHarvestedTwice) {
  const std::string name = "rollout-2026-03-01T10-00-00-0199aaaa-0000-7000-8000-000000000001.jsonl";
  std::string live = home_.file("sessions/2026/03/01/" + name);
  copy_tree(harvest_data("edge/codex/" + name), live);
  ASSERT_EQ(run("harvest_codex").digests.size(), 1u);
  // Codex >= 0.137 compresses an idle rollout in place: new name, new inode.
  zstd_file(live, live + ".zst");
  fs::remove(live);
  auto compressed = run("harvest_codex");
  EXPECT_TRUE(compressed.digests.empty());
  EXPECT_EQ(compressed.count("files_moved"), 1);
  // Archiving moves it to archived_sessions/.
  fs::create_directories(home_.file("archived_sessions"));
  fs::rename(live + ".zst", home_.file("archived_sessions/" + name + ".zst"));
  auto archived = run("harvest_codex");
  EXPECT_TRUE(archived.digests.empty());
  EXPECT_EQ(archived.count("files_moved"), 1);
  EXPECT_EQ(run("harvest_codex").count("files_unchanged"), 1);
}

TEST_F(HarvestCursorStore, CodexTokenUsageIsTheGrowthSinceTheLastRun) {
  std::string path = home_.file("sessions/2026/03/02/rollout-2026-03-02T08-00-00-0199bbbb-0000-7000-8000-000000000001.jsonl");
  write_text(path,
             "{\"timestamp\":\"2026-03-02T08:00:00Z\",\"type\":\"session_meta\",\"payload\":{\"id\":\"0199bbbb-0000-7000-8000-000000000001\",\"cwd\":\"/w\"}}\n"
             "{\"timestamp\":\"2026-03-02T08:00:01Z\",\"type\":\"event_msg\",\"payload\":{\"type\":\"user_message\",\"message\":\"one\"}}\n"
             "{\"timestamp\":\"2026-03-02T08:00:02Z\",\"type\":\"event_msg\",\"payload\":{\"type\":\"token_count\",\"info\":{\"total_token_usage\":{\"input_tokens\":100,\"cached_input_tokens\":10,\"output_tokens\":7}}}}\n");
  auto first = run("harvest_codex");
  ASSERT_EQ(first.digests.size(), 1u);
  EXPECT_EQ(first.digests[0].usage, (TokenUsage{90, 7, 10, 0}));
  append_text(path,
              "{\"timestamp\":\"2026-03-02T09:00:01Z\",\"type\":\"event_msg\",\"payload\":{\"type\":\"user_message\",\"message\":\"two\"}}\n"
              "{\"timestamp\":\"2026-03-02T09:00:02Z\",\"type\":\"event_msg\",\"payload\":{\"type\":\"token_count\",\"info\":{\"total_token_usage\":{\"input_tokens\":250,\"cached_input_tokens\":60,\"output_tokens\":20}}}}\n");
  auto second = run("harvest_codex");
  ASSERT_EQ(second.digests.size(), 1u);
  const auto& d = second.digests[0];
  EXPECT_EQ(d.user_prompts, (Strings{"two"}));
  EXPECT_EQ(d.session_id, "0199bbbb-0000-7000-8000-000000000001");  // from the cursor: no meta line read
  EXPECT_EQ(d.project, "/w");
  EXPECT_EQ(d.usage, (TokenUsage{100, 13, 50, 0}));  // (250-60)-(100-10), 20-7, 60-10
}

TEST_F(HarvestCursorStore, SessionsCutByTheCapKeepTheirOldCursor) {
  copy_tree(harvest_data("edge/claude/scope-app.jsonl"), claude_file("a.jsonl"));    // 09:00
  copy_tree(harvest_data("edge/claude/scope-else.jsonl"), claude_file("b.jsonl"));   // 13:00
  auto capped = run("harvest_claude", "\"max_sessions\":1");
  ASSERT_EQ(capped.digests.size(), 1u);
  EXPECT_EQ(capped.digests[0].session_id, "scope-else");
  auto next = run("harvest_claude", "\"max_sessions\":1");
  ASSERT_EQ(next.digests.size(), 1u);
  EXPECT_EQ(next.digests[0].session_id, "scope-app");  // deferred, not lost
  EXPECT_TRUE(run("harvest_claude").digests.empty());
}

TEST_F(HarvestCursorStore, ASkippedSessionStaysSkippedWhenItGrows) {
  std::string path = claude_file("r.jsonl");
  copy_tree(harvest_data("edge/claude/replay.jsonl"), path);
  EXPECT_EQ(run("harvest_claude").count("sessions_skipped_replay"), 1);
  append_text(path, "{\"type\":\"user\",\"uuid\":\"u5\",\"sessionId\":\"edge-replay\",\"timestamp\":\"2026-03-01T12:05:00Z\","
                    "\"cwd\":\"/home/me/src/app\",\"message\":{\"role\":\"user\",\"content\":\"judge this answer\"}}\n");
  auto out = run("harvest_claude");
  EXPECT_TRUE(out.digests.empty());
  EXPECT_EQ(out.count("sessions_skipped_replay"), 1);
}

TEST_F(HarvestCursorStore, AGrowingSubagentRolloutIsNotReadAgain) {
  const std::string name = "rollout-2026-03-01T11-00-00-0199aaaa-0000-7000-8000-000000000002.jsonl";
  std::string path = home_.file("sessions/2026/03/01/" + name);
  copy_tree(harvest_data("edge/codex/" + name), path);
  EXPECT_EQ(run("harvest_codex").count("sessions_skipped_subagent"), 1);
  append_text(path, "{\"timestamp\":\"2026-03-01T10:00:03.000Z\",\"type\":\"event_msg\",\"payload\":"
                    "{\"type\":\"user_message\",\"message\":\"more sub-agent work\"}}\n");
  auto out = run("harvest_codex");
  EXPECT_TRUE(out.digests.empty());
  EXPECT_EQ(out.count("sessions_skipped_subagent"), 1);
  EXPECT_EQ(out.count("files_appended"), 1);
  EXPECT_EQ(out.count("bytes"), 0);  // skipped from the cursor's state, nothing read
  EXPECT_EQ(run("harvest_codex").count("files_unchanged"), 1);
}

TEST_F(HarvestCursorStore, OutOfScopeFilesAreNotReadAgainWhenUnchanged) {
  copy_tree(harvest_data("edge/claude/scope-else.jsonl"), claude_file("else.jsonl"));
  std::string cfg = "{\"home\":\"" + home_.path() + "\",\"project_scope\":\"invoked\",\"lookback_hours\":0}";
  auto first = harvest({"harvest_claude", cfg, "/home/me/src/app", "2026-11-01T00:00:00Z", &store_});
  EXPECT_TRUE(first.digests.empty());
  EXPECT_EQ(first.count("sessions_skipped_out_of_scope"), 1);
  auto second = harvest({"harvest_claude", cfg, "/home/me/src/app", "2026-11-01T00:00:00Z", &store_});
  EXPECT_EQ(second.count("files_unchanged"), 1);
}

TEST_F(HarvestCursorStore, DeletedFilesAreForgotten) {
  std::string a = claude_file("a.jsonl"), b = claude_file("b.jsonl");
  copy_tree(harvest_data("edge/claude/scope-app.jsonl"), a);
  copy_tree(harvest_data("edge/claude/scope-sub.jsonl"), b);
  run("harvest_claude");
  std::string state = store_.get_state("harvest.cursors.harvest_claude").value_or("");
  EXPECT_NE(state.find("a.jsonl"), std::string::npos);
  fs::remove(a);
  run("harvest_claude");
  state = store_.get_state("harvest.cursors.harvest_claude").value_or("");
  EXPECT_EQ(state.find("a.jsonl"), std::string::npos);
  EXPECT_NE(state.find("b.jsonl"), std::string::npos);
}

TEST_F(HarvestCursorStore, UseCursorsFalseNeitherReadsNorWritesThem) {
  copy_tree(harvest_data("edge/claude/scope-app.jsonl"), claude_file("a.jsonl"));
  EXPECT_EQ(run("harvest_claude", "\"use_cursors\":false").digests.size(), 1u);
  EXPECT_EQ(store_.put_state_calls(), 0);
  EXPECT_EQ(run("harvest_claude", "\"use_cursors\":false").digests.size(), 1u);
}

TEST_F(HarvestCursorStore, UnchangedReHarvestWritesNothing) {
  copy_tree(harvest_data("edge/claude/scope-app.jsonl"), claude_file("a.jsonl"));
  run("harvest_claude");
  int puts = store_.put_state_calls();
  auto again = run("harvest_claude");
  EXPECT_TRUE(again.digests.empty());
  EXPECT_EQ(store_.put_state_calls(), puts);
}

}  // namespace
}  // namespace skillpipe::testing
