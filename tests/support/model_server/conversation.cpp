// Parsers from each wire API's request body to a Conversation.
#include "conversation.hpp"

#include <rapidjson/document.h>
#include <rapidjson/writer.h>

#include <cctype>
#include <stdexcept>

#include "regex.hpp"

namespace skillpipe::model_server {
namespace {

using Value = rapidjson::Value;

std::string str(const Value& obj, const char* key) {
  if (!obj.IsObject()) return {};
  auto it = obj.FindMember(key);
  return it != obj.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString(), it->value.GetStringLength())
                                                      : std::string();
}

std::string compact(const Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

// Text of a string, or of a list of content parts ({type: text|input_text|output_text, text}).
std::string text_of(const Value& v) {
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  std::string out;
  if (!v.IsArray()) return out;
  for (const auto& part : v.GetArray()) {
    if (part.IsString()) {
      out += part.GetString();
      continue;
    }
    std::string t = str(part, "text");
    if (t.empty()) continue;
    if (!out.empty()) out += "\n";
    out += t;
  }
  return out;
}

rapidjson::Document parse_object(std::string_view body, const char* api) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    throw std::runtime_error(std::string(api) + " request: the body is not a JSON object");
  }
  return doc;
}

const Value& member(const Value& obj, const char* key, const char* api) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd()) throw std::runtime_error(std::string(api) + " request: no \"" + key + "\" field");
  return it->value;
}

// Text a CLI injects into a user message rather than the user typing it: tagged blocks
// (<system-reminder>, <environment_context>, <skill>...), AGENTS.md instructions, and the
// skill body Claude Code sends after a Skill call.
bool is_injected(std::string_view text) {
  size_t i = text.find_first_not_of(" \t\r\n");
  if (i == std::string_view::npos) return true;  // blank: nothing the user typed
  text.remove_prefix(i);
  if (text.starts_with("# AGENTS.md instructions") || text.starts_with("Base directory for this skill:")) return true;
  if (!text.starts_with("<")) return false;
  size_t j = 1;
  while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_' || text[j] == '-')) ++j;
  return j > 1 && j < text.size() && text[j] == '>';
}

void add_text(Conversation& c, ItemKind kind, std::string text) {
  // skillpipe marks the prompts of its replays with a first line "[skillpipe-replay]" (so the
  // harvesters skip those sessions); it is not part of the task the user typed.
  constexpr std::string_view kReplayMarker = "[skillpipe-replay]";
  if (kind == ItemKind::kUserText && text.starts_with(kReplayMarker)) {
    const size_t nl = text.find('\n');
    text = nl == std::string::npos ? std::string() : text.substr(nl + 1);
  }
  if (text.empty()) return;
  if (kind == ItemKind::kUserText && is_injected(text)) kind = ItemKind::kContext;
  c.items.push_back(Item{kind, std::move(text), {}, {}, {}, false, std::nullopt});
}

void add_result(Conversation& c, std::string call_id, std::string text, bool is_error) {
  Item it;
  it.kind = ItemKind::kToolResult;
  it.call_id = std::move(call_id);
  it.exit_code = find_exit_code(text);
  it.text = std::move(text);
  it.is_error = is_error;
  c.items.push_back(std::move(it));
}

void add_call(Conversation& c, std::string name, std::string call_id, std::string input_json) {
  Item it;
  it.kind = ItemKind::kToolCall;
  it.tool_name = std::move(name);
  it.call_id = std::move(call_id);
  it.input_json = std::move(input_json);
  c.items.push_back(std::move(it));
}

ToolSpec tool_spec(std::string name, const Value* schema) {
  ToolSpec t;
  t.name = std::move(name);
  if (!schema || !schema->IsObject()) return t;
  auto props = schema->FindMember("properties");
  if (props == schema->MemberEnd() || !props->value.IsObject()) return t;
  for (const auto& p : props->value.GetObject()) {
    t.properties.emplace_back(p.name.GetString());
    if (p.value.IsObject() && str(p.value, "type") == "array") t.array_properties.emplace_back(p.name.GetString());
  }
  return t;
}

const Value* find(const Value& obj, const char* key) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(key);
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

void anthropic_block(Conversation& c, const std::string& role, const Value& block) {
  std::string type = str(block, "type");
  if (type == "text") {
    add_text(c, role == "assistant" ? ItemKind::kAssistantText : ItemKind::kUserText, str(block, "text"));
  } else if (type == "tool_use" || type == "server_tool_use") {
    const Value* input = find(block, "input");
    add_call(c, str(block, "name"), str(block, "id"), input ? compact(*input) : "{}");
  } else if (type == "tool_result") {
    const Value* content = find(block, "content");
    const Value* err = find(block, "is_error");
    add_result(c, str(block, "tool_use_id"), content ? text_of(*content) : "", err && err->IsBool() && err->GetBool());
  }
  // thinking, images and documents carry nothing a policy decides on
}

// The fields every API's request has: model and stream.
Conversation start_conversation(const rapidjson::Document& doc, Api api) {
  Conversation c;
  c.api = api;
  c.model = str(doc, "model");
  if (const Value* s = find(doc, "stream"); s && s->IsBool()) c.stream = s->GetBool();
  return c;
}

}  // namespace

const char* api_name(Api api) {
  switch (api) {
    case Api::kAnthropic: return "anthropic";
    case Api::kResponses: return "responses";
    case Api::kChat: return "chat";
  }
  return "?";
}

std::optional<int> find_exit_code(std::string_view text) {
  // Claude Code's failed Bash result starts "Exit code N"; Codex's exec_command output has a
  // "Process exited with code N" header line; Qwen Code's run_shell_command result ends with
  // "Exit Code: N"; older Codex shell output is JSON metadata.
  static const Regex line(R"((?m)^(?:Exit code|Exit Code:|Process exited with code) (-?\d{1,9})$)");
  static const Regex json(R"("exit_code"\s*:\s*(-?\d{1,9}))");
  auto code = line.capture(text.substr(0, 512), 1);
  if (!code && text.size() > 512) code = line.capture(text.substr(text.size() - 512), 1);
  if (!code && text.starts_with("{")) code = json.capture(text, 1);
  if (!code) return std::nullopt;
  return std::stoi(*code);
}

Conversation parse_anthropic(std::string_view body) {
  auto doc = parse_object(body, "anthropic");
  Conversation c = start_conversation(doc, Api::kAnthropic);
  if (const Value* s = find(doc, "system")) c.system = text_of(*s);
  const Value& messages = member(doc, "messages", "anthropic");
  if (!messages.IsArray()) throw std::runtime_error("anthropic request: \"messages\" is not an array");
  for (const auto& m : messages.GetArray()) {
    std::string role = str(m, "role");
    const Value* content = find(m, "content");
    if (!content) continue;
    if (role == "system") {  // mid-conversation system messages (Claude Code 2.1.x)
      add_text(c, ItemKind::kContext, text_of(*content));
    } else if (content->IsString()) {
      add_text(c, role == "assistant" ? ItemKind::kAssistantText : ItemKind::kUserText, content->GetString());
    } else if (content->IsArray()) {
      for (const auto& block : content->GetArray()) anthropic_block(c, role, block);
    }
  }
  if (const Value* tools = find(doc, "tools"); tools && tools->IsArray()) {
    for (const auto& t : tools->GetArray()) c.tools.push_back(tool_spec(str(t, "name"), find(t, "input_schema")));
  }
  return c;
}

namespace {

void responses_item(Conversation& c, const Value& it) {
  std::string type = str(it, "type");
  if (type.empty() || type == "message") {
    std::string role = str(it, "role");
    const Value* content = find(it, "content");
    if (!content) return;
    ItemKind kind = role == "assistant" ? ItemKind::kAssistantText
                    : role == "user"    ? ItemKind::kUserText
                                        : ItemKind::kContext;  // developer, system
    add_text(c, kind, text_of(*content));
  } else if (type == "function_call") {
    add_call(c, str(it, "name"), str(it, "call_id"), str(it, "arguments"));
  } else if (type == "custom_tool_call") {
    add_call(c, str(it, "name"), str(it, "call_id"), str(it, "input"));
  } else if (type == "local_shell_call") {
    const Value* action = find(it, "action");
    add_call(c, "local_shell", str(it, "call_id"), action ? compact(*action) : "{}");
  } else if (type == "function_call_output" || type == "custom_tool_call_output" ||
             type == "local_shell_call_output") {
    const Value* out = find(it, "output");
    add_result(c, str(it, "call_id"), out ? text_of(*out) : "", false);
  }
  // reasoning and web_search_call items carry nothing a policy decides on
}

void responses_tool(Conversation& c, const Value& t) {
  std::string type = str(t, "type");
  if (type == "namespace") {
    if (const Value* inner = find(t, "tools"); inner && inner->IsArray()) {
      for (const auto& x : inner->GetArray()) responses_tool(c, x);
    }
    return;
  }
  std::string name = str(t, "name");
  c.tools.push_back(tool_spec(name.empty() ? type : name, find(t, "parameters")));
}

}  // namespace

Conversation parse_responses(std::string_view body) {
  auto doc = parse_object(body, "responses");
  Conversation c = start_conversation(doc, Api::kResponses);
  c.system = str(doc, "instructions");
  const Value& input = member(doc, "input", "responses");
  if (input.IsString()) {
    add_text(c, ItemKind::kUserText, input.GetString());
  } else if (input.IsArray()) {
    for (const auto& it : input.GetArray()) responses_item(c, it);
  }
  if (const Value* tools = find(doc, "tools"); tools && tools->IsArray()) {
    for (const auto& t : tools->GetArray()) responses_tool(c, t);
  }
  return c;
}

Conversation parse_chat(std::string_view body) {
  auto doc = parse_object(body, "chat");
  Conversation c = start_conversation(doc, Api::kChat);
  const Value& messages = member(doc, "messages", "chat");
  if (!messages.IsArray()) throw std::runtime_error("chat request: \"messages\" is not an array");
  for (const auto& m : messages.GetArray()) {
    std::string role = str(m, "role");
    const Value* content = find(m, "content");
    std::string text = content ? text_of(*content) : "";
    if (role == "tool") {
      add_result(c, str(m, "tool_call_id"), text, false);
      continue;
    }
    if (role == "system" || role == "developer") {
      if (c.system.empty() && c.items.empty()) c.system = text;
      else add_text(c, ItemKind::kContext, text);
      continue;
    }
    add_text(c, role == "assistant" ? ItemKind::kAssistantText : ItemKind::kUserText, text);
    if (const Value* calls = find(m, "tool_calls"); calls && calls->IsArray()) {
      for (const auto& call : calls->GetArray()) {
        const Value* fn = find(call, "function");
        add_call(c, fn ? str(*fn, "name") : "", str(call, "id"), fn ? str(*fn, "arguments") : "");
      }
    }
  }
  if (const Value* tools = find(doc, "tools"); tools && tools->IsArray()) {
    for (const auto& t : tools->GetArray()) {
      const Value* fn = find(t, "function");
      if (fn) c.tools.push_back(tool_spec(str(*fn, "name"), find(*fn, "parameters")));
    }
  }
  return c;
}

const ToolSpec* Conversation::tool(std::string_view name) const {
  for (const auto& t : tools) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

int Conversation::latest_user_index() const {
  for (int i = static_cast<int>(items.size()) - 1; i >= 0; --i) {
    if (items[i].kind == ItemKind::kUserText) return i;
  }
  return -1;
}

std::string Conversation::latest_user_text() const {
  int i = latest_user_index();
  return i < 0 ? std::string() : items[i].text;
}

int Conversation::user_turns() const {
  int n = 0;
  for (const auto& it : items) n += it.kind == ItemKind::kUserText;
  return n;
}

std::vector<const Item*> Conversation::calls_this_turn() const {
  std::vector<const Item*> out;
  for (size_t i = static_cast<size_t>(latest_user_index() + 1); i < items.size(); ++i) {
    if (items[i].kind == ItemKind::kToolCall) out.push_back(&items[i]);
  }
  return out;
}

const Item* Conversation::result_for(const std::string& call_id) const {
  for (const auto& it : items) {
    if (it.kind == ItemKind::kToolResult && it.call_id == call_id) return &it;
  }
  return nullptr;
}

const Item* Conversation::last_tool_result() const {
  for (auto it = items.rbegin(); it != items.rend(); ++it) {
    if (it->kind == ItemKind::kToolResult) return &*it;
    if (it->kind != ItemKind::kContext) return nullptr;  // Claude appends context after results
  }
  return nullptr;
}

std::vector<std::string_view> Conversation::context_texts() const {
  std::vector<std::string_view> out;
  if (!system.empty()) out.emplace_back(system);
  for (const auto& it : items) {
    if (it.kind == ItemKind::kContext) out.emplace_back(it.text);
  }
  return out;
}

}  // namespace skillpipe::model_server
