// `skillpipe harvest`: the plugins driven from the command line, printing or writing digests.
#include <gtest/gtest.h>

#include "harvest_test_util.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::testing {
namespace {

std::vector<SessionDigest> parse_lines(const std::string& text) {
  std::vector<SessionDigest> out;
  for (const auto& line : split(text, '\n'))
    if (!trim(line).empty()) out.push_back(record_from_json<SessionDigest>(line));
  return out;
}

TEST(HarvestCli, JsonForEveryRealFixture) {
  TempDir home;
  copy_tree(harvest_data("real/claude/projects"), home.file("claude/projects"));
  copy_tree(harvest_data("real/codex/sessions"), home.file("codex/sessions"));
  auto claude = run_skillpipe({"harvest", "--source", "claude", "--home", home.file("claude"), "--all-projects",
                               "--since", "all", "--json"});
  ASSERT_EQ(claude.exit_code, 0) << claude.err;
  EXPECT_EQ(parse_lines(claude.out).size(), 7u);
  EXPECT_NE(claude.err.find("sessions=7"), std::string::npos) << claude.err;
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

TEST(HarvestCli, BadArgumentsExitTwo) {
  EXPECT_EQ(run_skillpipe({"harvest", "--source", "cursor"}).exit_code, 2);
  EXPECT_EQ(run_skillpipe({"harvest", "--source", "all", "--home", "/tmp"}).exit_code, 2);
  EXPECT_EQ(run_skillpipe({"harvest", "--project", "/x", "--all-projects"}).exit_code, 2);
  EXPECT_EQ(run_skillpipe({"harvest", "--json", "--output", "/tmp/x"}).exit_code, 2);
  auto since = run_skillpipe({"harvest", "--source", "claude", "--since", "yesterday"});
  EXPECT_EQ(since.exit_code, 2);
  EXPECT_NE(since.err.find("--since"), std::string::npos);
  EXPECT_EQ(run_skillpipe({"harvest", "--help"}).exit_code, 0);
}

}  // namespace
}  // namespace skillpipe::testing
