// consolidate_draft as a loaded plugin: template drafts (golden file), appends to existing
// skills, the safety review and quarantine, and the offline report (the LLM drafter path is
// in draft_llm_test.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <regex>

#include "draft_fixture.hpp"
#include "offline_harness.hpp"
#include "skillpipe/backend.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/safety.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::testing {
namespace {

namespace fs = std::filesystem;

TEST_F(OfflineDrafts, TemplateDraftMatchesTheGoldenDocument) {
  const auto res = run(history);
  ASSERT_EQ(res.proposals.size(), 1u);
  const Proposal& p = res.proposals[0];
  EXPECT_EQ(p.name, "fix-flaky-test");
  EXPECT_EQ(p.target, (Target{Agent::kClaude, DocKind::kSkill}));
  EXPECT_EQ(p.status, ProposalStatus::kDraft);
  EXPECT_EQ(p.live_path, project + "/.claude/skills/fix-flaky-test/SKILL.md");
  EXPECT_EQ(p.base_text, "");
  EXPECT_EQ(p.base_sha256, "");

  const std::string golden_path = offline_data("expected_fix_flaky_test.SKILL.md");
  if (std::getenv("SKILLPIPE_UPDATE_GOLDEN")) write_text(golden_path, p.proposed_text);
  EXPECT_EQ(golden_form(p.proposed_text), golden_form(read_text(golden_path)))
      << "set SKILLPIPE_UPDATE_GOLDEN=1 to regenerate after review";

  SafetyOptions o;
  o.expected_name = "fix-flaky-test";
  EXPECT_TRUE(review_skill_document(p.proposed_text, o).empty());
  EXPECT_EQ(p.proposed_text.find("sk-ant-api03"), std::string::npos);
}

TEST_F(OfflineDrafts, ReportIsOfflineAndExplainsReadinessAndHowToEnableTheFullCycle) {
  const auto res = run(history);
  const NightReport& r = res.report;
  EXPECT_EQ(r.gate_action, GateAction::kOffline);
  EXPECT_EQ(r.gate_reason, "offline: 1 ready of 3 patterns, 1 draft(s) for review (no replay, no gate)");
  EXPECT_EQ(r.counts.at("patterns_ready"), 1);
  EXPECT_EQ(r.counts.at("drafts"), 1);
  EXPECT_EQ(r.counts.at("drafts_quarantined"), 0);
  EXPECT_TRUE(note_has(r, "not ready: needs 2 successful sessions, has 1 success, 0 failures"));
  EXPECT_TRUE(note_has(r, "not ready: success ratio 0.67 < 0.70"));
  EXPECT_TRUE(note_has(r, "drafted new skill `fix-flaky-test` for claude_skill — draft"));
  EXPECT_TRUE(note_has(r, "set ANTHROPIC_API_KEY or OPENAI_API_KEY"));
  EXPECT_TRUE(note_has(r, "skillpipe adopt --skill NAME --allow-unverified"));
  EXPECT_FALSE(r.baseline_val.has_value()) << "nothing was replayed: no scores";
}

// Finding 9: the notes say the night ran offline only when the replay backend cannot replay.
TEST_F(OfflineDrafts, NotesSayOfflineOnlyWhenTheReplayBackendIsUnavailable) {
  ScriptedBackend up("");
  night.add_backend("target", &up);
  auto res = run(history, R"("replay_backend": "target")");
  ASSERT_EQ(res.proposals.size(), 1u);
  EXPECT_FALSE(note_has(res.report, "ran offline")) << "the replay-and-gate stage can run tonight";
  EXPECT_FALSE(note_has(res.report, "set ANTHROPIC_API_KEY"));
  EXPECT_TRUE(note_has(res.report, "Tonight's 1 skill draft(s) come from your own sessions only and were not "
                                   "replayed or gated"));

  store.clear_state();
  ScriptedBackend down("", false, false);
  night.add_backend("target", &down);
  res = run(history, R"("replay_backend": "target")");
  EXPECT_TRUE(note_has(res.report, "This night ran offline (backend \"target\": no LLM is configured)"));
  EXPECT_TRUE(note_has(res.report, "run `skillpipe run nightly` again"));

  store.clear_state();
  res = run(history);  // offline.yaml: no replay stage at all
  EXPECT_FALSE(note_has(res.report, "ran offline"));
  EXPECT_TRUE(note_has(res.report, "This pipeline has no replay-and-gate stage."));

  EXPECT_THROW(run(history, R"("replay_backend": "nope")"), ConfigError);
}

TEST_F(OfflineDrafts, NothingReadySaysWhy) {
  std::vector<SessionDigest> few;
  for (const auto& d : history)
    if (d.session_id[0] != 'a') few.push_back(d);
  const auto res = run(few);
  EXPECT_TRUE(res.proposals.empty());
  ASSERT_FALSE(res.report.notes.empty());
  EXPECT_EQ(res.report.notes.front().rfind("No skill drafts tonight: 2 patterns are not ready.", 0), 0u)
      << res.report.notes.front();
  EXPECT_TRUE(note_has(res.report, "at least 2 successful sessions and a success ratio of at least 0.70"));

  const auto none = night.consolidate({}, {}, config());
  EXPECT_EQ(none.report.gate_action, GateAction::kOffline);
  EXPECT_EQ(none.report.notes.front().rfind("No skill drafts tonight: no pattern", 0), 0u);
}

TEST_F(OfflineDrafts, AppendsToAMatchingExistingSkill) {
  const std::string existing =
      "---\nname: python-testing\ndescription: How we write and fix pytest tests, flaky test triage.\n---\n\n"
      "# Python testing\n\nUse pytest -q.\n";
  // The user's global skill is not this project's: a project pattern never appends to it.
  write_text(user_root + "/python-testing/SKILL.md", existing);
  const auto own = run(history);
  ASSERT_EQ(own.proposals.size(), 1u);
  EXPECT_EQ(own.proposals[0].live_path, project + "/.claude/skills/fix-flaky-test/SKILL.md");
  EXPECT_EQ(own.proposals[0].base_text, "");

  const std::string project_root = project + "/.claude/skills";
  fs::remove_all(user_root);
  write_text(project_root + "/python-testing/SKILL.md", existing);
  store.erase_state("offline/drafts");
  const auto res = run(history);
  ASSERT_EQ(res.proposals.size(), 1u);
  const Proposal& p = res.proposals[0];
  EXPECT_EQ(p.name, "python-testing");
  EXPECT_EQ(p.live_path, project_root + "/python-testing/SKILL.md");
  EXPECT_EQ(p.base_text, existing);
  EXPECT_EQ(p.base_sha256, sha256_hex(existing));
  EXPECT_EQ(p.status, ProposalStatus::kDraft);
  EXPECT_EQ(p.proposed_text.rfind(existing.substr(0, existing.size() - 1), 0), 0u) << "the user's text is kept";
  EXPECT_NE(p.proposed_text.find("## Learned pattern: fix-flaky-test (`"), std::string::npos);
  EXPECT_NE(p.proposed_text.find("### Procedure"), std::string::npos);

  // Re-drafting the same pattern onto a skill that already has its section replaces it.
  write_text(project_root + "/python-testing/SKILL.md", p.proposed_text + "\n## Notes\n\nMine.\n");
  store.erase_state("offline/drafts");
  const auto again = night.consolidate(history, night.mine(history), config());
  ASSERT_EQ(again.proposals.size(), 1u);
  const std::string& t = again.proposals[0].proposed_text;
  EXPECT_EQ(std::count(t.begin(), t.end(), '#') - std::count(p.proposed_text.begin(), p.proposed_text.end(), '#'), 2)
      << "only the user's \"## Notes\" heading was added:\n"
      << t;
  EXPECT_NE(t.find("## Notes\n\nMine."), std::string::npos);
}

// A draft keeps the text it extends in the store; a skill holding a secret gets no draft, and
// the note says where the secret is and what to do.
TEST_F(OfflineDrafts, ASkillHoldingASecretIsNotExtended) {
  const std::string existing =
      "---\nname: python-testing\ndescription: How we write and fix pytest tests, flaky test triage.\n---\n\n"
      "# Python testing\n\nUse pytest -q.\nexport PYPI_TOKEN=pypi-AgEIcHlwaS5vcmcCJGQ4ZTk3NWM5LTA0NzItNGE1My1iYWY2\n";
  write_text(project + "/.claude/skills/python-testing/SKILL.md", existing);
  const auto res = run(history);
  EXPECT_TRUE(res.proposals.empty());
  std::string notes;
  for (const auto& n : res.report.notes) notes += n + "\n";
  EXPECT_NE(notes.find("python-testing/SKILL.md holds what looks like a secret at line 9"), std::string::npos) << notes;
  for (const auto& p : res.proposals) EXPECT_EQ(p.base_text.find("pypi-AgEI"), std::string::npos);
}

// Two patterns can earn the same label; the night must still stage (the store refuses a
// document proposed twice), so the second gets a numbered name.
TEST_F(OfflineDrafts, TwoPatternsWithOneLabelGetDistinctNames) {
  auto tasks = night.mine(history);
  const auto ready = std::find_if(tasks.begin(), tasks.end(), [](const TaskRecord& t) {
    return t.pattern && t.pattern->ready;
  });
  ASSERT_NE(ready, tasks.end());
  TaskRecord twin = *ready;
  twin.id += "-twin";
  twin.pattern->id += "-twin";
  tasks.push_back(twin);
  const auto res = night.consolidate(history, tasks, config());
  ASSERT_EQ(res.proposals.size(), 2u);
  EXPECT_EQ(res.proposals[0].name, "fix-flaky-test");
  EXPECT_EQ(res.proposals[1].name, "fix-flaky-test-2");
  EXPECT_EQ(res.proposals[1].live_path, project + "/.claude/skills/fix-flaky-test-2/SKILL.md");
  EXPECT_NE(res.proposals[1].proposed_text.find("name: fix-flaky-test-2\n"), std::string::npos);

  // Both match one existing skill: the first extends it, the second waits for the next night.
  write_text(project + "/.claude/skills/python-testing/SKILL.md",
             "---\nname: python-testing\ndescription: How we write and fix pytest tests, flaky test triage.\n---\n");
  store.erase_state("offline/drafts");
  const auto both = night.consolidate(history, tasks, config());
  ASSERT_EQ(both.proposals.size(), 1u);
  EXPECT_EQ(both.proposals[0].name, "python-testing");
  EXPECT_TRUE(note_has(both.report, "another pattern extends skill `python-testing` for claude_skill tonight"));
}

TEST_F(OfflineDrafts, DangerousEvidenceIsQuarantinedAndNotRedraftedUntilNewEvidence) {
  const auto bad = load_digests(offline_data("history_dangerous.jsonl"));
  const auto res = run(bad);
  ASSERT_EQ(res.proposals.size(), 1u);
  const Proposal& p = res.proposals[0];
  EXPECT_EQ(p.status, ProposalStatus::kQuarantined);
  EXPECT_TRUE(std::any_of(p.reasons.begin(), p.reasons.end(), [](const std::string& r) {
    return r.find("safety: high dangerous_command/download_pipe_shell") != std::string::npos;
  }));
  EXPECT_EQ(res.report.counts.at("drafts_quarantined"), 1);
  EXPECT_TRUE(note_has(res.report, "— quarantined (dangerous_command/download_pipe_shell"));

  // Next night, same evidence: not drafted again.
  store.next_night("0002-test");
  const auto second = night.consolidate(bad, night.mine(bad), config());
  EXPECT_TRUE(second.proposals.empty());
  EXPECT_TRUE(note_has(second.report, "quarantined on night 0001-test; not drafted again until new evidence arrives"));
  EXPECT_EQ(second.report.counts.at("drafts_held_in_quarantine"), 1);

  // A resumed night (same night id) drafts again: its staging never happened.
  const auto resumed = night.consolidate(bad, night.mine(bad), config());
  EXPECT_TRUE(resumed.proposals.empty()) << "night 0002 did not draft it, so it is still held";

  // New evidence: a third session joins the pattern, the pattern is drafted again.
  store.next_night("0003-test");
  auto more = bad;
  SessionDigest d = more[0];
  d.session_id = "x3-f00d";
  d.user_prompts = {"install the dev tools for this repo", "great"};
  d.assistant_finals = {"Installed the dev tools with the package manager (make tools)."};
  d.ended_at = "2026-11-12T09:10:00Z";
  more.push_back(d);
  const auto third = night.consolidate(more, night.mine(more), config());
  ASSERT_EQ(third.proposals.size(), 1u);
}

TEST_F(OfflineDrafts, SameNightResumeDraftsAgainButAnotherNightDoesNot) {
  const auto first = run(history);
  ASSERT_EQ(first.proposals.size(), 1u);
  const auto resumed = night.consolidate(history, night.mine(history), config());
  ASSERT_EQ(resumed.proposals.size(), 1u) << "a resumed night must stage its drafts";
  EXPECT_EQ(resumed.proposals[0].proposed_text, first.proposals[0].proposed_text);
  store.next_night("0002-test");
  const auto next = night.consolidate(history, night.mine(history), config());
  EXPECT_TRUE(next.proposals.empty());
  EXPECT_TRUE(note_has(next.report, "already drafted on night 0001-test"));
}

TEST_F(OfflineDrafts, NewEvidenceUpdatesTheAdoptedSkillInPlaceUnlessTheUserEditedIt) {
  const auto first = run(history);
  ASSERT_EQ(first.proposals.size(), 1u);
  const Proposal& p = first.proposals[0];
  write_text(p.live_path, p.proposed_text);  // adopted as drafted

  auto more = history;
  SessionDigest d = history[0];
  d.session_id = "a5-1234";
  d.user_prompts = {"fix the flaky test in test_orders", "great, thanks"};
  d.assistant_finals = {"test_orders shared a temp dir with test_cart; each now gets its own tmp_path."};
  d.ended_at = "2026-11-16T10:00:00Z";
  more.push_back(d);
  store.next_night("0002-test");
  const auto second = night.consolidate(more, night.mine(more), config());
  ASSERT_EQ(second.proposals.size(), 1u);
  const Proposal& u = second.proposals[0];
  EXPECT_EQ(u.name, "fix-flaky-test");
  EXPECT_EQ(u.base_text, p.proposed_text);
  EXPECT_EQ(u.base_sha256, sha256_hex(p.proposed_text));
  EXPECT_NE(u.proposed_text.find("each now gets its own tmp_path"), std::string::npos);
  std::size_t sections = 0;
  for (auto at = u.proposed_text.find("## When to use"); at != std::string::npos;
       at = u.proposed_text.find("## When to use", at + 1))
    ++sections;
  EXPECT_EQ(sections, 1u) << "rewritten, not appended:\n" << u.proposed_text;
  EXPECT_TRUE(note_has(second.report, "updated its skill `fix-flaky-test`"));

  // Once the user edits it, skillpipe only appends its own section.
  write_text(p.live_path, p.proposed_text + "\nMy team's note.\n");
  d.session_id = "a6-5678";
  d.ended_at = "2026-11-17T10:00:00Z";
  more.push_back(d);
  store.next_night("0003-test");
  const auto third = night.consolidate(more, night.mine(more), config());
  ASSERT_EQ(third.proposals.size(), 1u);
  EXPECT_NE(third.proposals[0].proposed_text.find("My team's note.\n\n## Learned pattern: fix-flaky-test"),
            std::string::npos)
      << third.proposals[0].proposed_text;
}

TEST_F(OfflineDrafts, EveryConfiguredTargetGetsAProposal) {
  const auto res = run(history, R"("targets": ["claude_skill", "codex_skill"], "scope": "user")");
  ASSERT_EQ(res.proposals.size(), 2u);
  EXPECT_EQ(res.proposals[0].live_path, user_root + "/fix-flaky-test/SKILL.md");
  EXPECT_EQ(res.proposals[1].target, (Target{Agent::kCodex, DocKind::kSkill}));
  EXPECT_EQ(res.proposals[1].live_path, tmp.file("home/.agents/skills/fix-flaky-test/SKILL.md"));
  // Each in its agent's own tool names.
  EXPECT_NE(res.proposals[0].proposed_text.find("with the `Grep` and `Glob` tools"), std::string::npos)
      << res.proposals[0].proposed_text;
  EXPECT_NE(res.proposals[1].proposed_text.find("with `rg` in the shell"), std::string::npos)
      << res.proposals[1].proposed_text;
  EXPECT_EQ(res.proposals[1].proposed_text.find("`Grep`"), std::string::npos) << res.proposals[1].proposed_text;
}

TEST_F(OfflineDrafts, MaxDraftsDefersTheRest) {
  const auto res = run(history, R"("max_drafts": 0)");
  EXPECT_TRUE(res.proposals.empty());
  EXPECT_TRUE(note_has(res.report, "ready, deferred (max_drafts = 0 per night)"));
}

}  // namespace
}  // namespace skillpipe::testing
