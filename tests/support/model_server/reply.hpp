// reply.hpp - what the scripted model answers to one request, independent of the wire API,
// and the encoders that turn it into each API's response (SSE stream or JSON body).
#pragma once

#include <string>
#include <vector>

#include "conversation.hpp"

namespace skillpipe::model_server {

struct ToolCall {
  std::string name;        // the tool's real name in the request (Bash, exec_command, Skill...)
  std::string input_json;  // its arguments as a JSON object
};

// Token counts reported in the response. Fixed numbers (never derived from the request
// body, which holds dates and session ids) so accounting tests can assert them exactly.
struct Usage {
  long input_tokens = 100;
  long output_tokens = 20;
  long cache_read_input_tokens = 0;
  long cache_creation_input_tokens = 0;
};

struct Reply {
  std::string text;                 // assistant text (before any tool calls)
  std::vector<ToolCall> tool_calls;  // empty: the turn ends with `text`
  Usage usage;

  // Failure injection. A status other than 200 answers with that HTTP error and an
  // API-shaped error body; `stream_error` sends the content and then an error event in the
  // stream (Anthropic `error`, Responses `response.failed`); `cut_after_events` drops the
  // connection after that many SSE events (or half the body when not streaming).
  int status = 200;
  std::string error_type;     // "" = the API's usual type for the status (overloaded_error...)
  std::string error_message;  // "" = a generic message naming the status
  std::string retry_after;    // Retry-After header when not empty
  std::string stream_error;   // message of the in-stream error ("" = none)
  int cut_after_events = -1;
  int delay_ms = 0;  // wait before the first byte
  int hang_ms = 0;   // then send nothing for this long (or until the server stops) and close

  std::string rule;  // which rule or policy step produced it (logged, not sent)

  static Reply say(std::string text);
  static Reply call(std::string name, std::string input_json, std::string preamble = {});
  static Reply error(int status, std::string type = {}, std::string message = {});
  bool failed() const { return status != 200; }
};

// One server-sent event (name may be empty for Chat Completions' data-only stream).
struct SseEvent {
  std::string name;
  std::string data;
};

// Deterministic ids for one response: "<prefix>_<n>".
struct IdSource {
  std::string prefix = "scripted";
  long n = 0;  // the response's sequence number on the server
  std::string make(const char* kind, int index = -1) const;
};

// Encoders. `created` is the unix time stamped into the response objects.
std::vector<SseEvent> encode_stream(Api api, const Conversation& req, const Reply& r, const IdSource& ids,
                                    long created);
std::string encode_body(Api api, const Conversation& req, const Reply& r, const IdSource& ids, long created);
std::string encode_error_body(Api api, const Reply& r);
std::string format_sse(const SseEvent& e);

}  // namespace skillpipe::model_server
