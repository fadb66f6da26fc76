// The workspace manager on real git repositories: where a replay starts, what it sees, what
// it changed, and that the user's repository is never touched.
#include <gtest/gtest.h>

#include <algorithm>

#include <filesystem>

#include "install_documents.hpp"
#include "lab.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"
#include "test_support.hpp"
#include "workspace.hpp"

namespace fs = std::filesystem;

namespace skillpipe::backend_agent {
namespace {

std::string git(const std::string& dir, const std::vector<std::string>& args, const std::string& date = {}) {
  std::vector<std::string> env{"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t",
                               "GIT_COMMITTER_EMAIL=t@t"};
  if (!date.empty()) env.insert(env.end(), {"GIT_AUTHOR_DATE=" + date, "GIT_COMMITTER_DATE=" + date});
  GitResult r = run_git(dir, args, env);
  if (r.exit_code != 0) throw std::runtime_error("git failed: " + r.err);
  return trim(r.out);
}

// Every file under `dir` (the .git folder included) with its bytes' hash.
std::map<std::string, std::string> fingerprint(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (auto& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) out[fs::relative(e.path(), dir).string()] = sha256_hex(read_text(e.path().string()));
  return out;
}

class WorkspaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_ = tmp_.file("user/project");
    fs::create_directories(repo_);
    git(repo_, {"init", "-q", "-b", "main"});
    write_text(repo_ + "/.gitignore", "build/\n");
    write_text(repo_ + "/app.py", "print('v1')\n");
    write_text(repo_ + "/CLAUDE.md", "# committed memory\n");
    git(repo_, {"add", "-A"});
    git(repo_, {"commit", "-qm", "v1"}, "2026-01-01T10:00:00Z");
    first_ = git(repo_, {"rev-parse", "HEAD"});
    write_text(repo_ + "/app.py", "print('v2')\n");
    git(repo_, {"commit", "-qam", "v2"}, "2026-01-03T10:00:00Z");
    second_ = git(repo_, {"rev-parse", "HEAD"});
    // The user's uncommitted work, which a replay must neither see nor disturb.
    write_text(repo_ + "/app.py", "print('uncommitted')\n");
    write_text(repo_ + "/notes.txt", "untracked\n");
  }
  TempDir tmp_;
  std::string repo_, first_, second_;
};

TEST_F(WorkspaceTest, StartPointFollowsTheSession) {
  StartPoint a = resolve_start(repo_, {first_, "", ""});
  EXPECT_EQ(a.how, StartHow::kSessionCommit);
  EXPECT_EQ(a.commit, first_);
  EXPECT_TRUE(a.note.empty());
  StartPoint b = resolve_start(repo_, {"", "main", "2026-01-02T00:00:00Z"});
  EXPECT_EQ(b.how, StartHow::kBranchAtStart);
  EXPECT_EQ(b.commit, first_);
  StartPoint c = resolve_start(repo_, {"", "", "2026-01-04T00:00:00Z"});
  EXPECT_EQ(c.how, StartHow::kHeadAtStart);
  EXPECT_EQ(c.commit, second_);
  StartPoint d = resolve_start(repo_, {"deadbeefdeadbeef", "gone", "2025-01-01T00:00:00Z"});
  EXPECT_EQ(d.how, StartHow::kHead);
  EXPECT_EQ(d.commit, second_);
  EXPECT_NE(d.note.find("deadbeefdead"), std::string::npos) << d.note;
  EXPECT_NE(d.note.find("'gone'"), std::string::npos) << d.note;
  EXPECT_NE(d.note.find("HEAD"), std::string::npos) << d.note;
  EXPECT_EQ(resolve_start(repo_, {}).how, StartHow::kHead);
}

TEST_F(WorkspaceTest, SubdirectoryProjectsStartThere) {
  fs::create_directories(repo_ + "/pkg/sub");
  write_text(repo_ + "/pkg/sub/x.txt", "x\n");
  git(repo_, {"add", "pkg"});
  git(repo_, {"commit", "-qm", "pkg"}, "2026-01-05T10:00:00Z");
  StartPoint sp = resolve_start(repo_ + "/pkg/sub", {});
  EXPECT_EQ(sp.subdir, "pkg/sub");
  Workspace ws = create_workspace(sp, tmp_.file("replays/r2"));
  EXPECT_EQ(ws.cwd, ws.root + "/pkg/sub");
  EXPECT_TRUE(fs::exists(ws.cwd + "/x.txt"));
}

TEST_F(WorkspaceTest, ReplayChangesAreCollectedAndTheUserRepositoryIsUntouched) {
  const auto before = fingerprint(repo_);
  Workspace ws = create_workspace(resolve_start(repo_, {first_, "", ""}), tmp_.file("replays/r1"));
  EXPECT_TRUE(ws.git);
  EXPECT_EQ(read_text(ws.root + "/app.py"), "print('v1')\n") << "the start commit, not the user's working tree";
  EXPECT_FALSE(fs::exists(ws.root + "/notes.txt"));
  EXPECT_EQ(git(ws.root, {"rev-parse", "HEAD"}), first_);
  const auto installed = install_documents(Agent::kClaude, ws.cwd,
                                           {"deploy", "---\nname: deploy\ndescription: d\n---\nbody\n", ""});
  EXPECT_EQ(installed, (std::vector<std::string>{".claude/skills/deploy/SKILL.md", "CLAUDE.md"}));
  EXPECT_FALSE(fs::exists(ws.cwd + "/CLAUDE.md")) << "no memory tonight: the committed one is removed";
  mark_start(ws);
  // The agent works: edits, adds, deletes, builds (ignored), commits.
  write_text(ws.root + "/app.py", "print('fixed')\n");
  write_text(ws.root + "/tests/test_app.py", "assert True\n");
  write_text(ws.root + "/build/out.o", "binary\n");
  fs::remove(ws.root + "/.gitignore");
  write_text(ws.root + "/.gitignore", "build/\n");
  git(ws.root, {"add", "-A"});
  git(ws.root, {"commit", "-qm", "agent commit"});
  Changes c = collect_changes(ws);
  EXPECT_EQ(c.files, (std::vector<std::string>{"app.py", "tests/test_app.py"}));
  EXPECT_NE(c.diff.find("+print('fixed')"), std::string::npos) << c.diff;
  EXPECT_EQ(c.diff.find("SKILL.md"), std::string::npos) << "installed documents are setup, not the agent's change";
  // A push from the workspace cannot reach the user's repository.
  EXPECT_NE(run_git(ws.root, {"push", "origin", "HEAD:refs/heads/replay"}).exit_code, 0);
  EXPECT_EQ(fingerprint(repo_), before) << "the user's repository and working tree changed";
  EXPECT_TRUE(remove_workspace(ws));
  EXPECT_FALSE(fs::exists(ws.dir));
  EXPECT_EQ(fingerprint(repo_), before);
}

TEST_F(WorkspaceTest, NothingChangedMeansNoFiles) {
  Workspace ws = create_workspace(resolve_start(repo_, {}), tmp_.file("replays/r3"));
  mark_start(ws);
  Changes c = collect_changes(ws);
  EXPECT_TRUE(c.files.empty());
  EXPECT_TRUE(c.diff.empty());
}

// An unattended replay never hands the agent the project's credentials: a copy leaves out
// the files and folders that hold them by convention (a git checkout leaves them out when
// untracked), keeps their look-alikes (.env.example), and names what it left out.
TEST(WorkspaceCopy, CredentialFilesAreNotCopied) {
  TempDir tmp;
  const std::string proj = tmp.file("plain");
  for (const char* f : {"app.py", ".env.example", "src/keys.py", "docs/id_rsa.md"}) write_text(proj + "/" + f, "ok\n");
  for (const char* f : {".env", ".env.production", "certs/server.pem", ".aws/credentials", ".npmrc", "deploy/id_ed25519"})
    write_text(proj + "/" + f, "SECRET\n");
  StartPoint sp = resolve_start(proj, {"abc", "main", "2026-01-01T00:00:00Z"});
  ASSERT_EQ(sp.how, StartHow::kCopy);
  Workspace ws = create_workspace(sp, tmp.file("replays/c1"));
  for (const char* f : {"app.py", ".env.example", "src/keys.py", "docs/id_rsa.md"})
    EXPECT_TRUE(fs::exists(ws.root + "/" + f)) << f;
  for (const char* f : {".env", ".env.production", "certs/server.pem", ".aws", ".npmrc", "deploy/id_ed25519"})
    EXPECT_FALSE(fs::exists(ws.root + "/" + f)) << f;
  std::vector<std::string> left = ws.left_out;
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{".aws", ".env", ".env.production", ".npmrc", "certs/server.pem",
                                            "deploy/id_ed25519"}));
}

// Too large to copy: refused with what to do, before anything is copied.
TEST(WorkspaceCopy, ATreeOverTheLimitsIsRefusedBeforeAnythingIsCopied) {
  TempDir tmp;
  const std::string proj = tmp.file("plain");
  write_text(proj + "/a.txt", std::string(100, 'a'));
  write_text(proj + "/b.txt", std::string(100, 'b'));
  write_text(proj + "/.env", std::string(1000, 's'));  // left out, so not counted either
  StartPoint sp = resolve_start(proj, {"abc", "main", "2026-01-01T00:00:00Z"});
  WorkspaceLimits limits;
  limits.max_copy_bytes = 150;
  try {
    create_workspace(sp, tmp.file("replays/c1"), limits);
    FAIL() << "a tree over the byte limit was copied";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("make it a git repository or drop its tasks"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(tmp.file("replays/c1/ws/a.txt")));
  limits.max_copy_bytes = 250;
  EXPECT_NO_THROW(create_workspace(sp, tmp.file("replays/c2"), limits));
}

TEST(WorkspaceCopy, ProjectsOutsideGitAreCopiedAndTracked) {
  TempDir tmp;
  const std::string proj = tmp.file("plain");
  write_text(proj + "/a.txt", "a\n");
  write_text(proj + "/AGENTS.md", "live memory\n");
  const auto before = fingerprint(proj);
  StartPoint sp = resolve_start(proj, {"abc", "main", "2026-01-01T00:00:00Z"});
  EXPECT_EQ(sp.how, StartHow::kCopy);
  Workspace ws = create_workspace(sp, tmp.file("replays/c1"));
  EXPECT_FALSE(ws.git);
  EXPECT_FALSE(fs::exists(ws.root + "/.git")) << "the agent sees the tree as the user has it";
  install_documents(Agent::kCodex, ws.cwd, {"", "", "tonight's memory\n"});
  EXPECT_EQ(read_text(ws.root + "/AGENTS.md"), "tonight's memory\n");
  mark_start(ws);
  write_text(ws.root + "/b.txt", "b\n");
  fs::remove(ws.root + "/a.txt");
  Changes c = collect_changes(ws);
  EXPECT_EQ(c.files, (std::vector<std::string>{"a.txt", "b.txt"}));
  EXPECT_EQ(fingerprint(proj), before);
  EXPECT_TRUE(remove_workspace(ws));
}

TEST(WorkspaceErrors, MissingProjectAndEmptyRepositorySayWhatToDo) {
  TempDir tmp;
  try {
    resolve_start(tmp.file("nope"), {});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
  }
  fs::create_directories(tmp.file("empty"));
  git(tmp.file("empty"), {"init", "-q"});
  try {
    resolve_start(tmp.file("empty"), {});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no commit yet"), std::string::npos) << e.what();
  }
}

TEST(Documents, SkillNamesAreFolderNamesAndHashesDiffer) {
  TempDir tmp;
  EXPECT_THROW(install_documents(Agent::kClaude, tmp.path(), {"../x", "t", ""}), Error);
  EXPECT_EQ(skill_name_of("---\nname: \"release-notes\"\ndescription: x\n---\n"), "release-notes");
  EXPECT_EQ(skill_name_of("no frontmatter"), "");
  EXPECT_NE(documents_hash({"a", "b", ""}), documents_hash({"a", "", "b"}));
}

}  // namespace
}  // namespace skillpipe::backend_agent
