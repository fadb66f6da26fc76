// records.hpp - the plain value types every stage exchanges.
// Over 400 lines on purpose: the contract's whole data model, read (and ABI-hashed) as one.
// Records hold std types only, so the plugin contract never exposes a JSON or YAML library
// (a plugin may use one privately; its records never carry one). Each record has a stable
// JSON form (json.hpp, fields listed once in fields.hpp) carrying `schema` = its
// kSchemaVersion; readers ignore unknown fields so newer writers stay readable, and read the
// 0.1 forms (string values, the attrs that became typed fields) so stores written by 0.1
// still load. Closed sets are enums with one text form each (to_string / parse_*); the text
// forms are the JSON and CLI forms and never change. `attrs` holds only true source- or
// plugin-specific extras that nothing else reads.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace skillpipe {

using Attrs = std::map<std::string, std::string>;

// a + b clamped to the int64 range: counts read from transcripts and provider replies are
// untrusted, and signed overflow is undefined behaviour.
constexpr std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r))
    return b > 0 ? std::numeric_limits<std::int64_t>::max() : std::numeric_limits<std::int64_t>::min();
  return r;
}

// Tokens of one or more model calls. `input` EXCLUDES tokens read from the provider's prompt
// cache: those are `cache_read`, and tokens written to it are `cache_write` (Anthropic's
// usage fields; OpenAI's cached_tokens are subtracted from its input count). Arithmetic
// saturates instead of overflowing.
struct TokenUsage {
  std::int64_t input = 0;
  std::int64_t output = 0;
  std::int64_t cache_read = 0;
  std::int64_t cache_write = 0;
  // input + output: the tokens a budget counts (cache traffic is reported, not budgeted).
  constexpr std::int64_t total() const { return saturating_add(input, output); }
  constexpr TokenUsage& operator+=(const TokenUsage& o) {
    input = saturating_add(input, o.input);
    output = saturating_add(output, o.output);
    cache_read = saturating_add(cache_read, o.cache_read);
    cache_write = saturating_add(cache_write, o.cache_write);
    return *this;
  }
  bool operator==(const TokenUsage&) const = default;
};

// ---- enums -------------------------------------------------------------------------------

enum class Outcome { kSuccess, kFail, kMixed, kUnknown };
enum class ReferenceKind { kExact, kRubric, kRule, kNone };  // kNone: no reference / no judge spec
enum class Split { kTrain, kVal, kTest };
enum class Origin { kReal, kDream };
// kSetDescription replaces the `description:` value of a SKILL.md's YAML frontmatter (what the
// agent reads to decide whether to load the skill); `content` is the new one-line description.
enum class EditOp { kAdd, kReplace, kDelete, kAppend, kInsertAfter, kSetDescription };
enum class EditKind { kSkillDefect, kExecutionLapse };

// The agents whose documents a night can change. Text: "claude", "codex", "gemini", "qwen",
// "opencode", "copilot", "pi", "cursor".
enum class Agent { kClaude, kCodex, kGemini, kQwen, kOpenCode, kCopilot, kPi, kCursor };
// The two kinds of document an agent reads: a skill (SKILL.md, loaded on demand) and its
// memory (CLAUDE.md, AGENTS.md, ..., always in context). Text: "skill", "memory".
enum class DocKind { kSkill, kMemory };
// An edit is aimed at one of the two kinds of document.
using EditTarget = DocKind;

// Where a proposal goes: text "<agent>_<kind>", e.g. "claude_skill", "codex_memory". Which
// targets have a live path, and where, is the kit's targets vocabulary (kit/targets.hpp).
struct Target {
  Agent agent = Agent::kClaude;
  DocKind kind = DocKind::kSkill;
  bool operator==(const Target&) const = default;
  auto operator<=>(const Target&) const = default;
};

// What the night's gate decided (NightReport::gate_action).
enum class GateAction {
  kAccept,            // verified edits kept
  kReject,            // edits measured and refused
  kRejectUnverified,  // edits could not be measured well enough to keep
  kNoEdits,           // nothing was proposed
  kOffline,           // no gate ran (offline drafts, no LLM)
  kBudgetStopped,     // a budget cap stopped the measurement; scores cover what finished
  kFailed,            // the optimizer or a stage failed
  kBudgetRefused,     // the spending plan exceeded a cap before anything was spent
};

// What became of one edit (Edit::status).
enum class EditStatus {
  kProposed,        // not yet applied or judged
  kApplied,         // applied to the candidate document
  kDuplicate,       // the document already says it
  kAnchorNotFound,  // no line contains its anchor
  kProtected,       // it would touch the user's text, the frontmatter, a fence or a marker
  kUnknownOp,       // the reply named an op that does not exist
  kRejected,        // applied, then refused by the gate
  kOversize,        // the edit or its region would exceed the bounds (never truncated)
  kAccepted,        // kept by the gate
  kCarried,         // promising but not yet significant: re-tested next night
  kUnsafe,          // carries a secret or a dangerous command
  kEmpty,           // no content
  kOverBudget,      // beyond the reply's edit budget
};

// Why consolidate did not keep an edit (Edit::rejection): the gate's verdict on the trial that
// carried it, or the consolidator's later step that dropped it. kNone while the edit was not
// rejected or carried. Edit::rejection_detail holds the measured sentence (scores, p, tasks).
enum class RejectionReason {
  kNone,
  kUnscoredTasks,    // some held-out task could not be scored under the candidate: unverifiable
  kNothingScored,    // no held-out task could be scored at all
  kNotBetter,        // the held-out score is not strictly better than the baseline's
  kRegression,       // per-task no-regression: a held-out task got worse
  kBelowMinEffect,   // better, but by less than the configured minimum effect
  kTooFewTasks,      // fewer comparable held-out tasks than gate_min_val: no significance claimed
  kNotSignificant,   // better and harmless, but the significance test did not pass
  kNotNeeded,        // pruned: the accepted batch scores as well without it
  kDoesNotApply,     // tried alone after its batch failed, it no longer applied to the document
  kFinalReplay,      // the final confirmation replay of the kept documents did not hold up
  kTriggerRegression,  // the skill triggered worse: lower recall, or invoked on tasks it is not for
};

// How far a proposal may go (Proposal::status).
enum class ProposalStatus {
  kAccepted,     // the gate verified it; `adopt` takes it by default
  kUnverified,   // not verified by a gate; adopt only when asked for
  kQuarantined,  // the safety review found a problem; never adopted
  kDraft,        // an offline draft for review (no gate ran)
};

// A rule check's op. The trajectory ops (kSkillInvoked...kCheckCommand) need what an agentic
// replay records (Trajectory); they parse and validate now, and a judge that cannot evaluate
// them reports "needs a trajectory". kUnknown keeps an op this version does not know
// (RuleCheck::unknown_op), so task files written for a newer judge still load.
enum class RuleOp {
  kUnknown,
  kContains, kNotContains, kRegex, kNotRegex, kNoRefusal, kToolCalled,
  kSectionPresent, kSectionContains, kMaxChars, kMinChars, kMaxWords, kMinWords,
  kStartsWith, kEndsWith, kJsonValid, kJsonFieldEquals,
  kAnyOf, kAllOf, kNoneOf,
  kSkillInvoked, kSkillNotInvoked, kCommandRan, kCommandSucceeded,
  kFileChanged, kFileUnchanged, kMaxToolCalls, kCheckCommand,
};

// ---- sessions ----------------------------------------------------------------------------

// A phrase in a user prompt that tells how the previous answer went.
struct FeedbackSignal {
  int turn = 0;                // index into SessionDigest::user_prompts
  std::string polarity;        // "positive" | "negative"
  std::string phrase;          // the matched phrase, as written
  bool operator==(const FeedbackSignal&) const = default;
};

struct ToolUse {
  std::string name;
  int calls = 0;
  int errors = 0;              // calls whose result was an error
  bool operator==(const ToolUse&) const = default;
};

// A shell command the agent ran (redacted, capped per session).
struct CommandRun {
  std::string command;
  std::optional<int> exit_code;
  bool failed = false;
  bool operator==(const CommandRun&) const = default;
};

// How the session ended, as far as the transcript tells.
struct SessionOutcome {
  // True when the harvester reads tool results and turn endings, so the counts below are
  // facts (0 = none). False (a harvester that does not look): unknown, never assumed zero.
  bool observed = false;
  int api_errors = 0;              // failed model calls
  int tool_calls = 0;
  int tool_errors = 0;
  bool last_tool_failed = false;
  bool aborted = false;            // the user's last act was to stop the agent mid-turn
  bool turn_failed = false;        // the agent's last turn ended in an error
  bool final_reports_failure = false;  // the final answer says the work failed
  int user_corrections = 0;
  int interrupts = 0;              // times the user stopped the agent
  std::vector<std::string> slash_commands;  // first-use order, unique
  bool operator==(const SessionOutcome&) const = default;
};

// One agent session, normalized across sources. Every string is already redacted.
struct SessionDigest {
  static constexpr int kSchemaVersion = 2;  // 2: typed tools/outcome (1: tools_used + attrs)
  std::string session_id;
  std::string source;          // "claude" | "codex" | a third-party source name
  std::string project;         // the session's working directory
  std::string git_branch;
  std::string started_at;      // UTC ISO-8601, e.g. 2026-01-02T03:04:05Z
  std::string ended_at;
  std::vector<std::string> user_prompts;
  std::vector<std::string> assistant_finals;
  std::vector<ToolUse> tools;              // in first-use order, one entry per name
  std::vector<std::string> skills_used;
  std::vector<std::string> files_touched;
  std::vector<CommandRun> commands;
  std::vector<FeedbackSignal> feedback_signals;
  int n_user_turns = 0;
  int n_assistant_turns = 0;
  TokenUsage usage;
  SessionOutcome outcome;
  std::string model;           // the model that answered last
  std::string agent_version;   // the agent CLI's version
  std::string git_commit;      // the commit the session started at, when the source records it
  int compactions = 0;
  int subagent_calls = 0;
  std::string raw_path;
  Attrs attrs;
  bool operator==(const SessionDigest&) const = default;
};

// The tool names of `tools`, in order.
std::vector<std::string> tool_names(const std::vector<ToolUse>& tools);

// ---- tasks -------------------------------------------------------------------------------

// One rule check in the gbrain-evals `skillopt-v1` format, extended with groups and the
// trajectory ops. arg: text, pattern, number, section name, JSON pointer, skill NAME,
// command REGEX, file GLOB, N or CMD; arg2: section_contains text, json_field_equals value.
struct RuleCheck {
  RuleOp op = RuleOp::kUnknown;
  std::string unknown_op;      // the op's text when op is kUnknown ("" = no op given)
  std::string arg;
  std::string arg2;
  bool case_insensitive = false;
  std::vector<RuleCheck> children;  // for any_of / all_of / none_of
  bool operator==(const RuleCheck&) const = default;
};

struct JudgeSpec {
  ReferenceKind kind = ReferenceKind::kNone;  // kNone: the task has no judge spec
  std::vector<RuleCheck> checks;
  std::string rubric;
  bool operator==(const JudgeSpec&) const = default;
};

struct PatternEvidence {
  std::string session;
  Outcome outcome = Outcome::kUnknown;  // kSuccess or kFail
  std::string at;              // when the session ended (ISO-8601)
  std::string intent;
  std::string result;
  std::string reason;          // the session judge's reason
  bool operator==(const PatternEvidence&) const = default;
};

// What one step of a pattern's usual procedure does. Text: "run", "write".
enum class StepKind { kRun, kWrite };

// A step the successful sessions of a pattern took: a shell command they ran (its variable
// parts abstracted, e.g. "pytest <file>") or a file they wrote (project-relative).
struct ProcedureStep {
  StepKind kind = StepKind::kRun;
  std::string text;
  int support = 0;             // successful sessions that took the step
  bool operator==(const ProcedureStep&) const = default;
};

// A recurring pattern of the user's successful work (the offline path: mine_patterns writes
// it, consolidate_draft drafts a skill from it).
struct PatternInfo {
  std::string id;
  std::string label;
  bool ready = false;          // enough successes at a high enough ratio to draft
  std::string readiness;       // why (not) ready, in words
  int successes = 0;
  int failures = 0;
  int corrected = 0;           // successes that followed a correction
  double success_ratio = 0;    // successes / (successes + failures)
  std::vector<std::string> tool_chain;  // the usual tools of the successes, in usual order
  double tool_chain_support = 0;        // the share of successes that used the chain's rarest tool
  std::vector<std::string> skills;      // skills every success used
  std::vector<std::string> files;
  std::vector<ProcedureStep> procedure;  // the successes' common sequence, in usual order
  std::vector<Agent> agents;             // the agents whose sessions succeeded at it
  std::vector<std::string> projects;     // the projects those sessions ran in (one: a project pattern)
  std::vector<PatternEvidence> evidence;
  int cluster_size = 0;        // member sessions
  std::string first_seen;
  std::string last_seen;
  std::string created_at;
  int new_members = 0;         // members tonight added or refreshed
  int min_successes = 0;       // the readiness thresholds it was judged against
  double min_success_ratio = 0;
  bool operator==(const PatternInfo&) const = default;
};

// Where a task's source session started: an agentic replay checks the repository out there.
struct TaskStart {
  std::string commit;          // the session's commit (Codex records it), "" when unknown
  std::string branch;
  std::string at;              // when the session started (ISO-8601)
  bool operator==(const TaskStart&) const = default;
};

// A recurring piece of the user's work, replayable offline.
struct TaskRecord {
  static constexpr int kSchemaVersion = 2;  // 2: `pattern` (1: pattern attrs)
  std::string id;
  std::string project;
  std::string intent;
  std::string context_excerpt;
  std::string system;          // an output contract the task carries, if any
  std::string attempted_solution;
  Outcome outcome = Outcome::kUnknown;
  ReferenceKind reference_kind = ReferenceKind::kNone;
  std::string reference;
  JudgeSpec judge;
  std::vector<std::string> tags;
  std::vector<std::string> source_sessions;
  Split split = Split::kTrain;
  Origin origin = Origin::kReal;
  std::string derived_from;    // for dream variants: the real task id
  std::string skill_hint;
  std::optional<PatternInfo> pattern;  // set on mine_patterns' records
  TaskStart start;             // where the source session started (agentic replays re-create it)
  Attrs attrs;
  bool operator==(const TaskRecord&) const = default;
};

// ---- replays and verdicts ----------------------------------------------------------------

// A check command the backend ran in the workspace after the agent ended (judge
// `check_command`: exit 0 passes).
struct CheckRecord {
  std::string command;
  std::optional<int> exit_code;  // none: it did not run to the end (timeout, cancel)
  bool timed_out = false;
  std::string output_excerpt;    // the end of stdout + stderr, redacted
  double seconds = 0;
  bool operator==(const CheckRecord&) const = default;
};

struct ToolCallRecord {
  std::string name;
  std::string input;           // redacted, capped
  bool ok = true;
  std::optional<int> exit_code;
  std::string output_excerpt;
  bool operator==(const ToolCallRecord&) const = default;
};

// What a real agent did during one replay (filled by an agentic backend; chat replays leave
// it empty).
struct Trajectory {
  std::string agent;
  std::string agent_version;
  std::string workspace_commit;
  std::vector<ToolCallRecord> tool_calls;
  std::vector<std::string> files_changed;      // relative to the workspace
  std::string diff_artifact;                   // night-relative path of the full diff
  std::vector<std::string> skills_listed;
  std::vector<std::string> skills_invoked;
  std::optional<int> check_exit_code;          // the first failing check's, else the last one's
  std::string check_output_excerpt;
  int turns = 0;
  std::vector<CheckRecord> checks;             // every check command, in task order
  std::string ended;           // completed | max_turns | timeout | api_error | interrupted | failed | no_result
  std::string confinement;     // bubblewrap | codex-sandbox | none
  std::string start;           // how the start commit was chosen (and any fallback), in words
  std::string events_artifact;  // night-relative path of the agent's raw event stream
  std::vector<std::string> notes;  // warnings: untested CLI version, setup failures, cleanup
  bool operator==(const Trajectory&) const = default;
};

struct ReplayResult {
  static constexpr int kSchemaVersion = 1;
  std::string task_id;
  std::string variant;         // e.g. "baseline", "trial:skill", "candidate"
  int sample = 0;
  std::string response;
  std::vector<std::string> tools_called;
  std::int64_t tokens_in = 0;
  std::int64_t tokens_out = 0;
  double latency_ms = 0;
  double cost_usd = 0;
  bool cached = false;
  std::string error;           // non-empty when the call failed; never scored as an answer
  std::optional<Trajectory> trajectory;
  bool operator==(const ReplayResult&) const = default;
};

struct Verdict {
  static constexpr int kSchemaVersion = 1;
  std::string task_id;
  std::string judge_id;
  std::string variant;
  int sample = 0;
  double hard = 0;             // 0/1, or continuous for judges that grade
  double soft = 0;             // 0..1 partial credit
  std::string rationale;
  std::vector<std::string> failed_criteria;  // plain words a reflection prompt can quote
  bool operator==(const Verdict&) const = default;
};

// ---- edits, documents, proposals, the night -----------------------------------------------

struct Edit {
  static constexpr int kSchemaVersion = 3;  // 3: rejection, rejection_detail; 2: status "proposed" (1: "")
  EditTarget target = EditTarget::kSkill;
  EditOp op = EditOp::kAdd;
  std::string content;
  std::string anchor;
  std::string rationale;
  EditKind kind = EditKind::kSkillDefect;
  EditStatus status = EditStatus::kProposed;
  std::string document;        // which document (skill name or memory path) it was meant for
  RejectionReason rejection = RejectionReason::kNone;  // why it was not kept (status rejected or carried)
  std::string rejection_detail;  // the gate's measured reason, e.g. "candidate 0.61 vs baseline 0.64: ..."
  bool operator==(const Edit&) const = default;
};

struct SkillDocument {
  static constexpr int kSchemaVersion = 1;
  std::string name;
  std::string live_path;       // where the agent reads it ("" if not yet adopted anywhere)
  std::string text;
  std::string sha256;          // of `text`
  bool operator==(const SkillDocument&) const = default;
};

// A document the night proposes to change or create; staged, never written live.
struct Proposal {
  static constexpr int kSchemaVersion = 1;
  std::string name;            // skill name or the memory file's name ("CLAUDE.md")
  Target target;
  std::string live_path;       // absolute path it would replace when adopted
  std::string base_text;       // the live text as read at the start of the night ("" if absent)
  std::string base_sha256;     // "" when the live file did not exist
  std::string proposed_text;
  ProposalStatus status = ProposalStatus::kDraft;
  std::vector<std::string> reasons;  // why (gate action, safety findings, evidence)
  bool operator==(const Proposal&) const = default;
};

struct TaskDelta {
  std::string task_id;
  Split split = Split::kVal;   // val | test
  double before = 0;
  double after = 0;
  bool operator==(const TaskDelta&) const = default;
};

// Everything one night produced. Missing scores are std::nullopt, never a fake zero.
struct NightReport {
  static constexpr int kSchemaVersion = 2;  // 2: gate_action null when no gate ran (1: "")
  std::string project;
  std::string night_id;
  std::string started_at;
  std::string finished_at;
  std::map<std::string, std::int64_t> counts;   // sessions, prompts, tasks, redactions, ...
  std::optional<double> baseline_val;
  std::optional<double> candidate_val;
  std::optional<double> baseline_test;
  std::optional<double> candidate_test;
  std::string gate_metric;      // hard | soft | mixed | multi
  std::optional<GateAction> gate_action;  // nullopt: no consolidator decided (yet)
  std::string gate_reason;
  std::vector<TaskDelta> deltas;
  std::vector<Edit> accepted_edits;
  std::vector<Edit> rejected_edits;
  std::vector<Edit> unmatched_edits;
  std::vector<Proposal> proposals;
  TokenUsage tokens;
  double cost_usd = 0;
  std::int64_t llm_calls = 0;
  std::int64_t cached_calls = 0;
  std::vector<std::string> notes;
  std::map<std::string, double> timings_s;      // per phase / stage
  std::map<std::string, double> metrics;        // anything else numeric (ci_low, ci_high, ...)
  Attrs attrs;
  bool operator==(const NightReport&) const = default;
};

// "accept", ... or "none" when no gate decided.
const char* to_string(const std::optional<GateAction>& v);

// ---- enum <-> text -----------------------------------------------------------------------
// to_string gives the one text form; parse_* returns nullopt on any other text. parse_enum
// and enum_choices are the same per enum, for generic code (the JSON reader's errors list
// the choices).

#define SKILLPIPE_ENUM_TEXT(E, PARSE)                                              \
  const char* to_string(E v);                                                      \
  std::optional<E> PARSE(std::string_view text);                                   \
  inline bool parse_enum(std::string_view text, E& out) {                          \
    const std::optional<E> v = PARSE(text);                                        \
    if (v) out = *v;                                                               \
    return v.has_value();                                                          \
  }                                                                                \
  std::string enum_choices(E)

SKILLPIPE_ENUM_TEXT(Outcome, parse_outcome);
SKILLPIPE_ENUM_TEXT(ReferenceKind, parse_reference_kind);
SKILLPIPE_ENUM_TEXT(Split, parse_split);
SKILLPIPE_ENUM_TEXT(Origin, parse_origin);
SKILLPIPE_ENUM_TEXT(EditOp, parse_edit_op);  // add, replace, delete, append, insert_after, set_description
SKILLPIPE_ENUM_TEXT(EditKind, parse_edit_kind);
SKILLPIPE_ENUM_TEXT(Agent, parse_agent);
SKILLPIPE_ENUM_TEXT(DocKind, parse_doc_kind);
SKILLPIPE_ENUM_TEXT(GateAction, parse_gate_action);
SKILLPIPE_ENUM_TEXT(EditStatus, parse_edit_status);
SKILLPIPE_ENUM_TEXT(RejectionReason, parse_rejection_reason);
SKILLPIPE_ENUM_TEXT(ProposalStatus, parse_proposal_status);
SKILLPIPE_ENUM_TEXT(StepKind, parse_step_kind);
SKILLPIPE_ENUM_TEXT(RuleOp, parse_rule_op);  // kUnknown has no text: parse never returns it
#undef SKILLPIPE_ENUM_TEXT

inline std::optional<EditTarget> parse_edit_target(std::string_view text) { return parse_doc_kind(text); }

// "claude_skill", "codex_memory", ...
std::string to_string(Target t);
std::optional<Target> parse_target(std::string_view text);
bool parse_enum(std::string_view text, Target& out);
std::string enum_choices(Target);

}  // namespace skillpipe
