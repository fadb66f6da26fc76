// Enum <-> text for records. The text forms are the JSON and CLI forms; they never change.
#include <string_view>

#include "skillpipe/records.hpp"

namespace skillpipe {
namespace {

template <class E, std::size_t N>
std::optional<E> lookup(std::string_view s, const std::pair<E, const char*> (&table)[N]) {
  for (const auto& [v, name] : table)
    if (s == name) return v;
  return std::nullopt;
}

template <class E, std::size_t N>
const char* name_of(E v, const std::pair<E, const char*> (&table)[N]) {
  for (const auto& [e, name] : table)
    if (e == v) return name;
  return "unknown";
}

template <class E, std::size_t N>
std::string choices(const std::pair<E, const char*> (&table)[N]) {
  std::string out;
  for (const auto& [e, name] : table) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

constexpr std::pair<Outcome, const char*> kOutcomes[] = {
    {Outcome::kSuccess, "success"}, {Outcome::kFail, "fail"},
    {Outcome::kMixed, "mixed"}, {Outcome::kUnknown, "unknown"}};
constexpr std::pair<ReferenceKind, const char*> kRefKinds[] = {
    {ReferenceKind::kExact, "exact"}, {ReferenceKind::kRubric, "rubric"},
    {ReferenceKind::kRule, "rule"}, {ReferenceKind::kNone, "none"}};
constexpr std::pair<Split, const char*> kSplits[] = {
    {Split::kTrain, "train"}, {Split::kVal, "val"}, {Split::kTest, "test"}};
constexpr std::pair<Origin, const char*> kOrigins[] = {{Origin::kReal, "real"}, {Origin::kDream, "dream"}};
constexpr std::pair<EditOp, const char*> kOps[] = {
    {EditOp::kAdd, "add"}, {EditOp::kReplace, "replace"}, {EditOp::kDelete, "delete"},
    {EditOp::kAppend, "append"}, {EditOp::kInsertAfter, "insert_after"},
    {EditOp::kSetDescription, "set_description"}};
constexpr std::pair<EditKind, const char*> kKinds[] = {
    {EditKind::kSkillDefect, "skill_defect"}, {EditKind::kExecutionLapse, "execution_lapse"}};
constexpr std::pair<Agent, const char*> kAgents[] = {
    {Agent::kClaude, "claude"}, {Agent::kCodex, "codex"},       {Agent::kGemini, "gemini"},
    {Agent::kQwen, "qwen"},     {Agent::kOpenCode, "opencode"}, {Agent::kCopilot, "copilot"},
    {Agent::kPi, "pi"},         {Agent::kCursor, "cursor"}};
constexpr std::pair<StepKind, const char*> kStepKinds[] = {{StepKind::kRun, "run"}, {StepKind::kWrite, "write"}};
constexpr std::pair<DocKind, const char*> kDocKinds[] = {{DocKind::kSkill, "skill"}, {DocKind::kMemory, "memory"}};
constexpr std::pair<GateAction, const char*> kGateActions[] = {
    {GateAction::kAccept, "accept"},
    {GateAction::kReject, "reject"},
    {GateAction::kRejectUnverified, "reject_unverified"},
    {GateAction::kNoEdits, "no_edits"},
    {GateAction::kOffline, "offline"},
    {GateAction::kBudgetStopped, "budget_stopped"},
    {GateAction::kFailed, "failed"},
    {GateAction::kBudgetRefused, "budget_refused"}};
constexpr std::pair<RejectionReason, const char*> kRejectionReasons[] = {
    {RejectionReason::kNone, "none"},
    {RejectionReason::kUnscoredTasks, "unscored_tasks"},
    {RejectionReason::kNothingScored, "nothing_scored"},
    {RejectionReason::kNotBetter, "not_better"},
    {RejectionReason::kRegression, "regression"},
    {RejectionReason::kBelowMinEffect, "below_min_effect"},
    {RejectionReason::kTooFewTasks, "too_few_tasks"},
    {RejectionReason::kNotSignificant, "not_significant"},
    {RejectionReason::kNotNeeded, "not_needed"},
    {RejectionReason::kDoesNotApply, "does_not_apply"},
    {RejectionReason::kFinalReplay, "final_replay"},
    {RejectionReason::kTriggerRegression, "trigger_regression"}};
constexpr std::pair<EditStatus, const char*> kEditStatuses[] = {
    {EditStatus::kProposed, "proposed"},   {EditStatus::kApplied, "applied"},
    {EditStatus::kDuplicate, "duplicate"}, {EditStatus::kAnchorNotFound, "anchor_not_found"},
    {EditStatus::kProtected, "protected"}, {EditStatus::kUnknownOp, "unknown_op"},
    {EditStatus::kRejected, "rejected"},   {EditStatus::kOversize, "oversize"},
    {EditStatus::kAccepted, "accepted"},   {EditStatus::kCarried, "carried"},
    {EditStatus::kUnsafe, "unsafe"},       {EditStatus::kEmpty, "empty"},
    {EditStatus::kOverBudget, "over_budget"}};
constexpr std::pair<ProposalStatus, const char*> kProposalStatuses[] = {
    {ProposalStatus::kAccepted, "accepted"},
    {ProposalStatus::kUnverified, "unverified"},
    {ProposalStatus::kQuarantined, "quarantined"},
    {ProposalStatus::kDraft, "draft"}};
constexpr std::pair<RuleOp, const char*> kRuleOps[] = {
    {RuleOp::kContains, "contains"},
    {RuleOp::kNotContains, "not_contains"},
    {RuleOp::kRegex, "regex"},
    {RuleOp::kNotRegex, "not_regex"},
    {RuleOp::kNoRefusal, "no_refusal"},
    {RuleOp::kToolCalled, "tool_called"},
    {RuleOp::kSectionPresent, "section_present"},
    {RuleOp::kSectionContains, "section_contains"},
    {RuleOp::kMaxChars, "max_chars"},
    {RuleOp::kMinChars, "min_chars"},
    {RuleOp::kMaxWords, "max_words"},
    {RuleOp::kMinWords, "min_words"},
    {RuleOp::kStartsWith, "starts_with"},
    {RuleOp::kEndsWith, "ends_with"},
    {RuleOp::kJsonValid, "json_valid"},
    {RuleOp::kJsonFieldEquals, "json_field_equals"},
    {RuleOp::kAnyOf, "any_of"},
    {RuleOp::kAllOf, "all_of"},
    {RuleOp::kNoneOf, "none_of"},
    {RuleOp::kSkillInvoked, "skill_invoked"},
    {RuleOp::kSkillNotInvoked, "skill_not_invoked"},
    {RuleOp::kCommandRan, "command_ran"},
    {RuleOp::kCommandSucceeded, "command_succeeded"},
    {RuleOp::kFileChanged, "file_changed"},
    {RuleOp::kFileUnchanged, "file_unchanged"},
    {RuleOp::kMaxToolCalls, "max_tool_calls"},
    {RuleOp::kCheckCommand, "check_command"}};

}  // namespace

#define SKILLPIPE_ENUM_TEXT_IMPL(E, PARSE, TABLE)                                 \
  const char* to_string(E v) { return name_of(v, TABLE); }                        \
  std::optional<E> PARSE(std::string_view text) { return lookup(text, TABLE); }   \
  std::string enum_choices(E) { return choices(TABLE); }

SKILLPIPE_ENUM_TEXT_IMPL(Outcome, parse_outcome, kOutcomes)
SKILLPIPE_ENUM_TEXT_IMPL(ReferenceKind, parse_reference_kind, kRefKinds)
SKILLPIPE_ENUM_TEXT_IMPL(Split, parse_split, kSplits)
SKILLPIPE_ENUM_TEXT_IMPL(Origin, parse_origin, kOrigins)
SKILLPIPE_ENUM_TEXT_IMPL(EditOp, parse_edit_op, kOps)
SKILLPIPE_ENUM_TEXT_IMPL(EditKind, parse_edit_kind, kKinds)
SKILLPIPE_ENUM_TEXT_IMPL(Agent, parse_agent, kAgents)
SKILLPIPE_ENUM_TEXT_IMPL(DocKind, parse_doc_kind, kDocKinds)
SKILLPIPE_ENUM_TEXT_IMPL(GateAction, parse_gate_action, kGateActions)
SKILLPIPE_ENUM_TEXT_IMPL(EditStatus, parse_edit_status, kEditStatuses)
SKILLPIPE_ENUM_TEXT_IMPL(RejectionReason, parse_rejection_reason, kRejectionReasons)
SKILLPIPE_ENUM_TEXT_IMPL(ProposalStatus, parse_proposal_status, kProposalStatuses)
SKILLPIPE_ENUM_TEXT_IMPL(StepKind, parse_step_kind, kStepKinds)
SKILLPIPE_ENUM_TEXT_IMPL(RuleOp, parse_rule_op, kRuleOps)
#undef SKILLPIPE_ENUM_TEXT_IMPL

const char* to_string(const std::optional<GateAction>& v) { return v ? to_string(*v) : "none"; }

std::string to_string(Target t) { return std::string(to_string(t.agent)) + "_" + to_string(t.kind); }

std::optional<Target> parse_target(std::string_view text) {
  const auto us = text.rfind('_');
  if (us == std::string_view::npos) return std::nullopt;
  const auto agent = parse_agent(text.substr(0, us));
  const auto kind = parse_doc_kind(text.substr(us + 1));
  if (!agent || !kind) return std::nullopt;
  return Target{*agent, *kind};
}

bool parse_enum(std::string_view text, Target& out) {
  const auto t = parse_target(text);
  if (t) out = *t;
  return t.has_value();
}

std::string enum_choices(Target) {
  std::string out;
  for (const auto& [a, an] : kAgents)
    for (const auto& [k, kn] : kDocKinds) out += (out.empty() ? "" : ", ") + std::string(an) + "_" + kn;
  return out;
}

std::vector<std::string> tool_names(const std::vector<ToolUse>& tools) {
  std::vector<std::string> out;
  out.reserve(tools.size());
  for (const auto& t : tools) out.push_back(t.name);
  return out;
}

}  // namespace skillpipe
