// Drafts a person would adopt (issue 15, "What to build" 4), through mine_patterns and
// consolidate_draft as loaded plugins. The sessions carry what Claude Code 2.1.197 and
// Codex 0.171.0 really recorded for the scenarios in tests/data/cli (prompts, commands with
// their exit codes, files written, final answers; see expected.json there).
#include <gtest/gtest.h>

#include <algorithm>

#include "offline_harness.hpp"
#include "skillpipe/records.hpp"

namespace skillpipe::testing {
namespace {

const std::string kNotes = "I wrote RELEASE_NOTES.md from the 3 merged pull requests.";
const std::string kHeredoc =
    "cat > RELEASE_NOTES.md <<'SKILLPIPE_EOF'\n# Release notes\n\n79cadec Merge pull request #3 from "
    "acme/docs/cli-flags\nSKILLPIPE_EOF";
const std::vector<std::string> kParaphrases = {
    "write the release notes from the merged PRs",
    "can you put together release notes for the pull requests we merged?",
    "generate RELEASE_NOTES.md summarizing the merged pull requests", "write the release notes from the merged PRs"};

class DraftQuality : public ::testing::Test {
 protected:
  TempDir tmp;
  std::string project = tmp.file("project");
  MemoryStore store{tmp.file("night")};
  OfflineNight night{project, store};
  int clock = 0;

  // A session that ended cleanly, as the harvesters record it.
  SessionDigest session(const std::string& source, const std::string& prompt, std::vector<CommandRun> commands,
                        std::vector<std::string> files, const std::string& answer, const std::string& in = "") {
    SessionDigest d;
    d.session_id = source + "-" + std::to_string(++clock);
    d.source = source;
    d.project = in.empty() ? project : in;
    d.started_at = d.ended_at = "2026-12-06T05:3" + std::to_string(clock % 10) + ":00Z";
    d.user_prompts = {prompt};
    d.assistant_finals = {answer};
    d.commands = std::move(commands);
    for (auto& f : files) d.files_touched.push_back(d.project + "/" + f);
    const bool claude = source == "claude";
    d.tools.push_back({claude ? "Bash" : "exec_command", static_cast<int>(d.commands.size()), 0});
    if (claude && !files.empty()) d.tools.push_back({"Write", 1, 0});
    d.outcome.observed = true;
    d.outcome.tool_calls = static_cast<int>(d.commands.size() + (claude ? files.size() : 0));
    d.n_user_turns = d.n_assistant_turns = 1;
    return d;
  }
  std::vector<SessionDigest> release_notes() {
    std::vector<SessionDigest> out;
    for (const auto& p : kParaphrases)
      out.push_back(session("claude", p, {{"git log --oneline --merges", 0, false}}, {"RELEASE_NOTES.md"}, kNotes));
    for (const auto& p : kParaphrases)
      out.push_back(session("codex", p, {{"git log --oneline --merges", 0, false}, {kHeredoc, 0, false}}, {}, kNotes));
    // Nearby work that is not the same task.
    out.push_back(session("claude", "how many pull requests were merged into this repository?",
                          {{"git log --merges --oneline | wc -l", 0, false}}, {}, "3"));
    out.push_back(session("codex", "show me the latest commit", {{"git log -1 --oneline", 0, false}}, {},
                          "79cadec Merge pull request #3"));
    return out;
  }
  std::string config() const {
    return R"({"claude_skill_roots": [")" + tmp.file("home/.claude/skills") +
           R"(", "{project}/.claude/skills"], "codex_skill_roots": [")" + tmp.file("home/.agents/skills") +
           R"(", "{project}/.agents/skills"], "lifecycle": {"enabled": false}})";
  }
  static const TaskRecord* ready(const std::vector<TaskRecord>& tasks) {
    const TaskRecord* r = nullptr;
    for (const auto& t : tasks)
      if (t.pattern->ready) {
        EXPECT_EQ(r, nullptr) << "a second ready pattern: " << t.pattern->label;
        r = &t;
      }
    return r;
  }
};

TEST_F(DraftQuality, ParaphrasesFormOnePatternNamedByVerbAndObjectWithTheCommandsTheyRan) {
  const auto tasks = night.mine(release_notes());
  const TaskRecord* t = ready(tasks);
  ASSERT_NE(t, nullptr);
  const PatternInfo& p = *t->pattern;
  EXPECT_EQ(p.label, "write-release-notes");
  EXPECT_EQ(p.successes, 8) << "all three paraphrases, from both agents";
  ASSERT_GE(p.procedure.size(), 2u);
  EXPECT_EQ(p.procedure[0], (ProcedureStep{StepKind::kRun, "git log --oneline --merges", 8}));
  EXPECT_EQ(p.procedure[1], (ProcedureStep{StepKind::kWrite, "RELEASE_NOTES.md", 4}))
      << "the here-document is a write, not a command to repeat";
  EXPECT_EQ(p.agents, (std::vector<Agent>{Agent::kClaude, Agent::kCodex}));
  EXPECT_EQ(p.projects, std::vector<std::string>{project});
  EXPECT_EQ(t->intent.find("latest commit"), std::string::npos) << "other work stays in other patterns";
  EXPECT_EQ(t->intent.find("how many"), std::string::npos);
}

TEST_F(DraftQuality, OneCleanSkillPerAgentInItsOwnToolVocabulary) {
  const auto digests = release_notes();
  const auto res = night.consolidate(digests, night.mine(digests), config());
  ASSERT_EQ(res.proposals.size(), 2u);
  for (const auto& prop : res.proposals) {
    const bool claude = prop.target.agent == Agent::kClaude;
    const std::string& text = prop.proposed_text;
    EXPECT_EQ(prop.name, "write-release-notes");
    EXPECT_EQ(prop.live_path, project + (claude ? "/.claude" : "/.agents") + "/skills/write-release-notes/SKILL.md")
        << "a project pattern is a project skill";
    EXPECT_NE(text.find("learned from 8 successful sessions in this project"), std::string::npos) << text;
    EXPECT_NE(text.find("Run `git log --oneline --merges` " +
                        std::string(claude ? "with the `Bash` tool" : "in the shell (`exec_command`)") +
                        " (8 of 8 sessions)."),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("Write `RELEASE_NOTES.md` " + std::string(claude ? "with the `Write` tool" : "with `apply_patch`")),
              std::string::npos)
        << text;
    for (const char* foreign : claude ? std::vector<const char*>{"exec_command", "apply_patch"}
                                      : std::vector<const char*>{"`Bash`", "`Write`", "`Edit`", "`Read`"})
      EXPECT_EQ(text.find(foreign), std::string::npos) << foreign << " in a " << to_string(prop.target) << "\n" << text;
    EXPECT_EQ(text.find("SKILLPIPE_EOF"), std::string::npos) << "the here-document's body is data\n" << text;
    const auto first = text.find(kNotes);
    ASSERT_NE(first, std::string::npos);
    EXPECT_EQ(text.find(kNotes, first + 1), std::string::npos) << "one answer, shown once\n" << text;
    EXPECT_EQ(prop.status, ProposalStatus::kDraft) << text;
  }
}

TEST_F(DraftQuality, VariablePartsOfCommandsAreAbstracted) {
  std::vector<SessionDigest> d;
  for (const char* f : {"tests/test_parse.py", "tests/test_login.py", "tests/test_cart.py"})
    d.push_back(session("claude", "run the unit tests for the parser module",
                        {{"cd " + project + " && pytest " + f + " -q", 0, false},
                         {"pytest -x", 1, true},  // failed: not part of the procedure
                         {std::string("git diff --stat"), 0, false}},
                        {}, "All tests pass."));
  const auto tasks = night.mine(d);
  const TaskRecord* t = ready(tasks);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->pattern->label, "run-unit-tests");
  ASSERT_EQ(t->pattern->procedure.size(), 2u);
  EXPECT_EQ(t->pattern->procedure[0].text, "pytest <file> -q");
  EXPECT_EQ(t->pattern->procedure[1].text, "git diff --stat");
}

TEST_F(DraftQuality, MostlyRedactedRequestsAreNotDraftedAndNeverNameASkill) {
  std::vector<SessionDigest> d;
  for (int i = 0; i < 3; ++i)
    d.push_back(session("claude", "[REDACTED_NAME len=41 sha=" + std::to_string(i) + "abc] [REDACTED:github_token]",
                        {{"ls", 0, false}}, {}, "Done."));
  const auto tasks = night.mine(d);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_FALSE(tasks[0].pattern->ready);
  EXPECT_NE(tasks[0].pattern->readiness.find("mostly redacted"), std::string::npos) << tasks[0].pattern->readiness;
  EXPECT_EQ(tasks[0].pattern->label.find("redacted"), std::string::npos) << tasks[0].pattern->label;
  const auto res = night.consolidate(d, tasks, config());
  EXPECT_TRUE(res.proposals.empty());

  // A secret inside an otherwise clear request: the name and description leave it out.
  std::vector<SessionDigest> e;
  for (int i = 0; i < 2; ++i)
    e.push_back(session("claude", "check the CI status with my token [REDACTED:github_token]",
                        {{"gh run list", 0, false}}, {}, "CI is green."));
  const auto res2 = night.consolidate(e, night.mine(e), config());
  ASSERT_EQ(res2.proposals.size(), 1u);
  EXPECT_EQ(res2.proposals[0].name, "check-ci-status");
  EXPECT_EQ(res2.proposals[0].proposed_text.find("[REDACTED"), std::string::npos) << res2.proposals[0].proposed_text;
}

TEST_F(DraftQuality, NamesComeFromWordsNotContractionFragments) {
  std::vector<SessionDigest> d;
  for (int i = 0; i < 2; ++i)
    d.push_back(session("claude", "there isn't much to see here, we're going to tidy the login form a little",
                        {{"npm run lint", 0, false}}, {}, "Tidied."));
  const auto tasks = night.mine(d);  // ready() points into it: keep it alive
  const TaskRecord* t = ready(tasks);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->pattern->label, "tidy-login-form");
}

TEST_F(DraftQuality, InThisProjectOnlyWhenTrue) {
  std::vector<SessionDigest> d;
  for (int i = 0; i < 2; ++i)
    d.push_back(session("claude", "write the release notes from the merged PRs",
                        {{"git log --oneline --merges", 0, false}}, {}, kNotes, "/home/dev/webapp"));
  const auto res = night.consolidate(d, night.mine(d), config());
  ASSERT_EQ(res.proposals.size(), 1u);
  const std::string& text = res.proposals[0].proposed_text;
  EXPECT_EQ(text.find("this project"), std::string::npos) << text;
  EXPECT_NE(text.find("learned from 2 successful sessions in project webapp"), std::string::npos) << text;
  EXPECT_EQ(res.proposals[0].live_path, tmp.file("home/.claude/skills/write-release-notes/SKILL.md"))
      << "sessions of another project: a user skill, not this project's";
}

}  // namespace
}  // namespace skillpipe::testing
