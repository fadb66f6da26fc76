#include "agent_stream.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <regex>

#include "skillpipe/kit/util.hpp"

namespace skillpipe::backend_common {
namespace {

using rapidjson::Document;
using rapidjson::Value;

std::string str(const Value& o, const char* k) {
  if (!o.IsObject()) return {};
  auto it = o.FindMember(k);
  return it != o.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString(), it->value.GetStringLength())
                                                     : std::string();
}

const Value* member(const Value& o, const char* k) {
  if (!o.IsObject()) return nullptr;
  auto it = o.FindMember(k);
  return it == o.MemberEnd() ? nullptr : &it->value;
}

std::int64_t i64(const Value& o, const char* k) {
  const Value* v = member(o, k);
  if (!v || !v->IsNumber()) return 0;
  if (v->IsInt64()) return std::max<std::int64_t>(0, v->GetInt64());
  const double d = v->GetDouble();
  return d > 0 && d < 9e18 ? static_cast<std::int64_t>(d) : 0;
}

std::string json_text(const Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

void add_unique(std::vector<std::string>& v, const std::string& s) {
  if (!s.empty() && std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

// A tool_result's content: a string, or text blocks.
std::string result_text(const Value& block) {
  const Value* c = member(block, "content");
  if (!c) return {};
  if (c->IsString()) return std::string(c->GetString(), c->GetStringLength());
  std::string out;
  if (c->IsArray())
    for (const auto& b : c->GetArray())
      if (str(b, "type") == "text") out += (out.empty() ? "" : "\n") + str(b, "text");
  return out;
}

AgentCall* find_call(AgentRun& run, const std::string& id) {
  for (auto it = run.calls.rbegin(); it != run.calls.rend(); ++it)
    if (it->id == id) return &*it;
  return nullptr;
}

// Paths an edit tool names in its input (Edit, Write, MultiEdit, NotebookEdit).
std::vector<std::string> edit_paths(const Value& input) {
  std::vector<std::string> out;
  for (const char* k : {"file_path", "notebook_path", "path"}) add_unique(out, str(input, k));
  return out;
}

}  // namespace

const char* to_string(RunEnd e) {
  switch (e) {
    case RunEnd::kCompleted: return "completed";
    case RunEnd::kMaxTurns: return "max_turns";
    case RunEnd::kApiError: return "api_error";
    case RunEnd::kInterrupted: return "interrupted";
    case RunEnd::kFailed: return "failed";
    case RunEnd::kNoResult: return "no_result";
  }
  return "no_result";
}

AgentFailure classify_agent_error(std::string_view text) {
  const std::string t = to_lower_ascii(text);
  auto any = [&](std::initializer_list<const char*> needles) {
    return std::any_of(needles.begin(), needles.end(), [&](const char* n) { return t.find(n) != std::string::npos; });
  };
  if (any({"usage limit", "insufficient_quota", "quota exceeded", "exceeded your current quota"}))
    return AgentFailure::kUsageLimit;
  if (any({"not logged in", "/login", "please log in", "log in again", "codex login", "invalid api key",
           "invalid x-api-key", "authentication_error", "authentication failed", "unauthorized", "401",
           "token_expired", "token expired", "refresh token", "credit balance is too low", "oauth token"}))
    return AgentFailure::kAuth;
  if (any({"unknown option", "unexpected argument", "unrecognized option", "invalid option",
           "requires a newer version", "please upgrade", "update codex", "update claude"}))
    return AgentFailure::kFatal;
  return AgentFailure::kTransient;
}

std::optional<int> claude_exit_code(std::string_view text) {
  static const std::regex kExit(R"(^Exit code (-?\d+))");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_search(text.begin(), text.end(), m, kExit)) return std::nullopt;
  try {
    return std::stoi(m[1].str());
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

namespace {

// One POSIX shell word: '...', "..." (with \ escapes), bare characters, concatenated.
// nullopt when the text is not exactly one word.
std::optional<std::string> one_shell_word(std::string_view s) {
  std::string out;
  std::size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '\'') {
      const std::size_t end = s.find('\'', i + 1);
      if (end == std::string_view::npos) return std::nullopt;
      out.append(s.substr(i + 1, end - i - 1));
      i = end + 1;
    } else if (c == '"') {
      for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\' && i + 1 < s.size() && std::string_view("\"\\$`\n").find(s[i + 1]) != std::string_view::npos)
          ++i;
        out += s[i];
      }
      if (i >= s.size()) return std::nullopt;
      ++i;
    } else if (c == '\\' && i + 1 < s.size()) {
      out += s[i + 1];
      i += 2;
    } else if (c == ' ' || c == '\t' || c == '\n') {
      return std::nullopt;
    } else {
      out += c;
      ++i;
    }
  }
  return out;
}

}  // namespace

std::string unwrap_shell_command(std::string_view command) {
  static const char* const kShells[] = {"/bin/bash -lc ", "/usr/bin/bash -lc ", "bash -lc ", "/bin/bash -c ",
                                        "bash -c ",       "/bin/sh -c ",        "sh -c ",    "/bin/zsh -lc ",
                                        "zsh -lc "};
  for (const char* prefix : kShells) {
    if (!starts_with(command, prefix)) continue;
    if (auto word = one_shell_word(trim(command.substr(std::string_view(prefix).size())))) return *word;
  }
  return std::string(command);
}

std::string skill_read_by(std::string_view command) {
  static const std::regex kSkill(R"(skills/([A-Za-z0-9._-]+)/SKILL\.md)");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_search(command.begin(), command.end(), m, kSkill)) return {};
  return m[1].str();
}

void AgentStreamReader::feed_all(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t j = text.find('\n', i);
    if (j == std::string_view::npos) j = text.size();
    feed(text.substr(i, j - i));
    i = j + 1;
  }
}

void AgentStreamReader::feed(std::string_view line) {
  const std::string t = trim(line);
  if (t.empty() || t[0] != '{') return;  // log lines around the JSON
  Document d;
  d.Parse(t.c_str(), t.size());
  if (d.HasParseError() || !d.IsObject()) {
    ++run_.unreadable_lines;
    return;
  }
  if (agent_ == Agent::kClaude)
    claude_event(&d);
  else
    codex_event(&d);
}

AgentRun parse_agent_stream(Agent agent, std::string_view text) {
  AgentStreamReader r(agent);
  r.feed_all(text);
  return std::move(r.run());
}

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
    call->output = truncate_utf8(result_text(b), cap);
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

// ---- Codex ---------------------------------------------------------------------------------

namespace {

void codex_command(AgentRun& run, AgentCall& call, const Value& item, bool completed, std::size_t cap) {
  call.name = "exec_command";
  call.input = str(item, "command");
  call.command = unwrap_shell_command(call.input);
  if (!completed) return;
  call.done = true;
  call.output = truncate_utf8(str(item, "aggregated_output"), cap);
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
  if (err && !err->IsNull()) call.output = truncate_utf8(err->IsObject() ? str(*err, "message") : json_text(*err), cap);
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
