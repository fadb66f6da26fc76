// The offline night on sessions recorded by the real Claude Code 2.1.197 and Codex 0.171.0
// (tests/data/cli), through the CLI as a user runs it (issue 15, "Done when"): it stages one
// release-notes skill per agent - the three paraphrases in one pattern, named by verb and
// object, each in its agent's own tool names, as a project skill, no redaction marker.
#include <gtest/gtest.h>

#include <filesystem>

#include "offline_harness.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/records.hpp"

namespace skillpipe::testing {
namespace {

namespace fs = std::filesystem;

// The project the sessions were recorded in (tests/data/cli/README.md).
const std::string kProject = "/tmp/skillpipe-fixture/project";

// The staged proposals of an offline night over both recorded CLI homes.
std::vector<Proposal> offline_night_on_fixtures(const TempDir& tmp, std::string* said) {
  fs::create_directories(kProject);  // the night's project must exist; nothing is written there
  const std::string data = test_data_dir() + "/cli";
  const auto r = run_skillpipe(
      {"run", "offline", "--project", kProject, "--store", tmp.file("store"), "--set",
       "stages.harvest_claude.home=" + data + "/claude-code-2.1.197", "--set",
       "stages.harvest_codex.home=" + data + "/codex-0.171.0", "--set", "stages.harvest_claude.lookback_hours=0",
       "--set", "stages.harvest_codex.lookback_hours=0", "--set", "stages.harvest_claude.settle_minutes=0", "--set",
       "stages.harvest_codex.settle_minutes=0"},
      {"HOME=" + tmp.file("home"), "ANTHROPIC_API_KEY", "OPENAI_API_KEY", "SKILLPIPE_NOW=2026-12-07T00:00:00Z"},
      tmp.path());
  *said = r.out + r.err;
  EXPECT_EQ(r.exit_code, 0) << *said;
  std::string report;
  for (const auto& p : fs::recursive_directory_iterator(tmp.file("store")))
    if (p.path().filename() == "report.json") report = p.path().string();
  EXPECT_FALSE(report.empty()) << *said;
  if (report.empty()) return {};
  NightReport rep;
  from_json(read_text(report), rep);
  return rep.proposals;
}

TEST(OfflineCliFixtures, StagesOneReleaseNotesSkillPerAgentInItsOwnWords) {
  TempDir tmp;
  std::string said;
  int claude = 0, codex = 0;
  for (const auto& p : offline_night_on_fixtures(tmp, &said)) {
    const std::string& text = p.proposed_text;
    SCOPED_TRACE(p.name + " for " + to_string(p.target) + ":\n" + text);
    EXPECT_EQ(text.find("[REDACTED"), std::string::npos);
    EXPECT_EQ(p.name.find("redacted"), std::string::npos);
    if (p.name.find("release-notes") == std::string::npos) continue;
    EXPECT_EQ(p.name, "write-release-notes") << "the three paraphrases are one pattern, named by verb and object";
    EXPECT_EQ(p.status, ProposalStatus::kDraft);
    EXPECT_NE(text.find("in this project"), std::string::npos);
    if (p.target.agent == Agent::kClaude) {
      ++claude;
      EXPECT_EQ(p.live_path, kProject + "/.claude/skills/write-release-notes/SKILL.md");
      EXPECT_EQ(text.find("exec_command"), std::string::npos);
    } else {
      ++codex;
      EXPECT_EQ(p.live_path, kProject + "/.agents/skills/write-release-notes/SKILL.md");
      EXPECT_EQ(text.find("`Bash`"), std::string::npos);
    }
  }
  EXPECT_EQ(claude, 1) << said;
  EXPECT_EQ(codex, 1) << said;
}

// Rests on the harvesters recording each session's commands and its failed endings (issue 15,
// items 1-3): the API failure and the failing command must not feed the draft.
TEST(OfflineCliFixtures, DraftsRestOnSuccessfulSessionsAndTheCommandsTheyRan) {
  TempDir tmp;
  std::string said;
  int release_notes = 0;
  for (const auto& p : offline_night_on_fixtures(tmp, &said)) {
    const std::string& text = p.proposed_text;
    SCOPED_TRACE(p.name + " for " + to_string(p.target) + ":\n" + text);
    for (const char* bad : {"API Error", "Overloaded", "does-not-exist", "could not find", "revoke"})
      EXPECT_EQ(text.find(bad), std::string::npos) << bad;
    if (p.name != "write-release-notes") continue;
    ++release_notes;
    EXPECT_NE(text.find("Run `git log --oneline --merges`"), std::string::npos);
  }
  EXPECT_EQ(release_notes, 2) << said;
}

}  // namespace
}  // namespace skillpipe::testing
