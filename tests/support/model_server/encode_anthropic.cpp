// Anthropic Messages responses: the SSE stream (message_start, content_block_start/delta/
// stop with text_delta and input_json_delta, message_delta with usage and stop_reason,
// message_stop) and the non-streaming message object.
#include "encode_internal.hpp"
#include "json_out.hpp"

namespace skillpipe::model_server::detail {
namespace {

std::string model_of(const Conversation& req) { return req.model.empty() ? "scripted-model" : req.model; }

const char* stop_reason(const Reply& r) { return r.tool_calls.empty() ? "end_turn" : "tool_use"; }

void usage(JsonOut& j, const Usage& u, long output_tokens) {
  j.key("usage").obj().ki("input_tokens", u.input_tokens);
  j.ki("cache_creation_input_tokens", u.cache_creation_input_tokens);
  j.ki("cache_read_input_tokens", u.cache_read_input_tokens).ki("output_tokens", output_tokens).end();
}

SseEvent event(const char* name, JsonOut& j) { return SseEvent{name, j.str()}; }

void text_block(std::vector<SseEvent>& out, int index, const std::string& text) {
  JsonOut start;
  start.obj().ks("type", "content_block_start").ki("index", index);
  start.key("content_block").obj().ks("type", "text").ks("text", "").end().end();
  out.push_back(event("content_block_start", start));
  for (const auto& piece : chunks(text, kTextChunk)) {
    JsonOut d;
    d.obj().ks("type", "content_block_delta").ki("index", index);
    d.key("delta").obj().ks("type", "text_delta").ks("text", piece).end().end();
    out.push_back(event("content_block_delta", d));
  }
  JsonOut stop;
  stop.obj().ks("type", "content_block_stop").ki("index", index).end();
  out.push_back(event("content_block_stop", stop));
}

void tool_block(std::vector<SseEvent>& out, int index, const ToolCall& call, const std::string& id) {
  JsonOut start;
  start.obj().ks("type", "content_block_start").ki("index", index).key("content_block").obj();
  start.ks("type", "tool_use").ks("id", id).ks("name", call.name).key("input").obj().end().end().end();
  out.push_back(event("content_block_start", start));
  for (const auto& piece : chunks(input_or_empty(call), kJsonChunk)) {
    JsonOut d;
    d.obj().ks("type", "content_block_delta").ki("index", index);
    d.key("delta").obj().ks("type", "input_json_delta").ks("partial_json", piece).end().end();
    out.push_back(event("content_block_delta", d));
  }
  JsonOut stop;
  stop.obj().ks("type", "content_block_stop").ki("index", index).end();
  out.push_back(event("content_block_stop", stop));
}

}  // namespace

std::vector<SseEvent> anthropic_stream(const Conversation& req, const Reply& r, const IdSource& ids) {
  std::vector<SseEvent> out;
  JsonOut start;
  start.obj().ks("type", "message_start").key("message").obj().ks("id", ids.make("msg")).ks("type", "message");
  start.ks("role", "assistant").ks("model", model_of(req)).key("content").arr().end_arr();
  start.key("stop_reason").null().key("stop_sequence").null();
  usage(start, r.usage, 1);
  start.end().end();
  out.push_back(event("message_start", start));
  out.push_back(SseEvent{"ping", R"({"type":"ping"})"});
  int index = 0;
  if (!r.text.empty()) text_block(out, index++, r.text);
  for (size_t k = 0; k < r.tool_calls.size(); ++k) {
    tool_block(out, index++, r.tool_calls[k], ids.make("toolu", static_cast<int>(k)));
  }
  if (!r.stream_error.empty()) {
    JsonOut e;
    e.obj().ks("type", "error").key("error").obj();
    e.ks("type", r.error_type.empty() ? "overloaded_error" : r.error_type).ks("message", r.stream_error).end().end();
    out.push_back(event("error", e));
    return out;
  }
  JsonOut delta;
  delta.obj().ks("type", "message_delta").key("delta").obj().ks("stop_reason", stop_reason(r));
  delta.key("stop_sequence").null().end();
  delta.key("usage").obj().ki("output_tokens", r.usage.output_tokens).end().end();
  out.push_back(event("message_delta", delta));
  out.push_back(SseEvent{"message_stop", R"({"type":"message_stop"})"});
  return out;
}

std::string anthropic_body(const Conversation& req, const Reply& r, const IdSource& ids) {
  JsonOut j;
  j.obj().ks("id", ids.make("msg")).ks("type", "message").ks("role", "assistant").ks("model", model_of(req));
  j.key("content").arr();
  if (!r.text.empty()) j.obj().ks("type", "text").ks("text", r.text).end();
  for (size_t k = 0; k < r.tool_calls.size(); ++k) {
    j.obj().ks("type", "tool_use").ks("id", ids.make("toolu", static_cast<int>(k)));
    j.ks("name", r.tool_calls[k].name).kraw("input", input_or_empty(r.tool_calls[k])).end();
  }
  j.end_arr().ks("stop_reason", stop_reason(r)).key("stop_sequence").null();
  usage(j, r.usage, r.usage.output_tokens);
  j.end();
  return j.str();
}

}  // namespace skillpipe::model_server::detail
