// The offline night end to end through the CLI, as a user with no API key runs it:
// `skillpipe run pipelines/offline.yaml` over real-format Claude Code transcripts stages a
// reviewed draft; `skillpipe adopt` promotes it; the next night's lifecycle sees the
// adoption; `skillpipe export-dataset` exports the praised answers.
#include <gtest/gtest.h>

#include <filesystem>

#include "offline_harness.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/records.hpp"

namespace skillpipe::testing {
namespace {

namespace fs = std::filesystem;

class OfflineCli : public ::testing::Test {
 protected:
  TempDir tmp;
  std::string home = tmp.file("home");
  std::string store = tmp.file("store");

  void SetUp() override {
    fs::create_directories(home + "/.claude");
    fs::create_directories(home + "/.codex");
    fs::copy(offline_data("claude/projects"), home + "/.claude/projects", fs::copy_options::recursive);
  }
  std::vector<std::string> env(const std::string& now) const {
    // No key in the environment: this is the offline night.
    return {"HOME=" + home, "SKILLPIPE_NOW=" + now, "ANTHROPIC_API_KEY", "OPENAI_API_KEY"};
  }
  CommandResult night(const std::string& now) {
    return run_skillpipe({"run", source_dir() + "/pipelines/offline.yaml", "--project", "all", "--store", store,
                          "--set", "stages.harvest_claude.lookback_hours=0", "--set",
                          "stages.harvest_claude.settle_minutes=0", "--set", "stages.harvest_codex.lookback_hours=0"},
                         env(now), tmp.path());
  }
  std::string latest_report() const {
    std::string last;
    for (const auto& p : fs::recursive_directory_iterator(store))
      if (p.path().filename() == "report.json" && p.path().string() > last) last = p.path().string();
    return read_text(last);
  }
};

TEST_F(OfflineCli, OfflineNightStagesAReviewedDraftThatCanBeAdopted) {
  const auto r = night("2026-11-12T00:00:00Z");
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const std::string said = r.out + r.err;  // the run summary goes to the terminal, whichever stream
  EXPECT_NE(said.find("offline: 1 ready of 1 patterns, 1 draft(s) for review"), std::string::npos) << said;
  EXPECT_NE(said.find("set ANTHROPIC_API_KEY or OPENAI_API_KEY"), std::string::npos) << said;

  NightReport rep;
  from_json(latest_report(), rep);
  EXPECT_EQ(rep.gate_action, GateAction::kOffline);
  ASSERT_EQ(rep.proposals.size(), 1u);
  const Proposal& p = rep.proposals[0];
  EXPECT_EQ(p.name, "fix-flaky-test");
  EXPECT_EQ(p.status, ProposalStatus::kDraft);
  EXPECT_EQ(p.live_path, home + "/.claude/skills/fix-flaky-test/SKILL.md") << "no project: the user's skill root";
  EXPECT_NE(p.proposed_text.find("passes 20 runs in a row"), std::string::npos)
      << "the praised answer, not the reply to the thanks:\n"
      << p.proposed_text;
  EXPECT_EQ(p.proposed_text.find("Glad it works"), std::string::npos);

  const auto status = run_skillpipe({"status", "--project", "all", "--store", store}, env("2026-11-12T00:05:00Z"));
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("fix-flaky-test [claude_skill, draft]"), std::string::npos) << status.out;

  const auto adopt =
      run_skillpipe({"adopt", "--project", "all", "--store", store, "--skill", "fix-flaky-test", "--allow-unverified"},
                    env("2026-11-12T00:10:00Z"));
  ASSERT_EQ(adopt.exit_code, 0) << adopt.out << adopt.err;
  EXPECT_EQ(read_text(p.live_path), p.proposed_text);

  // The next night recognises its own draft in the skill root: an evolved skill now.
  const auto next = night("2026-11-13T00:00:00Z");
  ASSERT_EQ(next.exit_code, 0) << next.err;
  NightReport rep2;
  from_json(latest_report(), rep2);
  bool adopted_note = false;
  for (const auto& n : rep2.notes)
    adopted_note =
        adopted_note || n.find("skill `fix-flaky-test` (claude_skill) was adopted from night") != std::string::npos;
  EXPECT_TRUE(adopted_note) << next.out;

  const auto ex = run_skillpipe({"export-dataset", "--project", "all", "--store", store, "--format", "chat-jsonl",
                                 "--output", tmp.file("ds.jsonl")},
                                env("2026-11-13T01:00:00Z"));
  ASSERT_EQ(ex.exit_code, 0) << ex.err;
  const std::string data = read_text(tmp.file("ds.jsonl"));
  EXPECT_EQ(std::count(data.begin(), data.end(), '\n'), 2) << data;
  EXPECT_NE(data.find("frozen_now fixture"), std::string::npos) << data;
}

}  // namespace
}  // namespace skillpipe::testing
