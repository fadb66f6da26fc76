#include "agent_tools.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <array>

#include "json_out.hpp"
#include "regex.hpp"

namespace skillpipe::model_server {
namespace {

bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }

// Shell tools by name, most specific first; any other tool whose name says shell/bash and
// that takes a command is the fallback.
const ToolSpec* find_shell_tool(const Conversation& c) {
  static const std::array<const char*, 6> known = {"Bash", "exec_command", "shell", "run_shell_command", "bash",
                                                   "shell_command"};
  for (const char* name : known) {
    const ToolSpec* t = c.tool(name);
    if (t && (has(t->properties, "command") || has(t->properties, "cmd"))) return t;
  }
  for (const auto& t : c.tools) {
    std::string n = t.name;
    std::transform(n.begin(), n.end(), n.begin(), [](unsigned char ch) { return std::tolower(ch); });
    bool shellish = n.find("shell") != std::string::npos || n.find("bash") != std::string::npos;
    if (shellish && (has(t.properties, "command") || has(t.properties, "cmd"))) return &t;
  }
  return nullptr;
}

std::string summary(const std::string& command) {
  std::string first = command.substr(0, command.find('\n'));
  if (first.size() > 60) first = first.substr(0, 57) + "...";
  return "Run " + first;
}

}  // namespace

std::optional<ToolCall> shell_call(const Conversation& c, const std::string& command) {
  const ToolSpec* t = find_shell_tool(c);
  if (!t) return std::nullopt;
  JsonOut j;
  j.obj();
  if (has(t->properties, "command")) {
    j.key("command");
    if (has(t->array_properties, "command")) {
      j.arr().s("bash").s("-lc").s(command).end_arr();
    } else {
      j.s(command);
    }
  } else {
    j.ks("cmd", command);
  }
  if (has(t->properties, "description")) j.ks("description", summary(command));  // Claude's Bash
  j.end();
  return ToolCall{t->name, j.str()};
}

std::string shell_command_of(const Item& call) {
  if (call.kind != ItemKind::kToolCall) return {};
  rapidjson::Document d;
  d.Parse(call.input_json.data(), call.input_json.size());
  if (d.HasParseError() || !d.IsObject()) return {};
  for (const char* key : {"command", "cmd"}) {
    auto it = d.FindMember(key);
    if (it == d.MemberEnd()) continue;
    if (it->value.IsString()) return it->value.GetString();
    if (it->value.IsArray() && !it->value.Empty() && it->value[it->value.Size() - 1].IsString()) {
      return it->value[it->value.Size() - 1].GetString();  // ["bash", "-lc", "<command>"]
    }
  }
  return {};
}

std::string working_directory(const Conversation& c) {
  static const Regex claude(R"(Primary working directory: ([^\n]+))");
  static const Regex codex(R"(<cwd>([^<]+)</cwd>)");
  for (std::string_view text : c.context_texts()) {
    if (auto m = claude.capture(text, 1)) return *m;
    if (auto m = codex.capture(text, 1)) return *m;
  }
  for (const auto& it : c.items) {  // Codex sends <environment_context> as a user message
    if (auto m = codex.capture(it.text, 1)) return *m;
  }
  return {};
}

std::optional<ToolCall> write_call(const Conversation& c, const std::string& path, const std::string& content) {
  const ToolSpec* write = c.tool("Write");
  if (write && has(write->properties, "file_path")) {
    std::string cwd = working_directory(c);
    std::string abs = path.starts_with("/") || cwd.empty() ? path : cwd + "/" + path;
    JsonOut j;
    j.obj().ks("file_path", abs).ks("content", content).end();
    return ToolCall{"Write", j.str()};
  }
  std::string body = content;
  if (!body.empty() && body.back() != '\n') body += '\n';
  return shell_call(c, "cat > " + path + " <<'SKILLPIPE_EOF'\n" + body + "SKILLPIPE_EOF");
}

std::string result_output(const Item& result) {
  const std::string& t = result.text;
  if (t.starts_with("Chunk ID:") || t.starts_with("Process exited")) {  // Codex exec_command
    size_t at = t.find("\nOutput:\n");
    if (at != std::string::npos) return t.substr(at + 9);
  }
  if (t.starts_with("Command: ")) {  // Qwen Code: Command/Directory/Output/Error/Exit Code lines
    size_t at = t.find("\nOutput: ");
    size_t end = t.find("\nError: ", at == std::string::npos ? 0 : at);
    if (at != std::string::npos) return t.substr(at + 9, end == std::string::npos ? std::string::npos : end - at - 9);
  }
  static const Regex claude_exit(R"(^Exit code -?\d+\n)");
  if (claude_exit.search(t)) return t.substr(t.find('\n') + 1);  // Claude's failed Bash
  return t;
}

int exit_code_of(const Item& result) {
  if (result.exit_code) return *result.exit_code;
  return result.is_error ? 1 : 0;
}

}  // namespace skillpipe::model_server
