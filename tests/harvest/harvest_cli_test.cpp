// `skillpipe harvest`: the plugins driven from the command line, printing or writing digests.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "harvest_test_util.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::testing {
namespace {

std::vector<SessionDigest> parse_lines(const std::string& text) {
  std::vector<SessionDigest> out;
  for (const auto& line : split(text, '\n'))
    if (!trim(line).empty() && line.rfind("{\"skipped_file\":", 0) != 0) out.push_back(record_from_json<SessionDigest>(line));
  return out;
}

TEST(HarvestCli, JsonForEveryRealFixture) {
  TempDir home;
  copy_tree(harvest_data("real/claude/projects"), home.file("claude/projects"));
  copy_tree(harvest_data("real/codex/sessions"), home.file("codex/sessions"));
  auto claude = run_skillpipe({"harvest", "--source", "claude", "--home", home.file("claude"), "--all-projects",
                               "--since", "all", "--json"});
  ASSERT_EQ(claude.exit_code, 0) << claude.err;
  EXPECT_EQ(parse_lines(claude.out).size(), 8u);  // with the slash-command-only session
  EXPECT_NE(claude.err.find("sessions=8"), std::string::npos) << claude.err;
  auto codex = run_skillpipe({"harvest", "--source", "codex", "--home", home.file("codex"), "--all-projects",
                              "--since", "all", "--json"});
  ASSERT_EQ(codex.exit_code, 0) << codex.err;
  auto digests = parse_lines(codex.out);
  ASSERT_EQ(digests.size(), 3u);
  for (const auto& d : digests) EXPECT_EQ(d.source, "codex");
}

TEST(HarvestCli, ProjectFilterAndOutputFile) {
  TempDir home;
  copy_tree(harvest_data("real/claude/projects"), home.file("projects"));
  std::string out_file = home.file("out/digests.jsonl");
  auto r = run_skillpipe({"harvest", "--source", "claude", "--home", home.path(), "--project", "/workspace", "--since",
                          "all", "--output", out_file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto digests = parse_lines(read_text(out_file));
  ASSERT_EQ(digests.size(), 1u);
  EXPECT_EQ(digests[0].session_id, "c45af7b1-cb7c-4e51-93db-8cbb250a877a");
}

TEST(HarvestCli, WindowAndHumanOutput) {
  TempDir home;
  copy_tree(harvest_data("real/claude/projects/-workspace"), home.file("projects/-workspace"));
  // 2026-01-02 sessions are outside a 7-day window ending 2026-11-23 (file mtimes are
  // recent, so the per-record timestamps decide).
  auto none = run_skillpipe({"harvest", "--source", "claude", "--home", home.path(), "--all-projects", "--since", "7d"},
                            {"SKILLPIPE_NOW=2026-11-23T00:00:00Z"});
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_NE(none.out.find("0 sessions"), std::string::npos) << none.out;
  auto some = run_skillpipe({"harvest", "--source", "claude", "--home", home.path(), "--all-projects", "--since",
                             "2026-01-02T00:00:00Z"},
                            {"SKILLPIPE_NOW=2026-11-23T00:00:00Z"});
  ASSERT_EQ(some.exit_code, 0) << some.err;
  EXPECT_NE(some.out.find("1 sessions"), std::string::npos) << some.out;
  EXPECT_NE(some.out.find("> can you run a command ls -la"), std::string::npos) << some.out;
}

// Issue 15: `--home $HOME` finds the agent's folder in it, and "0 sessions" says why and which
// flag would change it.
TEST(HarvestCli, HomeMayBeTheUsersHomeAndNoSessionsSaysWhy) {
  TempDir home;
  copy_tree(harvest_data("real/claude/projects/-workspace"), home.file(".claude/projects/-workspace"));
  auto all = run_skillpipe({"harvest", "--source", "claude", "--home", home.path(), "--all-projects", "--since", "all"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(all.out.find("0 sessions"), std::string::npos) << all.out;
  auto other = run_skillpipe({"harvest", "--source", "claude", "--home", home.path(), "--project", "/elsewhere",
                              "--since", "all"});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_NE(other.out.find("0 sessions"), std::string::npos) << other.out;
  EXPECT_NE(other.err.find("to other projects (--all-projects, or --project DIR)"), std::string::npos) << other.err;
  auto old = run_skillpipe({"harvest", "--source", "claude", "--home", home.path(), "--all-projects", "--since", "7d"},
                           {"SKILLPIPE_NOW=2026-11-23T00:00:00Z"});
  ASSERT_EQ(old.exit_code, 0) << old.err;
  EXPECT_NE(old.err.find("older than the lookback window (--since 30d, or --since all)"), std::string::npos) << old.err;
  auto empty = run_skillpipe({"harvest", "--source", "codex", "--home", home.path(), "--all-projects"});
  ASSERT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_NE(empty.err.find("no transcript files were found (--home names"), std::string::npos) << empty.err;
}

// Any installed harvester plugin is a source, by its short or its plugin name.
TEST(HarvestCli, SourceIsAnyInstalledHarvester) {
  TempDir home;
  copy_tree(harvest_data("real/codex/sessions"), home.file("sessions"));
  auto r = run_skillpipe({"harvest", "--source", "harvest_codex", "--home", home.path(), "--all-projects", "--since",
                          "all", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(parse_lines(r.out).size(), 3u);
  auto missing = run_skillpipe({"harvest", "--source", "nosuchagent"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("no harvester 'nosuchagent' is installed (installed: "), std::string::npos) << missing.err;
  EXPECT_NE(missing.err.find("claude"), std::string::npos) << missing.err;
}

// Issue 21: every file skipped or read in part is named once with the reason, and a symlink
// that leaves the agent's folder is never read.
TEST(HarvestCli, SkippedFilesAreNamedAndLinksOutsideTheHomeAreRefused) {
  TempDir home, outside;
  const std::string dir = home.file(".claude/projects/-workspace");
  copy_tree(harvest_data("real/claude/projects/-workspace"), dir);
  // A real session outside the home, linked in: it must not be read.
  copy_tree(harvest_data("edge/claude/filters.jsonl"), outside.file("secret.jsonl"));
  std::filesystem::create_symlink(outside.file("secret.jsonl"), dir + "/linked.jsonl");
  std::filesystem::create_directories(dir + "/folder.jsonl");
  ASSERT_EQ(::mkfifo((dir + "/pipe.jsonl").c_str(), 0600), 0);
  std::filesystem::create_symlink(dir + "/loop-b.jsonl", dir + "/loop-a.jsonl");
  std::filesystem::create_symlink(dir + "/loop-a.jsonl", dir + "/loop-b.jsonl");
  std::string binary(4096, '\0');
  binary += "\n";
  append_text(dir + "/binary.jsonl", binary);
  // A line over the 8 MiB cap between two good ones; a last line cut mid-record.
  const std::string good = read_text(harvest_data("edge/claude/scope-app.jsonl"));
  append_text(dir + "/oversize.jsonl", good.substr(0, good.find('\n') + 1) + "{\"x\":\"" +
                                           std::string((8u << 20) + 16, 'a') + "\"}\n" + good);
  append_text(dir + "/torn.jsonl", good + "{\"type\":\"user\",\"message\":{\"role\":\"us");
  std::string deep = dir;  // one level past the walk's limit of 32
  for (int i = 0; i < 33; ++i) deep += "/d" + std::to_string(i);
  std::filesystem::create_directories(deep);
  append_text(deep + "/deep.jsonl", good);
  auto r = run_skillpipe({"harvest", "--source", "claude", "--home", home.path(), "--all-projects", "--since", "all",
                          "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const auto& d : parse_lines(r.out)) EXPECT_NE(d.raw_path, outside.file("secret.jsonl"));
  EXPECT_EQ(r.out.find("flaky test"), std::string::npos) << "the linked file was read";
  // Named once each, in the log a user sees (stderr) and in the --json output.
  for (const auto& [file, reason] : std::vector<std::pair<std::string, std::string>>{
           {"linked.jsonl", "link_outside_home"}, {"folder.jsonl", "not_regular"}, {"pipe.jsonl", "not_regular"},
           {"loop-a.jsonl", "loop"}, {"binary.jsonl", "binary"}, {"oversize.jsonl", "oversize_lines"},
           {"torn.jsonl", "torn_tail"}, {"", "too_deep"}}) {
    SCOPED_TRACE(file + " " + reason);
    std::string path = dir + "/" + file;
    if (file.empty()) {  // the directory where the walk stopped, somewhere down the d0/d1/... chain
      const auto end = r.err.find(": ", r.err.find("skipped " + dir + "/d0/"));
      ASSERT_NE(end, std::string::npos) << r.err;
      path = r.err.substr(r.err.find("skipped " + dir + "/d0/") + 8, end - r.err.find("skipped " + dir + "/d0/") - 8);
    }
    const auto at = r.err.find(path + ":");
    ASSERT_NE(at, std::string::npos) << r.err;
    EXPECT_EQ(r.err.find(path + ":", at + 1), std::string::npos) << "named once\n" << r.err;
    const std::string line = r.err.substr(at, r.err.find('\n', at) - at);
    EXPECT_TRUE(line.find("(" + reason + ")") != std::string::npos || reason == "torn_tail") << line;
    const std::string json = "{\"skipped_file\":{\"stage\":\"harvest_claude\",\"path\":\"" + path +
                             "\",\"problem\":\"" + reason + "\",\"detail\":\"";
    const auto in_json = r.out.find(json);
    EXPECT_NE(in_json, std::string::npos) << r.out.substr(r.out.find("{\"skipped_file\""));
    EXPECT_EQ(r.out.find("\"path\":\"" + path + "\"", r.out.find('\n', in_json)), std::string::npos) << "listed once";
  }
  EXPECT_NE(r.err.find("files_skipped_link_outside_home=1"), std::string::npos) << r.err;
}

TEST(HarvestCli, BadArgumentsExitTwo) {
  EXPECT_EQ(run_skillpipe({"harvest", "--source", "nosuchagent"}).exit_code, 2);
  EXPECT_EQ(run_skillpipe({"harvest", "--source", "all", "--home", "/tmp"}).exit_code, 2);
  EXPECT_EQ(run_skillpipe({"harvest", "--project", "/x", "--all-projects"}).exit_code, 2);
  EXPECT_EQ(run_skillpipe({"harvest", "--json", "--output", "/tmp/x"}).exit_code, 2);
  auto since = run_skillpipe({"harvest", "--source", "claude", "--since", "yesterday"});
  EXPECT_EQ(since.exit_code, 2);
  EXPECT_NE(since.err.find("--since"), std::string::npos);
  for (const char* bad : {"0x10h", "1e3h", "-5d", ".5d", "1.2.3h"})
    EXPECT_EQ(run_skillpipe({"harvest", "--source", "claude", "--since", bad}).exit_code, 2) << bad;
  EXPECT_EQ(run_skillpipe({"harvest", "--help"}).exit_code, 0);
}

}  // namespace
}  // namespace skillpipe::testing
