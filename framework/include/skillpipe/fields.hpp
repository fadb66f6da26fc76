// fields.hpp - each record's fields, listed once, and the field visitor that turns any
// struct listing its fields this way into JSON and back.
// Over 400 lines on purpose: one field list per record of records.hpp, in the same order.
// The JSON writer and reader both walk these lists, so the two directions can never disagree
// about a field's name. A plugin's state file does the same for its own structs:
//
//   struct Cursor { std::string path; std::int64_t offset = 0; };
//   SKILLPIPE_FIELDS(Cursor) { v("path", r.path); v("offset", r.offset); }   // same namespace
//   std::string text = write_json(cursor);  read_json(text, cursor);
//
// Supported values: std::string, bool, integers, double, enums and Target (text through
// to_string / parse_enum, found by argument-dependent lookup), std::optional (null when
// empty), std::vector, std::map<std::string, T>, and structs with a field list. Reading:
// missing or null fields keep their default; unknown fields are ignored; an enum field
// holding "" keeps its default (0.1 wrote "" for "not set"); anything else wrong throws
// RecordError "field /a/0/b: expected ..., got ...".
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "skillpipe/errors.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/records.hpp"

// Declares the field list of struct T; the body calls v("name", r.member) per field, in the
// order they are written. R is T (reading) or const T (writing).
#define SKILLPIPE_FIELDS(T) \
  template <class V, class R> \
  requires std::is_same_v<std::remove_const_t<R>, T> void fields(V& v, R& r)

namespace skillpipe {

// ---- the visitor ---------------------------------------------------------------------------

namespace json_fields {

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_vector : std::false_type {};
template <class T>
struct is_vector<std::vector<T>> : std::true_type {};
template <class T>
struct is_map : std::false_type {};
template <class T>
struct is_map<std::map<std::string, T>> : std::true_type {};

// Enums and other values with one text form (to_string + parse_enum + enum_choices).
template <class T>
concept TextValue = requires(const T& c, T& m, std::string_view s) {
  to_string(c);
  { parse_enum(s, m) } -> std::same_as<bool>;
  enum_choices(c);
};

// Where a value sits in the document, built on the stack as the reader descends and turned
// into a JSON pointer ("/a/0/b") only for an error message.
struct Path {
  const Path* parent = nullptr;
  std::string_view key;  // a member name, or empty for an array element
  std::size_t index = 0;
  std::string str() const {
    std::string up = parent ? parent->str() : std::string();
    if (!parent) return up;
    return up + "/" + (key.empty() ? std::to_string(index) : std::string(key));
  }
};

[[noreturn]] inline void fail(const Path& path, const char* expected, const JsonValue& v) {
  const std::string where = path.str();
  throw RecordError("field " + (where.empty() ? std::string("/") : where) + ": expected " + expected + ", got " +
                    v.type_name());
}

template <class T>
void write(JsonWriter& w, const T& v);

class Writer {
 public:
  explicit Writer(JsonWriter& w) : w_(w) {}
  template <class T>
  void operator()(const char* key, const T& value) {
    w_.key(key);
    json_fields::write(w_, value);
  }

 private:
  JsonWriter& w_;
};

template <class T>
void write(JsonWriter& w, const T& v) {
  if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view>) {
    w.string(v);
  } else if constexpr (std::is_same_v<T, bool>) {
    w.boolean(v);
  } else if constexpr (std::is_integral_v<T> && std::is_unsigned_v<T>) {
    w.unsigned_integer(static_cast<std::uint64_t>(v));
  } else if constexpr (std::is_integral_v<T>) {
    w.integer(static_cast<std::int64_t>(v));
  } else if constexpr (std::is_floating_point_v<T>) {
    w.number(static_cast<double>(v));
  } else if constexpr (TextValue<T>) {
    w.string(std::string_view(to_string(v)));
  } else if constexpr (is_optional<T>::value) {
    if (v) json_fields::write(w, *v);
    else w.null();
  } else if constexpr (is_vector<T>::value) {
    w.begin_array();
    for (const auto& x : v) json_fields::write(w, x);
    w.end_array();
  } else if constexpr (is_map<T>::value) {
    w.begin_object();
    for (const auto& [k, x] : v) {
      w.key(k);
      json_fields::write(w, x);
    }
    w.end_object();
  } else {
    w.begin_object();
    Writer fw(w);
    fields(fw, v);
    w.end_object();
  }
}

template <class T>
void read(const JsonValue& j, T& out, const Path& path);

class Reader {
 public:
  Reader(const JsonValue& obj, const Path& path) : obj_(obj), path_(path) {}
  template <class T>
  void operator()(const char* key, T& field) {
    const std::optional<JsonValue> m = obj_.find(key);
    if (!m || m->is_null()) return;  // missing: keep the default
    json_fields::read(*m, field, Path{&path_, key, 0});
  }

 private:
  const JsonValue& obj_;
  const Path& path_;
};

template <class T>
void read(const JsonValue& j, T& out, const Path& path) {
  if constexpr (std::is_same_v<T, std::string>) {
    if (!j.is_string()) fail(path, "a string", j);
    out.assign(j.as_string());
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!j.is_bool()) fail(path, "true or false", j);
    out = j.as_bool();
  } else if constexpr (std::is_same_v<T, int>) {
    if (!j.is_int()) fail(path, "an integer", j);
    out = j.as_int();
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    if (!j.is_int64()) fail(path, "an integer", j);
    out = j.as_int64();
  } else if constexpr (std::is_same_v<T, std::uint64_t>) {
    if (!j.is_uint64()) fail(path, "a non-negative integer", j);
    out = j.as_uint64();
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!j.is_number()) fail(path, "a number", j);
    out = static_cast<T>(j.as_double());
  } else if constexpr (TextValue<T>) {
    if (!j.is_string()) fail(path, "a string", j);
    const std::string_view s = j.as_string();
    if (s.empty()) return;  // 0.1 wrote "" for "not set"
    if (!parse_enum(s, out))
      throw RecordError("field " + path.str() + ": unknown value \"" + std::string(s) + "\" (expected one of: " +
                        enum_choices(out) + ")");
  } else if constexpr (is_optional<T>::value) {
    typename T::value_type v{};
    if (j.is_string() && j.as_string().empty() && TextValue<typename T::value_type>) {
      out.reset();  // "" was 0.1's "not set"
      return;
    }
    json_fields::read(j, v, path);
    out = std::move(v);
  } else if constexpr (is_vector<T>::value) {
    if (!j.is_array()) fail(path, "an array", j);
    out.clear();
    out.reserve(j.size());
    for (std::size_t i = 0; i < j.size(); ++i) {
      typename T::value_type item{};
      json_fields::read(j.at(i), item, Path{&path, {}, i});
      out.push_back(std::move(item));
    }
  } else if constexpr (is_map<T>::value) {
    if (!j.is_object()) fail(path, "an object", j);
    out.clear();
    for (std::size_t i = 0; i < j.size(); ++i) {
      const std::string_view k = j.member_name(i);
      typename T::mapped_type item{};
      json_fields::read(j.member_value(i), item, Path{&path, k, 0});
      out.emplace(std::string(k), std::move(item));
    }
  } else {
    if (!j.is_object()) fail(path, "an object", j);
    Reader fr(j, path);
    fields(fr, out);
  }
}

// Reads one value of a parsed document (for readers that walk part of a document themselves,
// e.g. to skip a damaged entry and keep the rest). `where` names it in errors ("/files/x").
template <class T>
void read_value(const JsonValue& j, T& out, std::string_view where = {}) {
  const Path root;
  if (where.empty()) {
    json_fields::read(j, out, root);
  } else {
    json_fields::read(j, out, Path{&root, where.substr(where[0] == '/' ? 1 : 0), 0});
  }
}

}  // namespace json_fields

// Any struct with a field list (or any supported value) as JSON text. T::kSchemaVersion, when
// present, is written first as "schema".
template <class T>
std::string write_json(const T& value, bool pretty = false) {
  JsonWriter w(pretty);
  if constexpr (requires { T::kSchemaVersion; }) {
    w.begin_object();
    w.key("schema");
    w.integer(T::kSchemaVersion);
    json_fields::Writer fw(w);
    fields(fw, value);
    w.end_object();
  } else {
    json_fields::write(w, value);
  }
  return w.text();
}

// Reads `text` into `out` (reset to T{} first). Throws RecordError.
template <class T>
void read_json(std::string_view text, T& out) {
  const JsonDocument doc = JsonDocument::parse(text);
  const JsonValue root = doc.root();
  if constexpr (std::is_class_v<T> && !json_fields::is_vector<T>::value && !json_fields::is_map<T>::value &&
                !json_fields::is_optional<T>::value && !std::is_same_v<T, std::string>)
    if (!root.is_object()) throw RecordError("expected a JSON object");
  out = T{};
  json_fields::read(root, out, json_fields::Path{});
}

// The same for a named document (a plugin's state file): a RecordError reads "<what>: field
// /a/0/b: expected ...", so the user knows which file to look at.
template <class T>
void read_json(std::string_view text, T& out, std::string_view what) {
  try {
    read_json(text, out);
  } catch (const RecordError& e) {
    throw RecordError(std::string(what) + ": " + e.what());
  }
}

// ---- the records' fields -------------------------------------------------------------------

SKILLPIPE_FIELDS(TokenUsage) {
  v("input", r.input);
  v("output", r.output);
  v("cache_read", r.cache_read);
  v("cache_write", r.cache_write);
}

SKILLPIPE_FIELDS(FeedbackSignal) {
  v("turn", r.turn);
  v("polarity", r.polarity);
  v("phrase", r.phrase);
}

SKILLPIPE_FIELDS(ToolUse) {
  v("name", r.name);
  v("calls", r.calls);
  v("errors", r.errors);
}

SKILLPIPE_FIELDS(CommandRun) {
  v("command", r.command);
  v("exit_code", r.exit_code);
  v("failed", r.failed);
}

SKILLPIPE_FIELDS(SessionOutcome) {
  v("observed", r.observed);
  v("api_errors", r.api_errors);
  v("tool_calls", r.tool_calls);
  v("tool_errors", r.tool_errors);
  v("last_tool_failed", r.last_tool_failed);
  v("aborted", r.aborted);
  v("turn_failed", r.turn_failed);
  v("final_reports_failure", r.final_reports_failure);
  v("user_corrections", r.user_corrections);
  v("interrupts", r.interrupts);
  v("slash_commands", r.slash_commands);
}

// Schema 1 (0.1) also had "tools_used" (names only) and these facts in attrs: tool_errors,
// aborted, interrupts, slash_commands, compactions, subagent_calls, version/cli_version,
// model. from_json moves them into the typed fields (json.cpp, upgrade_v1).
SKILLPIPE_FIELDS(SessionDigest) {
  v("session_id", r.session_id);
  v("source", r.source);
  v("project", r.project);
  v("git_branch", r.git_branch);
  v("started_at", r.started_at);
  v("ended_at", r.ended_at);
  v("user_prompts", r.user_prompts);
  v("assistant_finals", r.assistant_finals);
  v("tools", r.tools);
  v("skills_used", r.skills_used);
  v("files_touched", r.files_touched);
  v("commands", r.commands);
  v("feedback_signals", r.feedback_signals);
  v("n_user_turns", r.n_user_turns);
  v("n_assistant_turns", r.n_assistant_turns);
  v("usage", r.usage);
  v("outcome", r.outcome);
  v("model", r.model);
  v("agent_version", r.agent_version);
  v("git_commit", r.git_commit);
  v("compactions", r.compactions);
  v("subagent_calls", r.subagent_calls);
  v("raw_path", r.raw_path);
  v("attrs", r.attrs);
}

// "op" is the op's text; an op this version does not know keeps its text (RuleOp::kUnknown).
SKILLPIPE_FIELDS(RuleCheck) {
  if constexpr (std::is_const_v<R>) {
    v("op", r.op == RuleOp::kUnknown ? r.unknown_op : std::string(to_string(r.op)));
  } else {
    std::string op;
    v("op", op);
    const auto known = parse_rule_op(op);
    r.op = known.value_or(RuleOp::kUnknown);
    r.unknown_op = known ? std::string() : op;
  }
  v("arg", r.arg);
  v("arg2", r.arg2);
  v("case_insensitive", r.case_insensitive);
  v("children", r.children);
}

SKILLPIPE_FIELDS(JudgeSpec) {
  v("kind", r.kind);
  v("checks", r.checks);
  v("rubric", r.rubric);
}

SKILLPIPE_FIELDS(PatternEvidence) {
  v("session", r.session);
  v("outcome", r.outcome);
  v("at", r.at);
  v("intent", r.intent);
  v("result", r.result);
  v("reason", r.reason);
}

SKILLPIPE_FIELDS(ProcedureStep) {
  v("kind", r.kind);
  v("text", r.text);
  v("support", r.support);
}

SKILLPIPE_FIELDS(PatternInfo) {
  v("id", r.id);
  v("label", r.label);
  v("ready", r.ready);
  v("readiness", r.readiness);
  v("successes", r.successes);
  v("failures", r.failures);
  v("corrected", r.corrected);
  v("success_ratio", r.success_ratio);
  v("tool_chain", r.tool_chain);
  v("tool_chain_support", r.tool_chain_support);
  v("skills", r.skills);
  v("files", r.files);
  v("procedure", r.procedure);
  v("agents", r.agents);
  v("projects", r.projects);
  v("evidence", r.evidence);
  v("cluster_size", r.cluster_size);
  v("first_seen", r.first_seen);
  v("last_seen", r.last_seen);
  v("created_at", r.created_at);
  v("new_members", r.new_members);
  v("min_successes", r.min_successes);
  v("min_success_ratio", r.min_success_ratio);
}

// Schema 1 (0.1) carried the pattern in attrs (pattern_id, ready, successes, evidence as a
// JSON array inside a string, ...); from_json moves them into `pattern` (json.cpp, upgrade_v1).
SKILLPIPE_FIELDS(TaskStart) {
  v("commit", r.commit);
  v("branch", r.branch);
  v("at", r.at);
}

SKILLPIPE_FIELDS(TaskRecord) {
  v("id", r.id);
  v("project", r.project);
  v("intent", r.intent);
  v("context_excerpt", r.context_excerpt);
  v("system", r.system);
  v("attempted_solution", r.attempted_solution);
  v("outcome", r.outcome);
  v("reference_kind", r.reference_kind);
  v("reference", r.reference);
  v("judge", r.judge);
  v("tags", r.tags);
  v("source_sessions", r.source_sessions);
  v("split", r.split);
  v("origin", r.origin);
  v("derived_from", r.derived_from);
  v("skill_hint", r.skill_hint);
  v("pattern", r.pattern);
  v("start", r.start);
  v("attrs", r.attrs);
}

SKILLPIPE_FIELDS(CheckRecord) {
  v("command", r.command);
  v("exit_code", r.exit_code);
  v("timed_out", r.timed_out);
  v("output_excerpt", r.output_excerpt);
  v("seconds", r.seconds);
}

SKILLPIPE_FIELDS(ToolCallRecord) {
  v("name", r.name);
  v("input", r.input);
  v("ok", r.ok);
  v("exit_code", r.exit_code);
  v("output_excerpt", r.output_excerpt);
}

SKILLPIPE_FIELDS(Trajectory) {
  v("agent", r.agent);
  v("agent_version", r.agent_version);
  v("workspace_commit", r.workspace_commit);
  v("tool_calls", r.tool_calls);
  v("files_changed", r.files_changed);
  v("diff_artifact", r.diff_artifact);
  v("skills_listed", r.skills_listed);
  v("skills_invoked", r.skills_invoked);
  v("check_exit_code", r.check_exit_code);
  v("check_output_excerpt", r.check_output_excerpt);
  v("turns", r.turns);
  v("checks", r.checks);
  v("ended", r.ended);
  v("confinement", r.confinement);
  v("start", r.start);
  v("events_artifact", r.events_artifact);
  v("notes", r.notes);
}

SKILLPIPE_FIELDS(ReplayResult) {
  v("task_id", r.task_id);
  v("variant", r.variant);
  v("sample", r.sample);
  v("response", r.response);
  v("tools_called", r.tools_called);
  v("tokens_in", r.tokens_in);
  v("tokens_out", r.tokens_out);
  v("latency_ms", r.latency_ms);
  v("cost_usd", r.cost_usd);
  v("cached", r.cached);
  v("error", r.error);
  v("trajectory", r.trajectory);
}

SKILLPIPE_FIELDS(Verdict) {
  v("task_id", r.task_id);
  v("judge_id", r.judge_id);
  v("variant", r.variant);
  v("sample", r.sample);
  v("hard", r.hard);
  v("soft", r.soft);
  v("rationale", r.rationale);
  v("failed_criteria", r.failed_criteria);
}

SKILLPIPE_FIELDS(Edit) {
  v("target", r.target);
  v("op", r.op);
  v("content", r.content);
  v("anchor", r.anchor);
  v("rationale", r.rationale);
  v("kind", r.kind);
  v("status", r.status);
  v("document", r.document);
  v("rejection", r.rejection);
  v("rejection_detail", r.rejection_detail);
}

SKILLPIPE_FIELDS(SkillDocument) {
  v("name", r.name);
  v("live_path", r.live_path);
  v("text", r.text);
  v("sha256", r.sha256);
}

SKILLPIPE_FIELDS(Proposal) {
  v("name", r.name);
  v("target", r.target);
  v("live_path", r.live_path);
  v("base_text", r.base_text);
  v("base_sha256", r.base_sha256);
  v("proposed_text", r.proposed_text);
  v("status", r.status);
  v("reasons", r.reasons);
}

SKILLPIPE_FIELDS(TaskDelta) {
  v("task_id", r.task_id);
  v("split", r.split);
  v("before", r.before);
  v("after", r.after);
}

SKILLPIPE_FIELDS(NightReport) {
  v("project", r.project);
  v("night_id", r.night_id);
  v("started_at", r.started_at);
  v("finished_at", r.finished_at);
  v("counts", r.counts);
  v("baseline_val", r.baseline_val);
  v("candidate_val", r.candidate_val);
  v("baseline_test", r.baseline_test);
  v("candidate_test", r.candidate_test);
  v("gate_metric", r.gate_metric);
  v("gate_action", r.gate_action);
  v("gate_reason", r.gate_reason);
  v("deltas", r.deltas);
  v("accepted_edits", r.accepted_edits);
  v("rejected_edits", r.rejected_edits);
  v("unmatched_edits", r.unmatched_edits);
  v("proposals", r.proposals);
  v("tokens", r.tokens);
  v("cost_usd", r.cost_usd);
  v("llm_calls", r.llm_calls);
  v("cached_calls", r.cached_calls);
  v("notes", r.notes);
  v("timings_s", r.timings_s);
  v("metrics", r.metrics);
  v("attrs", r.attrs);
}

}  // namespace skillpipe
