// `skillpipe export-dataset`: nights written by the real store_files plugin, exported
// through the CLI; the output is valid chat JSONL, redacted, with a manifest of sources.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <filesystem>
#include <memory>

#include "offline_harness.hpp"
#include "skillpipe/config.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/store.hpp"

namespace skillpipe::testing {
namespace {

namespace fs = std::filesystem;

class OfflineExport : public ::testing::Test {
 protected:
  TempDir tmp;
  std::string project = tmp.file("shop");
  std::string root = tmp.file("store");

  void SetUp() override { fs::create_directories(project); }

  // One published night holding `digests` and `tasks` in its streams.
  void write_night(const std::vector<SessionDigest>& digests, const std::vector<TaskRecord>& tasks) {
    auto registry = make_registry();
    host::Services services;
    RunInfo run;
    run.project = project;
    auto store = registry->create_as<Store>("store_files");
    services.store = store.get();
    host::BasicContext ctx("store", run, &services);
    store->configure(Config::parse("{\"root\": " + json_quote(root) + "}"), ctx);
    store->open_night(project, ctx);
    std::vector<std::string> lines;
    for (const auto& d : digests) lines.push_back(to_json(d));
    store->append("digests", lines);
    lines.clear();
    for (const auto& t : tasks) lines.push_back(to_json(t));
    if (!lines.empty()) store->append("tasks", lines);
    NightReport rep;
    rep.project = project;
    rep.gate_action = GateAction::kOffline;
    store->stage({}, rep);
    store->close_night(true);
    store.reset();
  }

  CommandResult exp(std::vector<std::string> extra) {
    std::vector<std::string> args = {"export-dataset", "--store", root, "--project", project};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_skillpipe(args, {"SKILLPIPE_NOW=2026-11-20T00:00:00Z"}, tmp.path());
  }

  static TaskRecord task(const std::string& id, Outcome outcome, std::vector<std::string> tags,
                         std::vector<std::string> sessions) {
    TaskRecord t;
    t.id = id;
    t.intent = "write the release notes for 2.5";
    t.attempted_solution = "Release 2.5: faster checkout, fixed the flaky payment test.";
    t.outcome = outcome;
    t.tags = std::move(tags);
    t.source_sessions = std::move(sessions);
    return t;
  }
};

TEST_F(OfflineExport, WritesValidRedactedChatJsonlWithAManifest) {
  const auto history = load_digests(offline_data("history.jsonl"));
  write_night(history, {task("t-notes", Outcome::kSuccess, {}, {"n1"}), task("t-failed", Outcome::kFail, {}, {"n2"}),
                        task("t-dup", Outcome::kSuccess, {}, {"a1-7f3c"}),
                        task("pat-1", Outcome::kSuccess, {"pattern", "ready"}, {"a1-7f3c", "a2-c401"})});
  const auto r = exp({"--format", "chat-jsonl", "--output", "out.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("exported 7 examples from 1 nights"), std::string::npos) << r.out;

  const std::string data = read_text(tmp.file("out.jsonl"));
  EXPECT_EQ(data.find("sk-ant-api03"), std::string::npos);
  EXPECT_NE(data.find("[REDACTED:anthropic_key]"), std::string::npos);
  int n = 0;
  for (const auto& line : split(data, '\n')) {
    if (line.empty()) continue;
    ++n;
    rapidjson::Document d;
    d.Parse(line.c_str(), line.size());
    ASSERT_FALSE(d.HasParseError()) << line;
    ASSERT_TRUE(d.IsObject() && d.HasMember("messages") && d["messages"].IsArray()) << line;
    const auto& m = d["messages"];
    ASSERT_EQ(m.Size(), 2u) << line;
    EXPECT_STREQ(m[0]["role"].GetString(), "user");
    EXPECT_STREQ(m[1]["role"].GetString(), "assistant");
    EXPECT_GT(m[0]["content"].GetStringLength(), 0u);
    EXPECT_GT(m[1]["content"].GetStringLength(), 0u);
    EXPECT_EQ(d.MemberCount(), 1u) << "only `messages`, as fine-tuning APIs expect";
  }
  EXPECT_EQ(n, 7);
  EXPECT_NE(data.find("{\"role\":\"user\",\"content\":\"fix the flaky integration test\"}"), std::string::npos)
      << "the corrected session's request, with its final answer";

  rapidjson::Document man;
  const std::string mtext = read_text(tmp.file("out.manifest.json"));
  man.Parse(mtext.c_str(), mtext.size());
  ASSERT_FALSE(man.HasParseError()) << mtext;
  EXPECT_STREQ(man["format"].GetString(), "chat-jsonl");
  EXPECT_EQ(man["examples"].GetInt(), 7);
  EXPECT_EQ(man["by_kind"]["success"].GetInt(), 5);
  EXPECT_EQ(man["by_kind"]["corrected"].GetInt(), 1);
  EXPECT_EQ(man["by_kind"]["task"].GetInt(), 1);
  EXPECT_GE(man["redactions"].GetInt(), 1);
  EXPECT_EQ(man["skipped"]["failed"].GetInt(), 2);
  EXPECT_EQ(man["skipped"]["unknown"].GetInt(), 2);
  EXPECT_EQ(man["skipped"]["task_duplicates_session"].GetInt(), 1);
  ASSERT_EQ(man["sources"].Size(), 7u);
  EXPECT_EQ(man["sources"][0]["line"].GetInt(), 1);
  EXPECT_EQ(man["nights"].Size(), 1u);
  bool saw_a4 = false;
  for (const auto& s : man["sources"].GetArray())
    if (s.HasMember("session_id") && std::string(s["session_id"].GetString()) == "a4-b7b7") {
      saw_a4 = true;
      EXPECT_STREQ(s["kind"].GetString(), "corrected");
    }
  EXPECT_TRUE(saw_a4);
}

// Issue 20: an answer (or request) that is nothing but redaction markers teaches a model only
// the marker; such examples are skipped and counted, the rest of the night still exports.
TEST_F(OfflineExport, ExamplesThatAreOnlyRedactionMarkersAreSkipped) {
  auto history = load_digests(offline_data("history.jsonl"));
  int blanked = 0;
  for (auto& d : history)
    if (d.session_id == "a1-7f3c" || d.session_id == "a2-c401") {
      for (auto& f : d.assistant_finals) f = "[REDACTED_MESSAGE len=32 \u2026]\n[REDACTED:github_token]";
      ++blanked;
    }
  ASSERT_EQ(blanked, 2);
  write_night(history, {});
  const auto r = exp({"--format", "chat-jsonl", "--output", "out.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(read_text(tmp.file("out.jsonl")).find("[REDACTED_MESSAGE"), std::string::npos);
  rapidjson::Document man;
  const std::string mtext = read_text(tmp.file("out.manifest.json"));
  man.Parse(mtext.c_str(), mtext.size());
  ASSERT_FALSE(man.HasParseError()) << mtext;
  ASSERT_TRUE(man["skipped"].HasMember("only_redactions")) << mtext;
  EXPECT_EQ(man["skipped"]["only_redactions"].GetInt(), 2) << mtext;
  EXPECT_EQ(man["examples"].GetInt(), 4) << mtext;  // the 6 successful sessions of the first test, less 2
}

TEST_F(OfflineExport, IncludeFilterStdoutAndLaterNightsWin) {
  auto history = load_digests(offline_data("history.jsonl"));
  write_night(history, {});
  // A later night re-harvests b1 with an extra turn that turns it into a failure.
  SessionDigest b1;
  for (const auto& d : history)
    if (d.session_id == "b1-19aa") b1 = d;
  b1.user_prompts.push_back("that's wrong, you dropped a feature");
  b1.feedback_signals.push_back({2, "negative", "wrong"});
  write_night({b1}, {});

  const auto r = exp({"--format", "chat-jsonl", "--include", "corrected", "--output", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  EXPECT_NE(r.out.find("queue to drain"), std::string::npos);

  const auto all = exp({"--format", "chat-jsonl", "--output", "all.jsonl", "--json"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  rapidjson::Document man;
  man.Parse(all.out.c_str(), all.out.size());
  ASSERT_FALSE(man.HasParseError()) << all.out;
  EXPECT_EQ(man["examples"].GetInt(), 5) << "b1 is a failure now";
  EXPECT_EQ(man["nights"].Size(), 2u);
}

TEST_F(OfflineExport, ErrorsAreClear) {
  auto r = exp({"--format", "csv"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown --format 'csv' (expected chat-jsonl)"), std::string::npos) << r.err;
  r = exp({});
  EXPECT_EQ(r.exit_code, 2) << "--format is required";
  r = exp({"--format", "chat-jsonl", "--include", "everything"});
  EXPECT_EQ(r.exit_code, 2);
  r = exp({"--format", "chat-jsonl", "--output", "-", "--json"});
  EXPECT_EQ(r.exit_code, 2);
  r = exp({"--format", "chat-jsonl", "--output", "x.jsonl"});
  EXPECT_EQ(r.exit_code, 2);  // no nights: an argument error (exit 1 is a failed stage)
  EXPECT_NE(r.err.find("no nights recorded"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(tmp.file("x.jsonl")));
}

}  // namespace
}  // namespace skillpipe::testing
