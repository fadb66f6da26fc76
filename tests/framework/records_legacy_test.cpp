// Records written by skillpipe 0.1 (tests/data/records/v0_1: streams and reports of a real
// 0.1 offline night on the bundled examples, and of a 0.1 experiment night with a mock
// model) still load: a resumed or old night on a user's disk is never lost to the typed
// data model. Each line also survives a write in the current form unchanged.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>

#include "skillpipe/errors.hpp"
#include "skillpipe/json.hpp"
#include "test_support.hpp"

using namespace skillpipe;
using skillpipe::testing::read_text;
using skillpipe::testing::test_data_dir;

namespace {

std::string v01(const std::string& rel) { return test_data_dir() + "/records/v0_1/" + rel; }

template <class T>
std::vector<T> read_lines(const std::string& rel) {
  std::vector<T> out;
  const bool opened = for_each_jsonl_line(v01(rel), [&](std::string_view line, std::int64_t no) {
    T r;
    try {
      from_json(line, r);
    } catch (const RecordError& e) {
      ADD_FAILURE() << rel << ":" << no << ": " << e.what();
      return;
    }
    EXPECT_EQ(record_from_json<T>(to_json(r)), r) << rel << ":" << no;  // the current form is stable
    out.push_back(std::move(r));
  });
  EXPECT_TRUE(opened) << rel;
  return out;
}

}  // namespace

TEST(RecordsV01, HarvestedDigestsKeepTheirFacts) {
  const auto claude = read_lines<SessionDigest>("offline/claude.digests.jsonl");
  ASSERT_EQ(claude.size(), 5u);
  for (const auto& d : claude) {
    EXPECT_TRUE(d.outcome.observed) << d.session_id;  // 0.1 wrote tool_errors "0": a fact
    EXPECT_EQ(d.outcome.tool_errors, 0);
    EXPECT_FALSE(d.outcome.aborted);
    EXPECT_FALSE(d.agent_version.empty());
    EXPECT_FALSE(d.tools.empty());
    EXPECT_EQ(d.attrs.count("tool_errors") + d.attrs.count("version"), 0u);
  }
  EXPECT_EQ(claude[0].agent_version, "2.0.28");
  EXPECT_EQ(tool_names(claude[0].tools), (std::vector<std::string>{"Bash", "Read", "Write"}));
  const auto codex = read_lines<SessionDigest>("offline/codex.digests.jsonl");
  ASSERT_EQ(codex.size(), 3u);
  for (const auto& d : codex) {
    EXPECT_TRUE(d.outcome.observed);
    EXPECT_TRUE(d.agent_version == "0.104.0-alpha.1" || d.agent_version == "0.77.0") << d.agent_version;
    EXPECT_TRUE(d.attrs.count("originator")) << "source-specific extras stay in attrs";
  }
}

TEST(RecordsV01, PatternTasksCarryTheirPatternTyped) {
  const auto tasks = read_lines<TaskRecord>("offline/patterns.tasks.jsonl");
  ASSERT_EQ(tasks.size(), 10u);
  int ready = 0;
  for (const auto& t : tasks) {
    ASSERT_TRUE(t.pattern.has_value()) << t.id;
    EXPECT_EQ(t.pattern->id, t.id);
    EXPECT_FALSE(t.pattern->label.empty());
    EXPECT_FALSE(t.pattern->readiness.empty());
    EXPECT_FALSE(t.pattern->evidence.empty()) << t.id;
    EXPECT_EQ(t.pattern->cluster_size, static_cast<int>(t.source_sessions.size()));
    EXPECT_EQ(t.pattern->min_successes, 2);
    EXPECT_DOUBLE_EQ(t.pattern->min_success_ratio, 0.7);
    EXPECT_EQ(t.judge.kind, ReferenceKind::kNone);  // 0.1 wrote "kind": ""
    EXPECT_TRUE(t.attrs.empty()) << t.id << " keeps " << t.attrs.begin()->first;
    ready += t.pattern->ready;
  }
  EXPECT_EQ(ready, 2);
  const auto& first = tasks[0];
  EXPECT_EQ(first.pattern->label, "write-release-notes-v1");
  EXPECT_TRUE(first.pattern->ready);
  EXPECT_EQ(first.pattern->evidence[0].outcome, Outcome::kSuccess);
  read_lines<TaskRecord>("offline/tasks.tasks.jsonl");
  read_lines<TaskRecord>("reflect/tasks.jsonl");
}

TEST(RecordsV01, ReportsProposalsEditsReplaysAndVerdictsLoad) {
  const auto offline = record_from_json<NightReport>(read_text(v01("offline/report.json")));
  EXPECT_EQ(offline.gate_action, GateAction::kOffline);
  ASSERT_EQ(offline.proposals.size(), 2u);
  for (const auto& p : offline.proposals) {
    EXPECT_EQ(p.target, (Target{Agent::kClaude, DocKind::kSkill}));
    EXPECT_EQ(p.status, ProposalStatus::kDraft);
  }
  const auto drafts = read_lines<Proposal>("offline/drafts.proposals.jsonl");
  EXPECT_EQ(drafts, offline.proposals);

  const auto night = record_from_json<NightReport>(read_text(v01("reflect/report.json")));
  EXPECT_EQ(night.gate_action, GateAction::kAccept);
  ASSERT_FALSE(night.deltas.empty());
  for (const auto& d : night.deltas) EXPECT_EQ(d.split, Split::kVal);
  ASSERT_EQ(night.accepted_edits.size(), 2u);
  for (const auto& e : night.accepted_edits) EXPECT_EQ(e.status, EditStatus::kApplied);
  ASSERT_EQ(night.proposals.size(), 1u);
  EXPECT_EQ(night.proposals[0].status, ProposalStatus::kAccepted);
  EXPECT_EQ(read_lines<Edit>("reflect/edits.jsonl"), night.accepted_edits);
  EXPECT_EQ(read_lines<Proposal>("reflect/proposals.jsonl"), night.proposals);
  for (const auto& r : read_lines<ReplayResult>("reflect/replays.jsonl")) EXPECT_FALSE(r.trajectory.has_value());
  EXPECT_EQ(read_lines<Verdict>("reflect/verdicts.jsonl").size(), 3u);
}
