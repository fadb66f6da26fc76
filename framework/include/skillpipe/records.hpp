// records.hpp - the plain value types every stage exchanges.
//
// Records hold std types only, so plugins never depend on a JSON or YAML library. Each has a
// stable JSON form (json.hpp) carrying `schema` = its kSchemaVersion; readers ignore unknown
// fields so newer writers stay readable. `attrs` is the escape hatch for source- or
// plugin-specific extras that need no schema change.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace skillpipe {

using Attrs = std::map<std::string, std::string>;

struct TokenUsage {
  std::int64_t input = 0;
  std::int64_t output = 0;
  std::int64_t cache_read = 0;
  std::int64_t cache_write = 0;
  std::int64_t total() const { return input + output; }
  TokenUsage& operator+=(const TokenUsage& o) {
    input += o.input;
    output += o.output;
    cache_read += o.cache_read;
    cache_write += o.cache_write;
    return *this;
  }
  bool operator==(const TokenUsage&) const = default;
};

// A phrase in a user prompt that tells how the previous answer went.
struct FeedbackSignal {
  int turn = 0;                // index into SessionDigest::user_prompts
  std::string polarity;        // "positive" | "negative"
  std::string phrase;          // the matched phrase, as written
  bool operator==(const FeedbackSignal&) const = default;
};

// One agent session, normalized across sources. Every string is already redacted.
struct SessionDigest {
  static constexpr int kSchemaVersion = 1;
  std::string session_id;
  std::string source;          // "claude" | "codex" | a third-party source name
  std::string project;         // the session's working directory
  std::string git_branch;
  std::string started_at;      // UTC ISO-8601, e.g. 2026-01-02T03:04:05Z
  std::string ended_at;
  std::vector<std::string> user_prompts;
  std::vector<std::string> assistant_finals;
  std::vector<std::string> tools_used;     // in first-use order, unique
  std::vector<std::string> skills_used;
  std::vector<std::string> files_touched;
  std::vector<FeedbackSignal> feedback_signals;
  int n_user_turns = 0;
  int n_assistant_turns = 0;
  TokenUsage usage;
  std::string raw_path;
  Attrs attrs;
  bool operator==(const SessionDigest&) const = default;
};

enum class Outcome { kSuccess, kFail, kMixed, kUnknown };
enum class ReferenceKind { kExact, kRubric, kRule, kNone };
enum class Split { kTrain, kVal, kTest };
enum class Origin { kReal, kDream };

// One rule check in the gbrain-evals `skillopt-v1` format, extended with groups.
// op: contains, not_contains, regex, not_regex, no_refusal, tool_called, section_present,
//     section_contains, max_chars, min_chars, max_words, min_words, starts_with, ends_with,
//     json_valid, json_field_equals, any_of, all_of, none_of.
struct RuleCheck {
  std::string op;
  std::string arg;             // text, pattern, number, section name or JSON pointer
  std::string arg2;            // section_contains text; json_field_equals value (JSON text)
  bool case_insensitive = false;
  std::vector<RuleCheck> children;  // for any_of / all_of / none_of
  bool operator==(const RuleCheck&) const = default;
};

struct JudgeSpec {
  std::string kind;            // "rule" | "exact" | "rubric" | "" (none)
  std::vector<RuleCheck> checks;
  std::string rubric;
  bool operator==(const JudgeSpec&) const = default;
};

// A recurring piece of the user's work, replayable offline.
struct TaskRecord {
  static constexpr int kSchemaVersion = 1;
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
  Attrs attrs;
  bool operator==(const TaskRecord&) const = default;
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

enum class EditTarget { kSkill, kMemory };
enum class EditOp { kAdd, kReplace, kDelete, kAppend, kInsertAfter };
enum class EditKind { kSkillDefect, kExecutionLapse };

struct Edit {
  static constexpr int kSchemaVersion = 1;
  EditTarget target = EditTarget::kSkill;
  EditOp op = EditOp::kAdd;
  std::string content;
  std::string anchor;
  std::string rationale;
  EditKind kind = EditKind::kSkillDefect;
  std::string status;          // applied | duplicate | anchor_not_found | protected | unknown_op | rejected | oversize
  std::string document;        // which document (skill name or memory path) it was meant for
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
  std::string name;            // skill name or "CLAUDE.md"/"AGENTS.md"
  std::string target;          // claude_skill | claude_memory | codex_skill | codex_memory
  std::string live_path;       // absolute path it would replace when adopted
  std::string base_text;       // the live text as read at the start of the night ("" if absent)
  std::string base_sha256;     // "" when the live file did not exist
  std::string proposed_text;
  std::string status;          // accepted | unverified | quarantined | draft
  std::vector<std::string> reasons;  // why (gate action, safety findings, evidence)
  bool operator==(const Proposal&) const = default;
};

struct TaskDelta {
  std::string task_id;
  std::string split;           // val | test
  double before = 0;
  double after = 0;
  bool operator==(const TaskDelta&) const = default;
};

// Everything one night produced. Missing scores are std::nullopt, never a fake zero.
struct NightReport {
  static constexpr int kSchemaVersion = 1;
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
  std::string gate_action;      // accept | reject | reject_unverified | no_edits | offline | budget_stopped
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

// Enum <-> text, shared by JSON, CLI and reports. parse_* return nullopt on unknown text.
const char* to_string(Outcome v);
const char* to_string(ReferenceKind v);
const char* to_string(Split v);
const char* to_string(Origin v);
const char* to_string(EditTarget v);
const char* to_string(EditOp v);
const char* to_string(EditKind v);
std::optional<Outcome> parse_outcome(std::string_view s);
std::optional<ReferenceKind> parse_reference_kind(std::string_view s);
std::optional<Split> parse_split(std::string_view s);
std::optional<Origin> parse_origin(std::string_view s);
std::optional<EditTarget> parse_edit_target(std::string_view s);
std::optional<EditOp> parse_edit_op(std::string_view s);  // accepts "delete" and "insert_after"
std::optional<EditKind> parse_edit_kind(std::string_view s);

}  // namespace skillpipe
