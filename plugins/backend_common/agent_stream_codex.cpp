// agent_stream_codex.cpp - Codex's `exec --json` events (agent_stream.hpp).
#include <regex>
#include <string>

#include "agent_stream.hpp"
#include "agent_stream_json.hpp"
#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::backend_common {
namespace {
using namespace stream_json;
}  // namespace

// ---- Codex ---------------------------------------------------------------------------------

namespace {

void codex_command(AgentRun& run, AgentCall& call, const Value& item, bool completed, std::size_t cap) {
  call.name = "exec_command";
  call.input = str(item, "command");
  call.command = unwrap_shell_command(call.input);
  if (!completed) return;
  call.done = true;
  call.output = redacted_head(str(item, "aggregated_output"), cap);
  if (const Value* ec = member(item, "exit_code"); ec && ec->IsInt()) call.exit_code = ec->GetInt();
  const std::string status = str(item, "status");
  call.ok = status != "failed" && status != "declined" && call.exit_code.value_or(0) == 0;
  if (call.ok) add_unique(run.skills_invoked, skill_read_by(call.command));
}

void codex_file_change(AgentCall& call, const Value& item, bool completed) {
  call.name = "apply_patch";
  call.paths.clear();
  if (const Value* ch = member(item, "changes"); ch && ch->IsArray())
    for (const auto& c : ch->GetArray()) add_unique(call.paths, str(c, "path"));
  if (const Value* ch = member(item, "changes")) call.input = json_text(*ch);
  if (!completed) return;
  call.done = true;
  call.ok = str(item, "status") != "failed";
}

void codex_mcp(AgentCall& call, const Value& item, bool completed, std::size_t cap) {
  call.name = "mcp:" + str(item, "server") + "/" + str(item, "tool");
  if (const Value* a = member(item, "arguments")) call.input = json_text(*a);
  if (!completed) return;
  call.done = true;
  const Value* err = member(item, "error");
  call.ok = str(item, "status") != "failed" && !(err && !err->IsNull());
  if (err && !err->IsNull()) call.output = redacted_head(err->IsObject() ? str(*err, "message") : json_text(*err), cap);
}

// item.started / item.updated / item.completed: one call per item id, filled in as it runs.
void codex_item(AgentRun& run, const Value& item, bool completed, std::size_t cap) {
  const std::string type = str(item, "type");
  if (type == "agent_message") {
    if (completed) {
      run.final_text = str(item, "text");
      ++run.turns;
    }
    return;
  }
  if (type == "error") {
    if (completed) run.error = str(item, "message");
    return;
  }
  if (type != "command_execution" && type != "file_change" && type != "mcp_tool_call" && type != "web_search") return;
  const std::string id = str(item, "id");
  AgentCall* call = find_call(run, id);
  if (!call) {
    run.calls.push_back(AgentCall{});
    call = &run.calls.back();
    call->id = id;
    ++run.turns;
  }
  if (type == "command_execution") codex_command(run, *call, item, completed, cap);
  if (type == "file_change") codex_file_change(*call, item, completed);
  if (type == "mcp_tool_call") codex_mcp(*call, item, completed, cap);
  if (type == "web_search") {
    call->name = "web_search";
    call->input = str(item, "query");
    call->done = completed;
  }
}

// Model-endpoint failures as Codex words them (docs/agent-clis.md).
bool contains_api_failure(const std::string& message) {
  for (const char* m : {"unexpected status", "high demand", "stream disconnected", "idle timeout waiting for SSE"})
    if (message.find(m) != std::string::npos) return true;
  return false;
}

void codex_usage(AgentRun& run, const Value& d) {
  const Value* u = member(d, "usage");
  if (!u || !u->IsObject()) return;
  // OpenAI's input_tokens include the cached ones; TokenUsage.input does not.
  const std::int64_t cached = i64(*u, "cached_input_tokens");
  run.usage.input = std::max<std::int64_t>(0, i64(*u, "input_tokens") - cached);
  run.usage.cache_read = cached;
  run.usage.cache_write = i64(*u, "cache_write_input_tokens");
  run.usage.output = i64(*u, "output_tokens");
  run.usage_reported = true;
}

}  // namespace

void AgentStreamReader::codex_event(const void* doc) {
  const Value& d = *static_cast<const Document*>(doc);
  const std::string type = str(d, "type");
  if (type == "thread.started") {
    run_.session_id = str(d, "thread_id");
  } else if (type == "item.started" || type == "item.updated" || type == "item.completed") {
    if (const Value* item = member(d, "item"); item && item->IsObject())
      codex_item(run_, *item, type == "item.completed", cap_);
  } else if (type == "turn.completed") {
    codex_usage(run_, d);
    run_.end = RunEnd::kCompleted;
  } else if (type == "turn.failed") {
    const Value* e = member(d, "error");
    run_.error = e ? str(*e, "message") : std::string("the turn failed");
    run_.end = RunEnd::kFailed;
  } else if (type == "error") {
    run_.error = str(d, "message");
    static const std::regex kStatus(R"(unexpected status (\d{3}))");
    std::smatch m;
    if (std::regex_search(run_.error, m, kStatus)) run_.api_error_status = std::stoi(m[1].str());
  }
  if (run_.end == RunEnd::kFailed && (run_.api_error_status || contains_api_failure(run_.error)))
    run_.end = RunEnd::kApiError;
}

}  // namespace skillpipe::backend_common
