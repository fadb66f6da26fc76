// Adoption through the CLI: status, adopt, rollback, history; pins refused with exit 2.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <sys/stat.h>

#include "skillpipe/kit/util.hpp"
#include "store_fixture.hpp"

namespace fs = std::filesystem;
using namespace skillpipe;
using namespace store_test;
using skillpipe::testing::read_text;
using skillpipe::testing::run_skillpipe;
using skillpipe::testing::write_text;

namespace {

const std::string kSkillV1 = "---\nname: deploy\ndescription: ship it\n---\n# Deploy\n\nHand-written.\n";
const std::string kSkillV2 =
    kSkillV1 + "\n<!-- skillpipe:learned start -->\n- Run the tests first.\n<!-- skillpipe:learned end -->\n";
const std::string kMemV1 = "# Memory\r\nCRLF line\r\nno final newline ✓";
const std::string kMemV2 =
    kMemV1 + "\n<!-- skillpipe:learned start -->\n- Prefer pnpm.\n<!-- skillpipe:learned end -->";

struct Cli {
  const Sandbox& sb;
  skillpipe::testing::CommandResult operator()(std::vector<std::string> args) const {
    for (const auto& a : {std::string("--project"), sb.project, std::string("--store"), sb.root}) args.push_back(a);
    return run_skillpipe(args, sb.env());
  }
};

// One published night proposing `proposals`.
std::string stage_night(const Sandbox& sb, const std::vector<Proposal>& proposals, NightReport report = make_report()) {
  LoadedStore s(sb.root, sb.project);
  const NightHandle h = s->open_night(sb.project, *s.ctx);
  s->stage(proposals, report);
  s->close_night(true);
  return h.night_id;
}

std::string staged_pair(const Sandbox& sb) {
  write_text(sb.skill_path("deploy"), kSkillV1);
  write_text(sb.memory_path(), kMemV1);
  return stage_night(sb, {make_proposal("deploy", "claude_skill", sb.skill_path("deploy"), kSkillV2),
                          make_proposal("CLAUDE.md", "claude_memory", sb.memory_path(), kMemV2)});
}

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

// STORE_TEST_VERBOSE=1 prints what the user would see.
void show(const skillpipe::testing::CommandResult& r) {
  if (std::getenv("STORE_TEST_VERBOSE")) std::printf("%s%s(exit %d)\n", r.out.c_str(), r.err.c_str(), r.exit_code);
}

}  // namespace

TEST(StoreAdopt, StatusBeforeAnyNightTellsWhatToDo) {
  Sandbox sb;
  Cli cli{sb};
  auto r = cli({"status"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "No skillpipe nights yet for " + sb.project)) << r.out;
  auto j = cli({"status", "--json"});
  rapidjson::Document d;
  d.Parse(j.out.c_str());
  ASSERT_FALSE(d.HasParseError()) << j.out;
  EXPECT_TRUE(d["latest_night"].IsNull());
}

TEST(StoreAdopt, AdoptAndRollbackRoundTripSkillAndMemoryByteExactly) {
  Sandbox sb;
  Cli cli{sb};
  const std::string night = staged_pair(sb);

  auto st = cli({"status"});
  show(st);
  ASSERT_EQ(st.exit_code, 0) << st.err;
  EXPECT_TRUE(contains(st.out, "Last night: " + night)) << st.out;
  EXPECT_TRUE(contains(st.out, "deploy [claude_skill, accepted] " + sb.skill_path("deploy") + "  +4 -0  pending"))
      << st.out;
  EXPECT_TRUE(contains(st.out, "skillpipe adopt --project " + sb.project)) << st.out;
  EXPECT_TRUE(contains(st.out, "----- report.md -----")) << st.out;

  auto a = cli({"adopt"});
  show(a);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_TRUE(contains(a.out, "Adopted from night " + night + " as version 1")) << a.out;
  EXPECT_EQ(read_text(sb.skill_path("deploy")), kSkillV2);
  EXPECT_EQ(read_text(sb.memory_path()), kMemV2);

  auto again = cli({"adopt"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(contains(again.out, "already in place")) << again.out;

  st = cli({"status", "--json"});
  rapidjson::Document d;
  d.Parse(st.out.c_str());
  ASSERT_FALSE(d.HasParseError()) << st.out;
  EXPECT_STREQ(d["latest_night"]["proposals"][0]["state"].GetString(), "adopted");
  EXPECT_EQ(d["versions"].GetInt(), 1);
  EXPECT_STREQ(d["latest_night"]["report"]["gate_action"].GetString(), "accept");

  auto rb = cli({"rollback"});
  show(rb);
  show(cli({"status"}));
  ASSERT_EQ(rb.exit_code, 0) << rb.err;
  EXPECT_TRUE(contains(rb.out, "Rolled back version 1")) << rb.out;
  EXPECT_EQ(read_text(sb.skill_path("deploy")), kSkillV1);
  EXPECT_EQ(read_text(sb.memory_path()), kMemV1);

  // Nothing left to undo is "nothing to do", as for adopt: exit 0, ok, no version.
  auto rb2 = cli({"rollback"});
  EXPECT_EQ(rb2.exit_code, 0) << rb2.err;
  EXPECT_TRUE(contains(rb2.out, "already rolled back")) << rb2.out;

  // Re-adopting the same night after a rollback is allowed: the pins hold again.
  ASSERT_EQ(cli({"adopt", "--night", night}).exit_code, 0);
  EXPECT_EQ(read_text(sb.memory_path()), kMemV2);
  // --to 0 restores everything as it was before skillpipe.
  auto to0 = cli({"rollback", "--to", "0"});
  ASSERT_EQ(to0.exit_code, 0) << to0.err;
  EXPECT_EQ(read_text(sb.skill_path("deploy")), kSkillV1);
  EXPECT_EQ(read_text(sb.memory_path()), kMemV1);
  auto to1 = cli({"rollback", "--to", "v1", "--skill", "CLAUDE.md"});
  ASSERT_EQ(to1.exit_code, 0) << to1.err;
  EXPECT_EQ(read_text(sb.skill_path("deploy")), kSkillV1);
  EXPECT_EQ(read_text(sb.memory_path()), kMemV2);

  auto h = cli({"history"});
  show(h);
  ASSERT_EQ(h.exit_code, 0) << h.err;
  for (const char* want : {"v5", "rollback to v1", "v4  2026-01-02T03:17:00Z  rollback to v0", "v3", "adopt night",
                           "(undone by v2)", "deploy (claude_skill) ", "+4 -0", "v0  the files as they were"}) {
    EXPECT_TRUE(contains(h.out, want)) << want << "\n" << h.out;
  }
  auto hj = cli({"history", "--json"});
  rapidjson::Document hd;
  hd.Parse(hj.out.c_str());
  ASSERT_FALSE(hd.HasParseError()) << hj.out;
  EXPECT_EQ(hd["current"].GetInt(), 5);
  EXPECT_EQ(hd["versions"].Size(), 5u);
}

// A new skill is created 0666 & ~umask like any file (fchmod would bypass the umask: 0666, any
// local user could write the agent's instructions); its rollback removes every directory the
// adoption created (.agents/skills/fresh), none that was there before (.agents stays when it held
// something else).
TEST(StoreAdopt, NewSkillIsCreatedAndRollbackRemovesItAndItsDirectory) {
  Sandbox sb;
  Cli cli{sb};
  const std::string path = sb.home + "/.agents/skills/fresh/SKILL.md";
  ASSERT_FALSE(fs::exists(sb.home + "/.agents"));
  stage_night(sb, {make_proposal("fresh", "codex_skill", path, "---\nname: fresh\n---\nbody\n")});
  const mode_t old_mask = ::umask(022);
  const auto adopted = cli({"adopt", "--skill", "fresh"});
  ::umask(old_mask);
  ASSERT_EQ(adopted.exit_code, 0) << adopted.err;
  EXPECT_EQ(read_text(path), "---\nname: fresh\n---\nbody\n");
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  ASSERT_EQ(cli({"rollback", "--skill", "fresh"}).exit_code, 0);
  EXPECT_FALSE(fs::exists(path));
  EXPECT_FALSE(fs::exists(sb.home + "/.agents")) << "every directory the adoption created is gone";

  write_text(sb.home + "/.agents/notes.txt", "mine\n");  // .agents is the user's now
  const std::string night2 = stage_night(sb, {make_proposal("fresh", "codex_skill", path, "---\nname: fresh\n---\nv2\n")});
  ASSERT_EQ(cli({"adopt", "--skill", "fresh", "--night", night2}).exit_code, 0);
  ASSERT_EQ(cli({"rollback", "--skill", "fresh"}).exit_code, 0);
  EXPECT_FALSE(fs::exists(sb.home + "/.agents/skills"));
  EXPECT_EQ(read_text(sb.home + "/.agents/notes.txt"), "mine\n");
}

TEST(StoreAdopt, LiveFileEditedSinceTheNightIsRefusedWithExitTwoNamingIt) {
  Sandbox sb;
  Cli cli{sb};
  staged_pair(sb);
  write_text(sb.memory_path(), kMemV1 + "\nmy own edit\n");
  auto r = cli({"adopt"});
  show(r);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, sb.memory_path() + ": was edited after night")) << r.err;
  EXPECT_TRUE(contains(r.err, "nothing was changed")) << r.err;
  EXPECT_EQ(read_text(sb.skill_path("deploy")), kSkillV1);  // all or nothing
  auto st = cli({"status"});
  EXPECT_TRUE(contains(st.out, "stale")) << st.out;
  auto j = cli({"adopt", "--json"});
  EXPECT_EQ(j.exit_code, 2);
  rapidjson::Document d;
  d.Parse(j.out.c_str());
  ASSERT_FALSE(d.HasParseError()) << j.out;
  EXPECT_FALSE(d["ok"].GetBool());
}

TEST(StoreAdopt, SymlinkSwapIsRefused) {
  Sandbox sb;
  Cli cli{sb};
  staged_pair(sb);
  // Same bytes, but the skill directory now points somewhere else.
  const std::string elsewhere = sb.tmp.file("elsewhere/deploy");
  write_text(elsewhere + "/SKILL.md", kSkillV1);
  fs::remove_all(sb.home + "/.claude/skills/deploy");
  fs::create_directory_symlink(elsewhere, sb.home + "/.claude/skills/deploy");
  auto r = cli({"adopt"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, sb.skill_path("deploy") + ": now resolves to " + elsewhere + "/SKILL.md")) << r.err;
  EXPECT_EQ(read_text(elsewhere + "/SKILL.md"), kSkillV1);

  // The file itself replaced by a symlink to identical bytes.
  fs::remove(sb.home + "/.claude/skills/deploy");
  write_text(sb.skill_path("deploy") + ".real", kSkillV1);
  fs::create_symlink(sb.skill_path("deploy") + ".real", sb.skill_path("deploy"));
  r = cli({"adopt", "--skill", "deploy"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, sb.skill_path("deploy"))) << r.err;
  EXPECT_EQ(read_text(sb.skill_path("deploy") + ".real"), kSkillV1);
}

TEST(StoreAdopt, TamperedStagedProposalIsRefused) {
  Sandbox sb;
  Cli cli{sb};
  const std::string night = staged_pair(sb);
  const std::string staged =
      sb.root + "/projects/" + project_slug(sb.project) + "/nights/" + night + "/proposed/claude_memory.CLAUDE.md";
  write_text(staged, "rm -rf ~\n");
  auto r = cli({"adopt"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, staged + ": the staged proposal was changed")) << r.err;
  EXPECT_EQ(read_text(sb.memory_path()), kMemV1);
}

TEST(StoreAdopt, RollbackRefusesToOverwriteEditsMadeAfterAdoption) {
  Sandbox sb;
  Cli cli{sb};
  staged_pair(sb);
  ASSERT_EQ(cli({"adopt"}).exit_code, 0);
  write_text(sb.skill_path("deploy"), kSkillV2 + "my later note\n");
  auto r = cli({"rollback"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, sb.skill_path("deploy") + ": was edited after skillpipe last wrote it")) << r.err;
  EXPECT_EQ(read_text(sb.memory_path()), kMemV2);
  // Rolling back only the untouched file works.
  ASSERT_EQ(cli({"rollback", "--skill", "CLAUDE.md"}).exit_code, 0);
  EXPECT_EQ(read_text(sb.memory_path()), kMemV1);
  EXPECT_EQ(read_text(sb.skill_path("deploy")), kSkillV2 + "my later note\n");
}

TEST(StoreAdopt, SelectionRules) {
  Sandbox sb;
  Cli cli{sb};
  NightReport rep = make_report();
  rep.gate_action = GateAction::kRejectUnverified;
  const std::string night =
      stage_night(sb,
                  {make_proposal("guess", "claude_skill", sb.skill_path("guess"), "maybe\n", "unverified"),
                   make_proposal("bad", "claude_skill", sb.skill_path("bad"), "curl x | sh\n", "quarantined"),
                   make_proposal("evil", "claude_skill", "/tmp/evil/SKILL.md", "x\n", "accepted")},
                  rep);
  auto none = cli({"adopt"});
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_TRUE(contains(none.out, "Nothing to adopt from night " + night)) << none.out;
  EXPECT_TRUE(contains(none.out, "skipped guess: unverified")) << none.out;

  auto unknown = cli({"adopt", "--skill", "nope"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_TRUE(contains(unknown.err, "has no proposal named \"nope\" (it has: guess, bad, evil)")) << unknown.err;
  EXPECT_EQ(cli({"adopt", "--skill", "guess"}).exit_code, 2);
  EXPECT_EQ(cli({"adopt", "--skill", "bad", "--allow-unverified"}).exit_code, 2);
  auto evil = cli({"adopt", "--skill", "evil"});
  EXPECT_EQ(evil.exit_code, 2);
  EXPECT_TRUE(contains(evil.err, "not adoptable")) << evil.err;
  EXPECT_FALSE(fs::exists("/tmp/evil/SKILL.md"));
  EXPECT_EQ(cli({"adopt", "--skill", "guess", "--all"}).exit_code, 2);
  EXPECT_EQ(cli({"adopt", "--night", "0042"}).exit_code, 2);

  // --all takes unverified ones too, never quarantined or misplaced ones.
  auto all = cli({"adopt", "--all"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_TRUE(contains(all.out, "skipped bad: quarantined")) << all.out;
  EXPECT_TRUE(contains(all.out, "skipped evil: not adoptable")) << all.out;
  EXPECT_EQ(read_text(sb.skill_path("guess")), "maybe\n");
  EXPECT_FALSE(fs::exists(sb.skill_path("bad")));
  ASSERT_EQ(cli({"rollback"}).exit_code, 0);
  ASSERT_EQ(cli({"adopt", "--skill", "guess", "--allow-unverified"}).exit_code, 0);
  EXPECT_EQ(read_text(sb.skill_path("guess")), "maybe\n");
}

TEST(StoreAdopt, PluginApiWorksWithoutTheCli) {
  Sandbox sb;
  staged_pair(sb);
  LoadedStore s(sb.root, sb.project);
  AdoptRequest req;
  req.project = sb.project;
  req.names = {"CLAUDE.md"};
  ASSERT_NE(s->adoption(), nullptr);
  const AdoptionResult r = s->adoption()->adopt(req);
  ASSERT_EQ(r.exit_code, 0) << r.message;
  ASSERT_TRUE(r.version.has_value());
  EXPECT_EQ(r.version->version, 1);
  EXPECT_EQ(r.version->action, AdoptionAction::kAdopt);
  ASSERT_EQ(r.version->files.size(), 1u);
  EXPECT_EQ(r.version->files[0].sha_after, sha256(kMemV2));
  // The store answers with records; the status it reports sees the adoption.
  const ProjectStatus st = s->adoption()->status(sb.project);
  ASSERT_EQ(st.versions.size(), 1u);
  EXPECT_EQ(st.versions[0].files[0].name, "CLAUDE.md");
  EXPECT_EQ(read_text(sb.memory_path()), kMemV2);
  EXPECT_EQ(read_text(sb.skill_path("deploy")), kSkillV1);
}
