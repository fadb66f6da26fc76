// Tests for harvest_gemini: the SDK's conformance harness, then what the digests say about
// the fixture chats in testdata/home (a .json document and a 2026 .jsonl file).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "../gemini_format.hpp"
#include "skillpipe/testing/conformance.hpp"
#include "skillpipe/kit/harvester.hpp"

namespace cf = skillpipe::testing::conformance;
using skillpipe::SessionDigest;

namespace {

const std::string kHome = std::string(SKILLPIPE_PLUGIN_SOURCE_DIR) + "/testdata/home";
const std::string kProject = "/nonexistent/skillpipe-sdk-example";
const std::string kHash = "4ec557070a0a0488b1ce6c9e7e5b82f5e5def3375682c17ee14e2674a43001c4";

cf::Options options() {
  cf::Options o;
  o.plugin_file = SKILLPIPE_PLUGIN_FILE;
  o.kind = skillpipe::StageKind::kHarvester;
  o.config = R"({"home":")" + kHome + R"(","lookback_hours":0})";
  o.harvest_config = R"({"home":")" + kHome + R"(","lookback_hours":0,"project_scope":"all"})";
  o.min_digests = 3;
  return o;
}

// Harvests the fixture home for `project` the way the host would, loading the .so.
struct Harvest {
  std::vector<SessionDigest> digests;
  std::map<std::string, std::int64_t> counts;
};

Harvest harvest(const std::string& config_json, const std::string& project) {
  cf::Library lib(SKILLPIPE_PLUGIN_FILE);
  EXPECT_TRUE(lib.ok()) << lib.error();
  skillpipe::RunInfo run;
  run.project = project;
  run.now_utc = "2026-01-10T00:00:00Z";
  cf::HarnessContext ctx("harvest", run);
  Harvest out;
  {
    std::unique_ptr<skillpipe::StageBase> obj = lib.create();
    auto* h = static_cast<skillpipe::Harvester*>(obj.get());
    h->configure(skillpipe::Config::parse(config_json), ctx);
    skillpipe::DigestList got;
    h->harvest(got, ctx);
    h->finish(ctx);
    out.digests = std::move(got.items);
  }
  out.counts = ctx.counts();
  return out;
}

const SessionDigest* find(const std::vector<SessionDigest>& v, const std::string& id) {
  for (const auto& d : v)
    if (d.session_id == id) return &d;
  return nullptr;
}

}  // namespace

SKILLPIPE_CONFORMANCE_TESTS(HarvestGemini, options)

TEST(HarvestGemini, DocumentSessionBecomesOneDigest) {
  auto h = harvest(R"({"home":")" + kHome + R"(","lookback_hours":0})", kProject);
  ASSERT_EQ(h.digests.size(), 2u);  // the third chat is another project
  const SessionDigest* d = find(h.digests, "3f2a91c0-5b7e-4d2a-9c1e-8a6f0b1d2e3f");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->source, "gemini");
  EXPECT_EQ(d->project, kProject);
  ASSERT_EQ(d->user_prompts.size(), 2u);  // "/memory show" is a CLI command, not work
  EXPECT_TRUE(d->user_prompts[0].starts_with("Add a --verbose flag to the CLI in src/main.py"));
  EXPECT_EQ(d->user_prompts[0].find("AbCdEf0123456789"), std::string::npos)
      << "secret not redacted: " << d->user_prompts[0];
  EXPECT_EQ(d->user_prompts[1], "Perfect, thanks. Now run the tests.");  // content as a list of parts
  EXPECT_EQ(d->assistant_finals,
            (std::vector<std::string>{"I added `--verbose` to the parser and wired it to the logger level.",
                                      "All 12 tests pass."}));
  EXPECT_EQ(skillpipe::tool_names(d->tools), (std::vector<std::string>{"read_file", "replace", "run_shell_command"}));
  EXPECT_EQ(d->files_touched, (std::vector<std::string>{kProject + "/src/main.py"}));
  EXPECT_EQ(d->n_user_turns, 2);
  EXPECT_EQ(d->n_assistant_turns, 2);  // prompts the model answered
  EXPECT_EQ(d->usage.input, 16800 - 11500);  // Gemini's input includes the cached tokens; ours does not
  EXPECT_EQ(d->usage.output, 240);  // output + thoughts
  EXPECT_EQ(d->usage.cache_read, 11500);
  EXPECT_EQ(d->started_at, "2026-01-05T10:00:02Z");
  EXPECT_EQ(d->ended_at, "2026-01-05T10:04:40Z");
  EXPECT_EQ(d->model, "gemini-2.5-pro");
  EXPECT_EQ(d->attrs.at("project_hash"), kHash);
  EXPECT_EQ(d->outcome.slash_commands, (std::vector<std::string>{"/memory"}));
  EXPECT_TRUE(d->outcome.observed);
  EXPECT_EQ(d->outcome.tool_calls, 3);
  EXPECT_EQ(h.counts["messages_info"], 1);
}

TEST(HarvestGemini, JsonlSessionSkipsDuplicatesBadLinesAndTheTornTail) {
  auto h = harvest(R"({"home":")" + kHome + R"(","lookback_hours":0})", kProject);
  const SessionDigest* d = find(h.digests, "9b1c2d3e-0000-4abc-8def-123456789abc");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->user_prompts, (std::vector<std::string>{"Write the release notes for 2.3 into CHANGELOG.md",
                                                       "that is wrong, the version is 2.4 not 2.3"}));
  EXPECT_EQ(d->assistant_finals,
            (std::vector<std::string>{"Release notes for 2.3 are in CHANGELOG.md.", "Fixed: the notes now say 2.4."}));
  EXPECT_EQ(skillpipe::tool_names(d->tools), (std::vector<std::string>{"write_file"}));
  EXPECT_EQ(d->files_touched, (std::vector<std::string>{kProject + "/CHANGELOG.md"}));  // relative to the project
  EXPECT_EQ(d->usage.input, 900 + 1000 - 800);
  EXPECT_EQ(d->usage.output, 112);
  EXPECT_EQ(d->usage.cache_read, 800);
  ASSERT_FALSE(d->feedback_signals.empty());
  EXPECT_EQ(d->feedback_signals[0].polarity, "negative");
  EXPECT_EQ(h.counts["messages_duplicate"], 1);
  EXPECT_EQ(h.counts["bad_lines"], 1);
  EXPECT_EQ(h.counts["patches"], 1);
  // Newest first.
  EXPECT_EQ(h.digests.front().session_id, "9b1c2d3e-0000-4abc-8def-123456789abc");
}

TEST(HarvestGemini, OtherProjectsAreOutOfScopeUnlessAll) {
  auto h = harvest(R"({"home":")" + kHome + R"(","lookback_hours":0})", "/somewhere/else");
  EXPECT_TRUE(h.digests.empty());
  EXPECT_EQ(h.counts["sessions_skipped_out_of_scope"], 3);
  auto all = harvest(R"({"home":")" + kHome + R"(","lookback_hours":0,"project_scope":"all"})", "all");
  ASSERT_EQ(all.digests.size(), 3u);
  const SessionDigest* other = find(all.digests, "aaaabbbb-1111-4222-8333-444455556666");
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->project, "gemini:" + std::string(64, '0'));  // only the hash is known
}

TEST(HarvestGemini, LookbackWindowDropsOldMessages) {
  // now = 2026-01-10T00:00Z; 90 h back is 2026-01-06T06:00Z: only the .jsonl chat remains.
  auto h = harvest(R"({"home":")" + kHome + R"(","lookback_hours":90})", kProject);
  ASSERT_EQ(h.digests.size(), 1u);
  EXPECT_EQ(h.digests[0].session_id, "9b1c2d3e-0000-4abc-8def-123456789abc");
}

// The cursor: a later night harvests only what was added since.
TEST(HarvestGemini, ContinuesWhereTheCursorStopped) {
  namespace fs = std::filesystem;
  skillpipe::harvest::Options opts;
  opts.scope = skillpipe::harvest::ProjectScope::kAll;
  const auto projects = gemini::index_projects({kProject});
  const std::string dir = kHome + "/tmp/" + kHash + "/chats/";

  skillpipe::harvest::FileJob doc;
  doc.file = *skillpipe::harvest::stat_file(dir + "session-2026-01-05T10-00-3f2a91c0.json");
  doc.state["messages"] = "5";  // an earlier night saw m1..m5
  auto r = gemini::parse_file(doc, opts, projects, 1 << 20);
  ASSERT_EQ(r.digests.size(), 1u) << r.error;
  EXPECT_EQ(r.digests[0].user_prompts, (std::vector<std::string>{"Perfect, thanks. Now run the tests."}));
  EXPECT_EQ(r.state.at("messages"), "7");

  // JSONL: the torn line is not consumed; once completed, the next read starts there.
  const fs::path tmp = fs::temp_directory_path() / ("harvest_gemini_test_" + std::to_string(::getpid()));
  fs::create_directories(tmp);
  const fs::path copy = tmp / "session-copy.jsonl";
  fs::copy_file(dir + "session-2026-01-06T09-00-9b1c2d3e.jsonl", copy, fs::copy_options::overwrite_existing);
  skillpipe::harvest::FileJob lines;
  lines.file = *skillpipe::harvest::stat_file(copy.string());
  auto first = gemini::parse_file(lines, opts, projects, 1 << 20);
  ASSERT_EQ(first.digests.size(), 1u) << first.error;
  EXPECT_LT(first.end_offset, lines.file.size);
  {
    std::ofstream out(copy, std::ios::app);
    out << "ease\"}\n";
  }
  skillpipe::harvest::FileJob next;
  next.file = *skillpipe::harvest::stat_file(copy.string());
  next.offset = first.end_offset;
  next.state = first.state;
  next.resumed = true;
  auto second = gemini::parse_file(next, opts, projects, 1 << 20);
  ASSERT_EQ(second.digests.size(), 1u) << second.error;
  EXPECT_EQ(second.digests[0].session_id, "9b1c2d3e-0000-4abc-8def-123456789abc");
  EXPECT_EQ(second.digests[0].project, kProject);
  EXPECT_EQ(second.digests[0].user_prompts, (std::vector<std::string>{"and tag the release"}));
  fs::remove_all(tmp);
}
