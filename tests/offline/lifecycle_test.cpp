// The skill lifecycle over a simulated clock (SKILLPIPE_NOW): adoption makes a skill
// "evolved", use keeps it alive, idleness decays it to cold and then archived (moved into
// the store, restorable); manual and hand-edited skills are never touched.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "offline_harness.hpp"

namespace skillpipe::testing {
namespace {

namespace fs = std::filesystem;

class OfflineLifecycle : public ::testing::Test {
 protected:
  TempDir tmp;
  std::string project = tmp.file("shop");
  std::string user_root = tmp.file("home/.claude/skills");
  MemoryStore store{tmp.file("nights/current")};
  OfflineNight night{project, store};
  std::vector<SessionDigest> history = load_digests(offline_data("history.jsonl"), project);
  std::string live = project + "/.claude/skills/fix-flaky-test/SKILL.md";
  std::string manual = user_root + "/deploy-notes/SKILL.md";
  std::string manual_text = "---\nname: deploy-notes\ndescription: Our deploy checklist.\n---\n\n# Deploy\n\n1. Tag.\n";
  int night_no = 1;

  std::string config(const std::string& lifecycle = "") const {
    return R"({"claude_skill_roots": [")" + user_root + R"(", "{project}/.claude/skills"],
               "codex_skill_roots": [")" +
           tmp.file("home/.agents/skills") + R"("],
               "lifecycle": {)" +
           lifecycle + "}}";
  }
  // One night at `when`: mine `digests`, then consolidate (drafting + lifecycle).
  ConsolidateResult night_at(const std::string& when, const std::vector<SessionDigest>& digests,
                             const std::string& lifecycle = "") {
    ScopedEnv clock("SKILLPIPE_NOW", when);
    char id[32];
    std::snprintf(id, sizeof id, "%04d-test", night_no++);
    store.next_night(id);
    return night.consolidate(digests, night.mine(digests), config(lifecycle));
  }
  static bool note_has(const NightReport& r, const std::string& s) {
    return std::any_of(r.notes.begin(), r.notes.end(), [&](const auto& n) { return n.find(s) != std::string::npos; });
  }
  static std::string all_notes(const NightReport& r) {
    std::string s;
    for (const auto& n : r.notes) s += "  " + n + "\n";
    return s;
  }
  SessionDigest use_of_skill(const std::string& id, const std::string& when) const {
    SessionDigest d;
    d.session_id = id;
    d.project = project;
    d.started_at = d.ended_at = when;
    d.user_prompts = {"the checkout test is flaky again", "thanks"};
    d.assistant_finals = {"Fixed using the fix-flaky-test steps."};
    d.feedback_signals = {{1, "positive", "thanks"}};
    d.skills_used = {"fix-flaky-test"};
    return d;
  }
  // Night 1 drafts the skill; the user adopts it (as `skillpipe adopt` would); night 2 sees it.
  void draft_and_adopt() {
    write_text(manual, manual_text);
    const auto n1 = night_at("2026-11-15T00:00:00Z", history);
    ASSERT_EQ(n1.proposals.size(), 1u);
    EXPECT_FALSE(note_has(n1.report, "deploy-notes")) << "a manual skill is tracked quietly";
    write_text(live, n1.proposals[0].proposed_text);
    const auto n2 = night_at("2026-11-16T00:00:00Z", {});
    ASSERT_TRUE(note_has(n2.report, "skill `fix-flaky-test` (claude_skill) was adopted from night 0001-test"))
        << all_notes(n2.report);
  }
};

TEST_F(OfflineLifecycle, UnusedEvolvedSkillGoesColdThenArchivedAndCanBeRestored) {
  draft_and_adopt();
  // Used once, successfully, two weeks after adoption.
  const auto n3 = night_at("2026-12-01T00:00:00Z", {use_of_skill("u1", "2026-11-30T00:00:00Z")});
  EXPECT_FALSE(note_has(n3.report, "went cold"));

  // 36 days without use: retention 1.5 * 2^(-36/14) -> 1 - e^-0.252 = 0.22 < 0.3.
  const auto n4 = night_at("2027-01-05T00:00:00Z", {});
  EXPECT_TRUE(
      note_has(n4.report, "evolved skill `fix-flaky-test` (claude_skill) went cold (unused 36 days, retention 0.22)"))
      << all_notes(n4.report);
  EXPECT_TRUE(fs::exists(live)) << "cold is a warning; nothing moves yet";
  EXPECT_EQ(n4.report.counts.at("skills_cold"), 1);

  // 67 days: retention 0.05 < 0.1 -> archived into the store, removed from the skill root (on
  // request only: the removal does not go through adoption).
  const std::string text = read_text(live);
  const auto n5 = night_at("2027-02-05T00:00:00Z", {}, R"("archive": true)");
  EXPECT_TRUE(
      note_has(n5.report, "archived evolved skill `fix-flaky-test` (claude_skill) (unused 67 days, retention 0.05)"))
      << all_notes(n5.report);
  EXPECT_TRUE(note_has(n5.report, "restore with: mkdir -p"));
  EXPECT_FALSE(fs::exists(live));
  EXPECT_FALSE(fs::exists(fs::path(live).parent_path())) << "the empty skill directory goes too";
  EXPECT_EQ(store.artifacts().at("archive/claude_skill/fix-flaky-test/SKILL.md"), text);
  EXPECT_NE(store.state().at("offline/archive/claude_skill/fix-flaky-test").find("\"text\":"), std::string::npos);
  EXPECT_EQ(n5.report.counts.at("skills_archived"), 1);

  // The manual skill was never used and is untouched.
  EXPECT_EQ(read_text(manual), manual_text);
  const std::string profiles = store.state().at("offline/skill_profiles");
  EXPECT_NE(profiles.find("\"name\":\"deploy-notes\",\"live_path\":\"" + manual +
                          "\",\"origin\":\"manual\",\"status\":\"active\""),
            std::string::npos)
      << profiles;

  // Restoring the file (the command the note gives) brings it back as active.
  write_text(live, text);
  const auto n6 = night_at("2027-02-06T00:00:00Z", {});
  EXPECT_TRUE(note_has(n6.report, "skill `fix-flaky-test` (claude_skill) is back in its skill root; active again"))
      << all_notes(n6.report);
}

TEST_F(OfflineLifecycle, UseKeepsASkillAliveAndReactivatesACold) {
  draft_and_adopt();
  // Used every 10 days: never cold.
  for (int i = 1; i <= 6; ++i) {
    char at[32];
    std::snprintf(at, sizeof at, "2026-%02d-%02dT00:00:00Z", i <= 1 ? 11 : 12, i <= 1 ? 26 : (i - 1) * 5);
    const auto r = night_at(at, {use_of_skill("use" + std::to_string(i), at)});
    EXPECT_FALSE(note_has(r.report, "went cold")) << at << "\n" << all_notes(r.report);
  }
  // Six uses build up retention: 38 idle days are not enough to go cold, 52 are.
  const auto idle = night_at("2027-02-01T00:00:00Z", {});
  EXPECT_FALSE(note_has(idle.report, "went cold")) << all_notes(idle.report);
  const auto cold = night_at("2027-02-15T00:00:00Z", {});
  ASSERT_TRUE(note_has(cold.report, "went cold (unused 52 days")) << all_notes(cold.report);
  const auto back = night_at("2027-02-16T00:00:00Z", {use_of_skill("again", "2027-02-16T00:00:00Z")});
  EXPECT_TRUE(note_has(back.report, "skill `fix-flaky-test` (claude_skill) was used again; active"))
      << all_notes(back.report);
  EXPECT_EQ(back.report.counts.at("skills_reactivated"), 1);
  // Counting is per session: the same session seen again is not a second use.
  night_at("2027-02-17T00:00:00Z", {use_of_skill("again", "2027-02-16T00:00:00Z")});
  const std::string profiles = store.state().at("offline/skill_profiles");
  EXPECT_NE(profiles.find("\"uses\":7,\"successes\":7"), std::string::npos) << profiles;
}

TEST_F(OfflineLifecycle, ManualAndHandEditedSkillsAreNeverArchived) {
  draft_and_adopt();
  write_text(live, read_text(live) + "\nMy own note.\n");  // the user edits the evolved skill
  const auto edited = night_at("2026-11-20T00:00:00Z", {});
  EXPECT_TRUE(note_has(edited.report, "was edited by hand; the lifecycle leaves it alone")) << all_notes(edited.report);
  const auto later = night_at("2027-06-01T00:00:00Z", {});
  const auto much_later = night_at("2027-12-01T00:00:00Z", {});
  EXPECT_FALSE(note_has(later.report, "went cold"));
  EXPECT_FALSE(note_has(much_later.report, "archived"));
  EXPECT_TRUE(fs::exists(live));
  EXPECT_EQ(read_text(manual), manual_text);
}

// Archiving removes a live skill outside adoption, so by default a night only reports it.
TEST_F(OfflineLifecycle, DryRunAndArchiveOffOnlyReport) {
  draft_and_adopt();
  night_at("2027-01-05T00:00:00Z", {});  // cold
  const auto off = night_at("2027-02-05T00:00:00Z", {});
  EXPECT_TRUE(note_has(off.report, "would be archived (unused 81 days, retention 0.02); archiving is off"))
      << all_notes(off.report);
  EXPECT_TRUE(fs::exists(live));
  night.flags().dry_run = true;
  const auto dry = night_at("2027-02-06T00:00:00Z", {}, R"("archive": true)");
  EXPECT_TRUE(note_has(dry.report, "would be archived (unused 82 days")) << all_notes(dry.report);
  EXPECT_TRUE(note_has(dry.report, "archiving is off in a dry run")) << all_notes(dry.report);
  EXPECT_TRUE(fs::exists(live));
}

TEST_F(OfflineLifecycle, ThresholdsAreConfigurable) {
  draft_and_adopt();
  // A long half-life keeps retention high: idle, but not cold.
  const auto slow = night_at("2027-01-05T00:00:00Z", {}, R"("half_life_days": 365)");
  EXPECT_FALSE(note_has(slow.report, "went cold")) << all_notes(slow.report);
  const auto fast = night_at("2027-01-06T00:00:00Z", {}, R"("cold_after_days": 10, "half_life_days": 3)");
  EXPECT_TRUE(note_has(fast.report, "went cold")) << all_notes(fast.report);
}

}  // namespace
}  // namespace skillpipe::testing
