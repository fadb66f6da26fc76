// json_fields.hpp - each record's fields, listed once. The JSON writer and reader both walk
// these lists, so the two directions can never disagree about a field's name.
#pragma once

#include <type_traits>

#include "skillpipe/records.hpp"

namespace skillpipe::detail {

#define SKILLPIPE_FIELDS(T) \
  template <class V, class R> \
  requires std::is_same_v<std::remove_const_t<R>, T> void fields(V& v, R& r)

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

SKILLPIPE_FIELDS(SessionDigest) {
  v("session_id", r.session_id);
  v("source", r.source);
  v("project", r.project);
  v("git_branch", r.git_branch);
  v("started_at", r.started_at);
  v("ended_at", r.ended_at);
  v("user_prompts", r.user_prompts);
  v("assistant_finals", r.assistant_finals);
  v("tools_used", r.tools_used);
  v("skills_used", r.skills_used);
  v("files_touched", r.files_touched);
  v("feedback_signals", r.feedback_signals);
  v("n_user_turns", r.n_user_turns);
  v("n_assistant_turns", r.n_assistant_turns);
  v("usage", r.usage);
  v("raw_path", r.raw_path);
  v("attrs", r.attrs);
}

SKILLPIPE_FIELDS(RuleCheck) {
  v("op", r.op);
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
  v("attrs", r.attrs);
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

#undef SKILLPIPE_FIELDS


}  // namespace skillpipe::detail
