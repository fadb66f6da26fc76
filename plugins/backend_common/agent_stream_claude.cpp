// agent_stream_claude.cpp - Claude Code's `stream-json` events (agent_stream.hpp).
#include <string>

#include "agent_stream.hpp"
#include "agent_stream_json.hpp"
#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::backend_common {
namespace {
using namespace stream_json;
}  // namespace

// ---- Claude Code ---------------------------------------------------------------------------

namespace {

void claude_init(AgentRun& run, const Value& d) {
  run.session_id = str(d, "session_id");
  run.agent_version = str(d, "claude_code_version");
  if (run.model.empty()) run.model = str(d, "model");
  if (const Value* s = member(d, "skills"); s && s->IsArray())
    for (const auto& v : s->GetArray())
      if (v.IsString()) add_unique(run.skills_listed, v.GetString());
}

void claude_tool_use(AgentRun& run, const Value& block) {
  AgentCall call;
  call.id = str(block, "id");
  call.name = str(block, "name");
  const Value* input = member(block, "input");
  if (input) {
    call.input = json_text(*input);
    if (call.name == "Bash") call.command = str(*input, "command");
    if (call.name == "Skill") add_unique(run.skills_invoked, str(*input, "skill"));
    call.paths = edit_paths(*input);
  }
  run.calls.push_back(std::move(call));
}

void claude_assistant(AgentRun& run, const Value& d) {
  const Value* msg = member(d, "message");
  if (!msg) return;
  const std::string model = str(*msg, "model");
  const Value* content = member(*msg, "content");
  if (!content || !content->IsArray()) return;
  std::string text;
  for (const auto& b : content->GetArray()) {
    const std::string type = str(b, "type");
    if (type == "text") text += str(b, "text");
    if (type == "tool_use") claude_tool_use(run, b);
  }
  // A synthetic message carries an API error's text, not the model's answer.
  if (!text.empty() && model != "<synthetic>") run.final_text = text;
  if (!model.empty() && model != "<synthetic>") run.model = model;
}

void claude_user(AgentRun& run, const Value& d, std::size_t cap) {
  const Value* msg = member(d, "message");
  const Value* content = msg ? member(*msg, "content") : nullptr;
  if (!content || !content->IsArray()) return;
  for (const auto& b : content->GetArray()) {
    if (str(b, "type") != "tool_result") continue;
    AgentCall* call = find_call(run, str(b, "tool_use_id"));
    if (!call) continue;
    const Value* err = member(b, "is_error");
    call->done = true;
    call->ok = !(err && err->IsBool() && err->GetBool());
    call->output = redacted_head(result_text(b), cap);
    if (call->name == "Bash") call->exit_code = call->ok ? std::optional<int>(0) : claude_exit_code(call->output);
  }
}

void claude_result(AgentRun& run, const Value& d) {
  const std::string subtype = str(d, "subtype");
  const Value* is_error = member(d, "is_error");
  const bool failed = is_error && is_error->IsBool() && is_error->GetBool();
  if (const Value* st = member(d, "api_error_status"); st && st->IsInt()) run.api_error_status = st->GetInt();
  run.turns = static_cast<int>(i64(d, "num_turns"));
  if (const Value* c = member(d, "total_cost_usd"); c && c->IsNumber()) run.cost_usd = c->GetDouble();
  if (const Value* u = member(d, "usage"); u && u->IsObject()) {
    run.usage.input = i64(*u, "input_tokens");
    run.usage.output = i64(*u, "output_tokens");
    run.usage.cache_read = i64(*u, "cache_read_input_tokens");
    run.usage.cache_write = i64(*u, "cache_creation_input_tokens");
    run.usage_reported = true;
  }
  if (const Value* den = member(d, "permission_denials"); den && den->IsArray())
    for (const auto& x : den->GetArray()) add_unique(run.permission_denials, str(x, "tool_name"));
  const std::string result = str(d, "result");
  if (subtype == "error_max_turns") {
    run.end = RunEnd::kMaxTurns;
  } else if (subtype == "error_during_execution") {
    run.end = RunEnd::kInterrupted;
  } else if (failed) {  // an API error ends as subtype "success" with is_error
    run.end = run.api_error_status ? RunEnd::kApiError : RunEnd::kFailed;
    run.error = result.empty() ? subtype : result;
  } else {
    run.end = RunEnd::kCompleted;
    if (!result.empty()) run.final_text = result;
  }
}

}  // namespace

void AgentStreamReader::claude_event(const void* doc) {
  const Value& d = *static_cast<const Document*>(doc);
  const std::string type = str(d, "type");
  if (type == "system" && str(d, "subtype") == "init")
    claude_init(run_, d);
  else if (type == "assistant")
    claude_assistant(run_, d);
  else if (type == "user")
    claude_user(run_, d, cap_);
  else if (type == "result")
    claude_result(run_, d);
}

}  // namespace skillpipe::backend_common
