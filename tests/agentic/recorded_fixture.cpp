#include "recorded_fixture.hpp"

#include <cctype>
#include <filesystem>
#include <stdexcept>
#include <vector>

#include "skillpipe/kit/util.hpp"
#include "test_support.hpp"
#include "workspace.hpp"

namespace fs = std::filesystem;

namespace skillpipe::backend_agent::recorded {
namespace {

void git(const std::string& dir, const std::vector<std::string>& args, const std::string& date = {}) {
  std::vector<std::string> env{"GIT_AUTHOR_NAME=Ada Lovelace", "GIT_AUTHOR_EMAIL=ada@example.com",
                               "GIT_COMMITTER_NAME=Ada Lovelace", "GIT_COMMITTER_EMAIL=ada@example.com", "TZ=UTC"};
  if (!date.empty()) env.insert(env.end(), {"GIT_AUTHOR_DATE=" + date, "GIT_COMMITTER_DATE=" + date});
  const GitResult r = run_git(dir, args, env);
  if (r.exit_code != 0) throw std::runtime_error("git " + args.at(0) + " failed in " + dir + ": " + r.err);
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

// Copies the recorded agent home `src` to `dst`, moved from the recorded project to `project`.
void copy_moved(const std::string& src, const std::string& dst, const std::string& project) {
  const std::string from_folder = claude_folder(kRecordedProject);
  for (const auto& e : fs::recursive_directory_iterator(src)) {
    if (!e.is_regular_file()) continue;
    const std::string rel = replace_all(fs::relative(e.path(), src).string(), from_folder, claude_folder(project));
    testing::write_text(dst + "/" + rel, replace_all(testing::read_text(e.path().string()), kRecordedProject, project));
  }
}

}  // namespace

std::string make_project(const std::string& dir) {
  using testing::write_text;
  fs::create_directories(dir);
  git(dir, {"init", "-q", "-b", "main"});
  write_text(dir + "/README.md", "# widget\n\nA tiny command line tool.\n");
  write_text(dir + "/CLAUDE.md", "Run the tests with `./run-tests.sh`.\n");
  write_text(dir + "/AGENTS.md", "Run the tests with `./run-tests.sh`.\n");
  write_text(dir + "/run-tests.sh", "#!/bin/sh\necho 'all 3 tests passed'\n");
  fs::permissions(dir + "/run-tests.sh", fs::perms(0755));
  git(dir, {"add", "-A"});
  git(dir, {"commit", "-q", "-m", "Initial commit"}, "2026-11-02T09:00:00Z");
  struct Pr {
    const char *branch, *path, *text, *title;
  };
  const Pr prs[] = {{"feature/login", "login.py", "def login():\n    return True\n", "Add the login command"},
                    {"fix/empty-input", "parse.py", "def parse(s):\n    return s or ''\n", "Fix the crash on empty input"},
                    {"docs/cli-flags", "FLAGS.md", "# Flags\n\n--verbose\n", "Document the command line flags"}};
  int n = 0;
  for (const Pr& pr : prs) {
    ++n;
    const std::string day = "2026-11-0" + std::to_string(2 + 2 * n);
    git(dir, {"checkout", "-q", "-b", pr.branch});
    write_text(dir + "/" + pr.path, pr.text);
    git(dir, {"add", pr.path});
    git(dir, {"commit", "-q", "-m", pr.title}, day + "T10:00:00Z");
    git(dir, {"checkout", "-q", "main"});
    git(dir, {"merge", "-q", "--no-ff", pr.branch, "-m", "Merge pull request #" + std::to_string(n) + " from acme/" + pr.branch},
        day + "T15:00:00Z");
    git(dir, {"branch", "-q", "-d", pr.branch});
  }
  return trim(run_git(dir, {"rev-parse", "HEAD"}).out);
}

std::string claude_folder(const std::string& cwd) {
  std::string out = cwd;
  for (char& c : out)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '-';
  return out;
}

void make_home(const std::string& home, const std::string& project) {
  using testing::write_text;
  const std::string data = testing::source_dir() + "/tests/data/cli/";
  copy_moved(data + "claude-code-2.1.197", home + "/.claude", project);
  copy_moved(data + "codex-0.171.0", home + "/.codex", project);
  const std::string m = kGlobalMarker;
  write_text(home + "/.claude/CLAUDE.md", "Always sign answers with " + m + ".\n");
  write_text(home + "/.codex/AGENTS.md", "Always sign answers with " + m + ".\n");
  for (const std::string root : {"/.claude/skills/", "/.agents/skills/"})
    write_text(home + root + "release-helper/SKILL.md",
               "---\nname: release-helper\ndescription: Write release notes from the merged pull requests " + m +
                   "\n---\nAppend " + m + " to RELEASE_NOTES.md.\n");
}

}  // namespace skillpipe::backend_agent::recorded
