// The kit's shared vocabulary: the targets' live-path rules, the split rule and the text
// utilities every plugin uses instead of its own copy.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>

#include "skillpipe/errors.hpp"
#include "skillpipe/kit/split.hpp"
#include "skillpipe/kit/targets.hpp"
#include "skillpipe/kit/util.hpp"

using namespace skillpipe;

namespace {

constexpr Target kClaudeSkill{Agent::kClaude, DocKind::kSkill};
constexpr Target kCodexSkill{Agent::kCodex, DocKind::kSkill};

class KitTargets : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* h = getenv("HOME");
    saved_home_ = h ? h : "";
    setenv("HOME", "/home/me", 1);
  }
  void TearDown() override { setenv("HOME", saved_home_.c_str(), 1); }
  std::string saved_home_;
};

}  // namespace

TEST_F(KitTargets, EveryAgentHasAMemoryFileAndOnlyDocumentedSkillFolders) {
  const auto known = targets::known_targets();
  for (const auto& c : targets::all_conventions()) {
    EXPECT_FALSE(c.memory_file.empty()) << to_string(c.agent);
    const bool has_skill = std::find(known.begin(), known.end(), Target{c.agent, DocKind::kSkill}) != known.end();
    EXPECT_EQ(has_skill, !c.user_skill_root.empty() || !c.project_skill_root.empty()) << to_string(c.agent);
  }
  EXPECT_FALSE(targets::has_live_path({Agent::kCursor, DocKind::kSkill}));  // unverified: memory only
  EXPECT_EQ(targets::memory_name(Agent::kCopilot), "copilot-instructions.md");
  EXPECT_EQ(targets::memory_path(Agent::kClaude, "/p/app/"), "/p/app/CLAUDE.md");
  EXPECT_EQ(targets::memory_path(Agent::kGemini, "/p/app"), "/p/app/GEMINI.md");
  EXPECT_EQ(targets::memory_path(Agent::kClaude, "all"), "");
  EXPECT_NE(targets::known_target_list().find("gemini_memory"), std::string::npos);
}

TEST_F(KitTargets, RootsExpandProjectAndHome) {
  EXPECT_EQ(targets::expand_root("{project}/.claude/skills/", "/p/app"), "/p/app/.claude/skills");
  EXPECT_EQ(targets::expand_root("~/.agents/skills", "all"), "/home/me/.agents/skills");
  EXPECT_EQ(targets::expand_root("{project}/.claude/skills", "all"), "");  // no project tonight
  EXPECT_EQ(targets::expand_root("{project}/x", "relative/dir"), "");
  EXPECT_EQ(targets::skill_path("/r", "deploy"), "/r/deploy/SKILL.md");
}

TEST_F(KitTargets, NewSkillsGoToTheProjectOrTheUserRoot) {
  const auto roots = targets::SkillRoots::defaults();
  EXPECT_EQ(targets::new_skill_path(roots, Agent::kClaude, "/p/app", true, "deploy"),
            "/p/app/.claude/skills/deploy/SKILL.md");
  EXPECT_EQ(targets::new_skill_path(roots, Agent::kCodex, "/p/app", false, "deploy"),
            "/home/me/.agents/skills/deploy/SKILL.md");
  EXPECT_EQ(targets::new_skill_path(roots, Agent::kClaude, "all", true, "deploy"),
            "/home/me/.claude/skills/deploy/SKILL.md");  // no project: the user root
  EXPECT_EQ(targets::new_skill_path(roots, Agent::kCursor, "/p/app", true, "deploy"), "");
}

TEST_F(KitTargets, CheckLivePathNamesWhatWasExpected) {
  const auto roots = targets::SkillRoots::defaults();
  EXPECT_EQ(targets::check_live_path(kClaudeSkill, "deploy", "/p/app/.claude/skills/deploy/SKILL.md", "/p/app", roots),
            "");
  EXPECT_EQ(targets::check_live_path(kCodexSkill, "deploy", "/home/me/.agents/skills/deploy/SKILL.md", "/p/app", roots),
            "");
  const std::string wrong =
      targets::check_live_path(kClaudeSkill, "deploy", "/p/app/.agents/skills/deploy/SKILL.md", "/p/app", roots);
  EXPECT_NE(wrong.find("/p/app/.claude/skills"), std::string::npos) << wrong;  // the roots it tried
  EXPECT_NE(targets::check_live_path(kClaudeSkill, "deploy", "rel/SKILL.md", "/p/app", roots).find("not absolute"),
            std::string::npos);
  EXPECT_EQ(targets::check_live_path({Agent::kGemini, DocKind::kMemory}, "GEMINI.md", "/p/app/GEMINI.md", "/p/app",
                                     roots),
            "");
  EXPECT_NE(targets::check_live_path({Agent::kClaude, DocKind::kMemory}, "CLAUDE.md", "/p/app/AGENTS.md", "/p/app",
                                     roots)
                .find("must be /p/app/CLAUDE.md"),
            std::string::npos);
  EXPECT_NE(targets::check_live_path({Agent::kCursor, DocKind::kSkill}, "x", "/x/SKILL.md", "/p", roots)
                .find("has no live path"),
            std::string::npos);
}

TEST_F(KitTargets, ConfigListsParseOrNameTheKey) {
  const Config ok = Config::parse(R"({"targets": ["codex_skill", "qwen_memory"]})");
  const auto list = targets::targets_from_config(ok, "targets");
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0], kCodexSkill);
  EXPECT_EQ(list[1], (Target{Agent::kQwen, DocKind::kMemory}));
  const Config bad = Config::parse(R"({"targets": ["cursor_skill"]})");
  try {
    targets::targets_from_config(bad, "targets");
    FAIL() << "cursor_skill has no live path";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("claude_skill"), std::string::npos) << e.what();
    EXPECT_EQ(e.pointer(), "/targets");
  }
}

TEST(KitSplit, BucketsAndSplitsAsSkillOpt) {
  // int(hashlib.sha256((seed + id).encode()).hexdigest(), 16) % 100 in Python.
  EXPECT_EQ(split_bucket("42", "alpha"), 40);
  EXPECT_EQ(split_bucket("42", "task_b"), 22);
  EXPECT_EQ(split_bucket("7", "deploy-docs"), 44);
  EXPECT_EQ(split_bucket("", "x"), 65);
  EXPECT_EQ(split_of_bucket(11, 0.125, 0.0), Split::kVal);    // round(12.5) = 12, half to even
  EXPECT_EQ(split_of_bucket(12, 0.125, 0.0), Split::kTrain);
  EXPECT_EQ(split_of_bucket(20, 0.2, 0.1), Split::kTest);
  EXPECT_EQ(split_of_bucket(30, 0.2, 0.1), Split::kTrain);
  EXPECT_EQ(split_of_bucket(0, 0.0, 0.0), Split::kTrain);
}

TEST(KitText, JoinQuoteAndTemplates) {
  EXPECT_EQ(join({}, ", "), "");
  EXPECT_EQ(join({"a", "b", "c"}, ", "), "a, b, c");
  EXPECT_EQ(shell_quote("/p/app-1"), "/p/app-1");
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(shell_quote("it's here"), "'it'\\''s here'");
  EXPECT_EQ(shell_quote("50%"), "50%");
  EXPECT_EQ(shell_quote("50%", "/._-"), "'50%'");  // crontab: % must be quoted
  EXPECT_EQ(template_placeholders("{{a}} x {{ b }} {{a}}"), (std::vector<std::string>{"a", "b", "a"}));
  EXPECT_EQ(unknown_placeholders("{{skill}} {{ nope }}", {"skill"}), (std::vector<std::string>{"nope"}));
  EXPECT_EQ(render_template("a {{ x }} b {{missing}}c {{", {{"x", "1"}}), "a 1 b c {{");
}
