#include <gtest/gtest.h>

#include "skillpipe/errors.hpp"
#include "skillpipe/fields.hpp"
#include "skillpipe/json.hpp"

using namespace skillpipe;

namespace {

SessionDigest sample_digest() {
  SessionDigest d;
  d.session_id = "s1";
  d.source = "claude";
  d.project = "/home/me/app";
  d.git_branch = "main";
  d.started_at = "2026-01-02T03:04:05Z";
  d.ended_at = "2026-01-02T04:00:00Z";
  d.user_prompts = {"fix the \"flaky\" test\nplease", "thanks"};
  d.assistant_finals = {"Done. ✓"};
  d.tools = {{"Bash", 3, 1}, {"Edit", 1, 0}};
  d.commands = {{"make test", 2, true}, {"ls", std::nullopt, false}};
  d.skills_used = {"pdf"};
  d.files_touched = {"src/a.cpp"};
  d.feedback_signals = {{1, "positive", "thanks"}};
  d.n_user_turns = 2;
  d.n_assistant_turns = 3;
  d.usage = {100, 200, 5, 6};
  d.outcome.observed = true;
  d.outcome.tool_calls = 4;
  d.outcome.tool_errors = 1;
  d.outcome.aborted = true;
  d.outcome.slash_commands = {"/clear"};
  d.model = "claude-sonnet-4-5";
  d.agent_version = "2.1.3";
  d.compactions = 1;
  d.subagent_calls = 2;
  d.raw_path = "/x.jsonl";
  d.attrs = {{"entrypoint", "cli"}};
  return d;
}

TaskRecord sample_task() {
  TaskRecord t;
  t.id = "t1";
  t.intent = "summarize";
  t.outcome = Outcome::kMixed;
  t.reference_kind = ReferenceKind::kRule;
  t.judge.kind = ReferenceKind::kRule;
  RuleCheck group{RuleOp::kAnyOf, "", "", "", false,
                  {{RuleOp::kContains, "", "x", "", true, {}}, {RuleOp::kMaxChars, "", "280", "", false, {}}}};
  t.judge.checks = {group};
  t.tags = {"rule:a", "wrap-answer"};
  t.split = Split::kVal;
  t.origin = Origin::kDream;
  t.derived_from = "t0";
  t.attrs = {{"k", "v"}};
  return t;
}

}  // namespace

TEST(RecordsJson, DigestRoundTrip) {
  const auto d = sample_digest();
  const std::string j = to_json(d);
  EXPECT_NE(j.find("\"schema\":2"), std::string::npos);
  EXPECT_EQ(record_from_json<SessionDigest>(j), d);
}

TEST(RecordsJson, TaskRoundTripWithNestedChecks) {
  const auto t = sample_task();
  EXPECT_EQ(record_from_json<TaskRecord>(to_json(t)), t);
}

TEST(RecordsJson, ReplayVerdictEditDocumentProposalRoundTrip) {
  ReplayResult r{"t1", "baseline", 2, "resp", {"Bash"}, 10, 20, 1.5, 0.01, true, "", std::nullopt};
  EXPECT_EQ(record_from_json<ReplayResult>(to_json(r)), r);
  Verdict v{"t1", "judge_rule", "baseline", 1, 1.0, 0.5, "why", {"must contain x"}};
  EXPECT_EQ(record_from_json<Verdict>(to_json(v)), v);
  Edit e{EditTarget::kMemory, EditOp::kInsertAfter, "c", "a", "r", EditKind::kExecutionLapse, EditStatus::kApplied,
         "CLAUDE.md", RejectionReason::kNone, ""};
  EXPECT_EQ(record_from_json<Edit>(to_json(e)), e);
  e.status = EditStatus::kRejected;
  e.rejection = RejectionReason::kRegression;
  e.rejection_detail = "candidate 0.61 vs baseline 0.64, but 1 task(s) got worse (t3)";
  EXPECT_EQ(record_from_json<Edit>(to_json(e)), e);
  EXPECT_NE(to_json(e).find(R"("rejection":"regression")"), std::string::npos) << to_json(e);
  EXPECT_NE(to_json(e).find(R"("schema":3)"), std::string::npos) << to_json(e);
  // An Edit written before schema 3 has no reason: it reads as kNone, not as an error.
  const auto old = record_from_json<Edit>(R"({"schema":2,"content":"c","status":"rejected"})");
  EXPECT_EQ(old.rejection, RejectionReason::kNone);
  EXPECT_EQ(old.status, EditStatus::kRejected);
  SkillDocument s{"n", "/p", "text", "abc"};
  EXPECT_EQ(record_from_json<SkillDocument>(to_json(s)), s);
  Proposal p{"n", {Agent::kCodex, DocKind::kMemory}, "/p", "old", "h", "new", ProposalStatus::kAccepted, {"gate"}};
  EXPECT_EQ(record_from_json<Proposal>(to_json(p)), p);
}

TEST(RecordsJson, NightReportRoundTripKeepsMissingScoresMissing) {
  NightReport n;
  n.project = "/p";
  n.counts = {{"sessions", 3}};
  n.baseline_val = 0.25;
  n.gate_action = GateAction::kAccept;
  n.deltas = {{"t1", Split::kTest, 0, 1}};
  n.accepted_edits = {Edit{}};
  n.proposals = {Proposal{}};
  n.tokens = {1, 2, 3, 4};
  n.timings_s = {{"total", 1.5}};
  n.metrics = {{"ci_low", 0.1}};
  auto back = record_from_json<NightReport>(to_json(n));
  EXPECT_EQ(back, n);
  EXPECT_FALSE(back.candidate_val.has_value());
  EXPECT_EQ(record_from_json<NightReport>(to_json_pretty(n)), n);
}

TEST(RecordsJson, TrajectoryRoundTripsOnReplays) {
  ReplayResult r;
  r.task_id = "t1";
  Trajectory t;
  t.agent = "claude";
  t.agent_version = "2.1.3";
  t.workspace_commit = "abc123";
  t.tool_calls = {{"Bash", "make test", false, 2, "1 failed"}, {"Skill", "release-notes", true, std::nullopt, ""}};
  t.files_changed = {"src/a.cpp"};
  t.diff_artifact = "artifacts/replays/t1.diff";
  t.skills_listed = {"release-notes", "pdf"};
  t.skills_invoked = {"release-notes"};
  t.check_exit_code = 0;
  t.check_output_excerpt = "ok";
  t.turns = 3;
  r.trajectory = t;
  EXPECT_EQ(record_from_json<ReplayResult>(to_json(r)), r);
  r.trajectory.reset();
  EXPECT_NE(to_json(r).find("\"trajectory\":null"), std::string::npos);
  EXPECT_EQ(record_from_json<ReplayResult>(to_json(r)), r);
}

TEST(RecordsJson, PatternInfoRoundTripsOnTasks) {
  TaskRecord t = sample_task();
  PatternInfo p;
  p.id = "pat-0123456789ab";
  p.label = "fix-flaky-test";
  p.ready = true;
  p.readiness = "ready: 3 successes, 1 failure, success ratio 0.75";
  p.successes = 3;
  p.failures = 1;
  p.success_ratio = 0.75;
  p.tool_chain = {"Read", "Edit"};
  p.tool_chain_support = 2.0 / 3.0;
  p.evidence = {{"s1", Outcome::kSuccess, "2026-01-02T03:04:05Z", "fix it", "fixed", "praise"}};
  p.procedure = {{StepKind::kRun, "pytest <file>", 3}, {StepKind::kWrite, "CHANGELOG.md", 2}};
  p.agents = {Agent::kClaude, Agent::kCodex};
  p.projects = {"/home/u/shop"};
  p.cluster_size = 4;
  t.pattern = p;
  const std::string j = to_json(t);
  EXPECT_EQ(j.find("\\\""), std::string::npos) << "no JSON inside a string: " << j;
  EXPECT_EQ(record_from_json<TaskRecord>(j), t);
  EXPECT_NE(j.find(R"("procedure":[{"kind":"run","text":"pytest <file>","support":3})"), std::string::npos) << j;
  EXPECT_NE(j.find(R"("agents":["claude","codex"])"), std::string::npos) << j;
}

// Every enum's text form reads back as itself, and unknown text is an error that names the
// field and lists what it may be.
template <class E>
void expect_enum_round_trip(std::initializer_list<E> all) {
  for (E v : all) {
    E back{};
    ASSERT_TRUE(parse_enum(to_string(v), back)) << to_string(v);
    EXPECT_EQ(back, v);
  }
  E x{};
  EXPECT_FALSE(parse_enum("no-such-value", x));
}

TEST(RecordsJson, EnumTextRoundTrips) {
  expect_enum_round_trip({GateAction::kAccept, GateAction::kReject, GateAction::kRejectUnverified,
                          GateAction::kNoEdits, GateAction::kOffline, GateAction::kBudgetStopped,
                          GateAction::kFailed, GateAction::kBudgetRefused});
  expect_enum_round_trip({EditStatus::kProposed, EditStatus::kApplied, EditStatus::kDuplicate,
                          EditStatus::kAnchorNotFound, EditStatus::kProtected, EditStatus::kUnknownOp,
                          EditStatus::kRejected, EditStatus::kOversize, EditStatus::kAccepted, EditStatus::kCarried,
                          EditStatus::kUnsafe, EditStatus::kEmpty, EditStatus::kOverBudget});
  expect_enum_round_trip({RejectionReason::kNone, RejectionReason::kUnscoredTasks, RejectionReason::kNothingScored,
                          RejectionReason::kNotBetter, RejectionReason::kRegression, RejectionReason::kBelowMinEffect,
                          RejectionReason::kTooFewTasks, RejectionReason::kNotSignificant, RejectionReason::kNotNeeded,
                          RejectionReason::kDoesNotApply, RejectionReason::kFinalReplay,
                          RejectionReason::kTriggerRegression});
  expect_enum_round_trip({ProposalStatus::kAccepted, ProposalStatus::kUnverified, ProposalStatus::kQuarantined,
                          ProposalStatus::kDraft});
  expect_enum_round_trip({Agent::kClaude, Agent::kCodex, Agent::kGemini, Agent::kQwen, Agent::kOpenCode,
                          Agent::kCopilot, Agent::kPi, Agent::kCursor});
  expect_enum_round_trip({StepKind::kRun, StepKind::kWrite});
  expect_enum_round_trip({DocKind::kSkill, DocKind::kMemory});
  expect_enum_round_trip({Split::kTrain, Split::kVal, Split::kTest});
  expect_enum_round_trip({ReferenceKind::kExact, ReferenceKind::kRubric, ReferenceKind::kRule, ReferenceKind::kNone});
  for (int i = static_cast<int>(RuleOp::kContains); i <= static_cast<int>(RuleOp::kCheckCommand); ++i) {
    const auto op = static_cast<RuleOp>(i);
    EXPECT_EQ(parse_rule_op(to_string(op)), op) << to_string(op);
  }
  EXPECT_EQ(parse_rule_op("skill_invoked"), RuleOp::kSkillInvoked);
  EXPECT_EQ(parse_rule_op("max_tool_calls"), RuleOp::kMaxToolCalls);
  EXPECT_EQ(parse_gate_action("budget_refused"), GateAction::kBudgetRefused);
  EXPECT_EQ(std::string(to_string(std::optional<GateAction>())), "none");
}

TEST(RecordsJson, TargetTextIsAgentUnderscoreKind) {
  for (Agent a : {Agent::kClaude, Agent::kCodex, Agent::kGemini, Agent::kQwen, Agent::kOpenCode, Agent::kCopilot,
                  Agent::kPi, Agent::kCursor})
    for (DocKind k : {DocKind::kSkill, DocKind::kMemory}) EXPECT_EQ(parse_target(to_string(Target{a, k})), (Target{a, k}));
  EXPECT_EQ(to_string(Target{Agent::kCodex, DocKind::kMemory}), "codex_memory");
  EXPECT_EQ(to_string(Target{Agent::kOpenCode, DocKind::kSkill}), "opencode_skill");
  EXPECT_EQ(parse_target("claude_skill"), (Target{Agent::kClaude, DocKind::kSkill}));
  for (const char* bad : {"", "claude", "claude_", "_skill", "claude_skills", "claudeskill", "claude-skill", "vim_memory"})
    EXPECT_FALSE(parse_target(bad).has_value()) << bad;
}

TEST(RecordsJson, SchemaOneDigestAttrsBecomeTypedFields) {
  const auto d = record_from_json<SessionDigest>(
      R"({"schema":1,"session_id":"s","tools_used":["Bash","Edit"],"attrs":{"tool_errors":"3","aborted":"true",)"
      R"("interrupts":" 2 ","slash_commands":"/clear,/compact","compactions":"1","subagent_calls":"4",)"
      R"("version":"2.0.28","model":"m1","entrypoint":"cli","plan_prompts":"1"}})");
  EXPECT_EQ(d.tools, (std::vector<ToolUse>{{"Bash", 0, 0}, {"Edit", 0, 0}}));
  EXPECT_TRUE(d.outcome.observed);
  EXPECT_EQ(d.outcome.tool_errors, 3);
  EXPECT_TRUE(d.outcome.aborted);
  EXPECT_EQ(d.outcome.interrupts, 2);
  EXPECT_EQ(d.outcome.slash_commands, (std::vector<std::string>{"/clear", "/compact"}));
  EXPECT_EQ(d.compactions, 1);
  EXPECT_EQ(d.subagent_calls, 4);
  EXPECT_EQ(d.agent_version, "2.0.28");
  EXPECT_EQ(d.model, "m1");
  // True source-specific extras stay.
  EXPECT_EQ(d.attrs, (Attrs{{"entrypoint", "cli"}, {"plan_prompts", "1"}}));
  // "no", a negative or unreadable count is no fact at all.
  const auto e = record_from_json<SessionDigest>(R"({"attrs":{"aborted":"no","tool_errors":"-1","cli_version":"0.58"}})");
  EXPECT_FALSE(e.outcome.aborted);
  EXPECT_FALSE(e.outcome.observed);
  EXPECT_EQ(e.agent_version, "0.58");
}

TEST(RecordsJson, SchemaOnePatternAttrsBecomePatternInfo) {
  const auto t = record_from_json<TaskRecord>(
      R"({"schema":1,"id":"pat-1","tags":["pattern","ready"],"source_sessions":["a","b","c"],"attrs":{)"
      R"("pattern_id":"pat-1","pattern_label":"fix-it","ready":"true","readiness":"ready","successes":"2",)"
      R"("failures":"1","success_ratio":"0.67","corrected":"1","tool_chain":"Read -> Edit","tool_chain_support":"2/3",)"
      R"("skills":"a,b","files":"x.py","evidence":"[{\"session\":\"a\",\"outcome\":\"success\",\"at\":\"t\",)"
      R"(\"intent\":\"i\",\"result\":\"r\",\"reason\":\"why\"}]","first_seen":"f","last_seen":"l","created_at":"c",)"
      R"("new_members":"2","min_task_count":"2","min_success_ratio":"0.70","mined_by":"x"}})");
  ASSERT_TRUE(t.pattern.has_value());
  const PatternInfo& p = *t.pattern;
  EXPECT_EQ(p.id, "pat-1");
  EXPECT_EQ(p.label, "fix-it");
  EXPECT_TRUE(p.ready);
  EXPECT_EQ(p.successes, 2);
  EXPECT_EQ(p.failures, 1);
  EXPECT_EQ(p.corrected, 1);
  EXPECT_DOUBLE_EQ(p.success_ratio, 0.67);
  EXPECT_EQ(p.tool_chain, (std::vector<std::string>{"Read", "Edit"}));
  EXPECT_DOUBLE_EQ(p.tool_chain_support, 2.0 / 3.0);
  EXPECT_EQ(p.skills, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(p.files, (std::vector<std::string>{"x.py"}));
  ASSERT_EQ(p.evidence.size(), 1u);
  EXPECT_EQ(p.evidence[0], (PatternEvidence{"a", Outcome::kSuccess, "t", "i", "r", "why"}));
  EXPECT_EQ(p.cluster_size, 3);
  EXPECT_EQ(p.first_seen, "f");
  EXPECT_EQ(p.last_seen, "l");
  EXPECT_EQ(p.created_at, "c");
  EXPECT_EQ(p.new_members, 2);
  EXPECT_EQ(p.min_successes, 2);
  EXPECT_DOUBLE_EQ(p.min_success_ratio, 0.70);
  EXPECT_EQ(t.attrs, (Attrs{{"mined_by", "x"}}));
  // Evidence that does not read is an error naming the task, never a silent loss.
  EXPECT_THROW(record_from_json<TaskRecord>(R"({"id":"p","attrs":{"pattern_id":"p","evidence":"[{"}})"), RecordError);
}

TEST(TokenUsage, ArithmeticSaturates) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  TokenUsage a{kMax - 1, 10, kMax, 0};
  a += TokenUsage{5, 5, 1, kMin};
  EXPECT_EQ(a, (TokenUsage{kMax, 15, kMax, kMin}));
  a += TokenUsage{0, 0, 0, -1};
  EXPECT_EQ(a.cache_write, kMin);  // saturates downwards too
  EXPECT_EQ((TokenUsage{kMax, kMax, 0, 0}).total(), kMax);
  EXPECT_EQ((TokenUsage{3, 4, 100, 100}).total(), 7);  // cache traffic is not in the total
  static_assert(saturating_add(kMax, 1) == kMax);
  static_assert(saturating_add(kMin, -1) == kMin);
  static_assert(saturating_add(2, 3) == 5);
}

// A generic struct listing its fields the same way gets the same JSON (what state files use).
namespace statefile {
struct Entry {
  std::string name;
  Split split = Split::kTrain;
  std::optional<int> exit_code;
  std::map<std::string, std::vector<double>> scores;
  bool operator==(const Entry&) const = default;
};
SKILLPIPE_FIELDS(Entry) {
  v("name", r.name);
  v("split", r.split);
  v("exit_code", r.exit_code);
  v("scores", r.scores);
}
}  // namespace statefile

TEST(RecordsJson, FieldVisitorServesAnyStruct) {
  std::vector<statefile::Entry> in{{"a", Split::kVal, 3, {{"x", {1.5, 2}}}}, {"b", Split::kTest, std::nullopt, {}}};
  std::vector<statefile::Entry> out;
  read_json(write_json(in), out);
  EXPECT_EQ(out, in);
  statefile::Entry e;
  try {
    read_json(R"({"name":"a","scores":{"x":[1,"two"]}})", e);
    FAIL();
  } catch (const RecordError& err) {
    EXPECT_NE(std::string(err.what()).find("field /scores/x/1: expected a number, got a string"), std::string::npos)
        << err.what();
  }
}
