// conversation.hpp - what an agent CLI sent in one model request, normalised across the
// three wire APIs (Anthropic Messages, OpenAI Responses, OpenAI Chat Completions) so a
// policy can decide the next reply from it without knowing which CLI is talking.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace skillpipe::model_server {

enum class Api { kAnthropic, kResponses, kChat };
const char* api_name(Api api);

enum class ItemKind {
  kUserText,       // text the user typed (the prompt of a turn)
  kContext,        // text the CLI injected: system reminders, skill listings, skill bodies,
                   // environment context, AGENTS.md/CLAUDE.md, developer messages
  kAssistantText,  // text the model answered earlier
  kToolCall,       // a tool call the model made earlier
  kToolResult,     // the CLI's answer to a tool call
};

struct Item {
  ItemKind kind = ItemKind::kUserText;
  std::string text;        // text, or a tool result's text (content blocks joined)
  std::string tool_name;   // kToolCall
  std::string call_id;     // kToolCall, kToolResult
  std::string input_json;  // kToolCall: the arguments as compact JSON
  bool is_error = false;   // kToolResult: the CLI flagged it (Claude `is_error`)
  std::optional<int> exit_code;  // kToolResult: a shell exit code found in the text
};

struct ToolSpec {
  std::string name;
  std::vector<std::string> properties;  // top-level input property names
  std::vector<std::string> array_properties;  // those declared as arrays
};

struct Conversation {
  Api api = Api::kAnthropic;
  std::string model;
  bool stream = false;
  std::string system;        // the system prompt / `instructions`, joined
  std::vector<Item> items;   // in request order
  std::vector<ToolSpec> tools;

  const ToolSpec* tool(std::string_view name) const;
  // The latest text the user typed, and its index in `items` (-1: none).
  int latest_user_index() const;
  std::string latest_user_text() const;
  // Number of user prompts so far (1 for the first turn of a session).
  int user_turns() const;
  // Tool calls the model made after the latest user text (this turn's steps).
  std::vector<const Item*> calls_this_turn() const;
  // The result the CLI sent for a call id (nullptr: none yet).
  const Item* result_for(const std::string& call_id) const;
  // The last item when it is a tool result (nullptr otherwise).
  const Item* last_tool_result() const;
  // The system prompt and every kContext item, in order (where CLIs put listings).
  std::vector<std::string_view> context_texts() const;
};

// Parsers for a request body. Throw std::runtime_error naming what is missing when the
// body is not the API's request shape.
Conversation parse_anthropic(std::string_view body);
Conversation parse_responses(std::string_view body);
Conversation parse_chat(std::string_view body);

// A shell exit code stated in a tool result ("Exit code 2", "Process exited with code 1",
// "exit_code": 1), if any.
std::optional<int> find_exit_code(std::string_view text);

}  // namespace skillpipe::model_server
