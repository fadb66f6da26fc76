// OpenAI responses: the Responses API (what Codex streams: response.created,
// response.output_item.added/done, response.output_text.delta, function_call items with
// argument deltas, response.completed with usage) and Chat Completions (chunks ending in
// `data: [DONE]`), streaming and not.
//
// Usage follows OpenAI's meaning: input_tokens/prompt_tokens include cached tokens, so they
// are Usage::input_tokens + cache_read_input_tokens, with the cached part reported apart.
#include "encode_internal.hpp"
#include "json_out.hpp"

namespace skillpipe::model_server::detail {
namespace {

std::string model_of(const Conversation& req) { return req.model.empty() ? "scripted-model" : req.model; }

long prompt_tokens(const Usage& u) { return u.input_tokens + u.cache_read_input_tokens; }

void responses_usage(JsonOut& j, const Usage& u) {
  j.key("usage").obj().ki("input_tokens", prompt_tokens(u));
  j.key("input_tokens_details").obj().ki("cached_tokens", u.cache_read_input_tokens).end();
  j.ki("output_tokens", u.output_tokens).key("output_tokens_details").obj().ki("reasoning_tokens", 0).end();
  j.ki("total_tokens", prompt_tokens(u) + u.output_tokens).end();
}

// The output items of a reply: an assistant message (when there is text), then calls.
void message_item(JsonOut& j, const std::string& id, const std::string& text, bool done) {
  j.obj().ks("id", id).ks("type", "message").ks("status", done ? "completed" : "in_progress").ks("role", "assistant");
  j.key("content").arr();
  if (done) j.obj().ks("type", "output_text").ks("text", text).key("annotations").arr().end_arr().end();
  j.end_arr().end();
}

void call_item(JsonOut& j, const std::string& id, const std::string& call_id, const ToolCall& c, bool done) {
  j.obj().ks("id", id).ks("type", "function_call").ks("status", done ? "completed" : "in_progress");
  j.ks("arguments", done ? input_or_empty(c) : "").ks("call_id", call_id).ks("name", c.name).end();
}

void output_items(JsonOut& j, const Reply& r, const IdSource& ids) {
  j.key("output").arr();
  if (!r.text.empty()) message_item(j, ids.make("msg"), r.text, true);
  for (size_t k = 0; k < r.tool_calls.size(); ++k) {
    call_item(j, ids.make("fc", static_cast<int>(k)), ids.make("call", static_cast<int>(k)), r.tool_calls[k], true);
  }
  j.end_arr();
}

void response_object(JsonOut& j, const Conversation& req, const Reply& r, const IdSource& ids, long created,
                     const char* status, bool with_output) {
  j.obj().ks("id", ids.make("resp")).ks("object", "response").ki("created_at", created).ks("status", status);
  j.ks("model", model_of(req));
  if (with_output) {
    output_items(j, r, ids);
  } else {
    j.key("output").arr().end_arr();
  }
  if (std::string(status) == "failed") {
    j.key("error").obj().ks("code", r.error_type.empty() ? "server_error" : r.error_type);
    j.ks("message", r.stream_error).end();
  }
  if (std::string(status) == "completed") {
    responses_usage(j, r.usage);
  } else {
    j.key("usage").null();
  }
  j.end();
}

class ResponsesStream {
 public:
  ResponsesStream(const Conversation& req, const Reply& r, const IdSource& ids, long created)
      : req_(req), r_(r), ids_(ids), created_(created) {}

  std::vector<SseEvent> run() {
    lifecycle("response.created", "in_progress", false);
    lifecycle("response.in_progress", "in_progress", false);
    int index = 0;
    if (!r_.text.empty()) text(index++);
    for (size_t k = 0; k < r_.tool_calls.size(); ++k) call(index++, k);
    if (r_.stream_error.empty()) {
      lifecycle("response.completed", "completed", true);
    } else {
      lifecycle("response.failed", "failed", true);
    }
    return std::move(out_);
  }

 private:
  JsonOut& begin(JsonOut& j, const char* type) {
    j.obj().ks("type", type).ki("sequence_number", static_cast<long>(out_.size()));
    return j;
  }
  void push(const char* type, JsonOut& j) { out_.push_back(SseEvent{type, j.str()}); }

  void lifecycle(const char* type, const char* status, bool with_output) {
    JsonOut j;
    begin(j, type).key("response");
    response_object(j, req_, r_, ids_, created_, status, with_output);
    j.end();
    push(type, j);
  }

  void text(int index) {
    std::string id = ids_.make("msg");
    JsonOut added;
    begin(added, "response.output_item.added").ki("output_index", index).key("item");
    message_item(added, id, r_.text, false);
    push("response.output_item.added", added.end());
    part("response.content_part.added", id, index, "");
    for (const auto& piece : chunks(r_.text, kTextChunk)) {
      JsonOut d;
      begin(d, "response.output_text.delta").ks("item_id", id).ki("output_index", index).ki("content_index", 0);
      push("response.output_text.delta", d.ks("delta", piece).end());
    }
    JsonOut done;
    begin(done, "response.output_text.done").ks("item_id", id).ki("output_index", index).ki("content_index", 0);
    push("response.output_text.done", done.ks("text", r_.text).end());
    part("response.content_part.done", id, index, r_.text);
    JsonOut item_done;
    begin(item_done, "response.output_item.done").ki("output_index", index).key("item");
    message_item(item_done, id, r_.text, true);
    push("response.output_item.done", item_done.end());
  }

  void part(const char* type, const std::string& id, int index, const std::string& text) {
    JsonOut j;
    begin(j, type).ks("item_id", id).ki("output_index", index).ki("content_index", 0);
    j.key("part").obj().ks("type", "output_text").ks("text", text).key("annotations").arr().end_arr().end();
    push(type, j.end());
  }

  void call(int index, size_t k) {
    const ToolCall& c = r_.tool_calls[k];
    std::string id = ids_.make("fc", static_cast<int>(k));
    std::string call_id = ids_.make("call", static_cast<int>(k));
    JsonOut added;
    begin(added, "response.output_item.added").ki("output_index", index).key("item");
    call_item(added, id, call_id, c, false);
    push("response.output_item.added", added.end());
    for (const auto& piece : chunks(input_or_empty(c), kJsonChunk)) {
      JsonOut d;
      begin(d, "response.function_call_arguments.delta").ks("item_id", id).ki("output_index", index);
      push("response.function_call_arguments.delta", d.ks("delta", piece).end());
    }
    JsonOut args;
    begin(args, "response.function_call_arguments.done").ks("item_id", id).ki("output_index", index);
    push("response.function_call_arguments.done", args.ks("arguments", input_or_empty(c)).end());
    JsonOut done;
    begin(done, "response.output_item.done").ki("output_index", index).key("item");
    call_item(done, id, call_id, c, true);
    push("response.output_item.done", done.end());
  }

  const Conversation& req_;
  const Reply& r_;
  const IdSource& ids_;
  long created_;
  std::vector<SseEvent> out_;
};

// Chat Completions ------------------------------------------------------------------------

void chat_usage(JsonOut& j, const Usage& u) {
  j.key("usage").obj().ki("prompt_tokens", prompt_tokens(u)).ki("completion_tokens", u.output_tokens);
  j.ki("total_tokens", prompt_tokens(u) + u.output_tokens);
  j.key("prompt_tokens_details").obj().ki("cached_tokens", u.cache_read_input_tokens).end().end();
}

const char* finish_reason(const Reply& r) { return r.tool_calls.empty() ? "stop" : "tool_calls"; }

void chunk_head(JsonOut& j, const Conversation& req, const IdSource& ids, long created) {
  j.obj().ks("id", ids.make("chatcmpl")).ks("object", "chat.completion.chunk").ki("created", created);
  j.ks("model", model_of(req));
}

}  // namespace

std::vector<SseEvent> responses_stream(const Conversation& req, const Reply& r, const IdSource& ids, long created) {
  return ResponsesStream(req, r, ids, created).run();
}

std::string responses_body(const Conversation& req, const Reply& r, const IdSource& ids, long created) {
  JsonOut j;
  response_object(j, req, r, ids, created, "completed", true);
  return j.str();
}

std::vector<SseEvent> chat_stream(const Conversation& req, const Reply& r, const IdSource& ids, long created) {
  std::vector<SseEvent> out;
  auto delta = [&](auto&& fill) {
    JsonOut j;
    chunk_head(j, req, ids, created);
    j.key("choices").arr().obj().ki("index", 0).key("delta").obj();
    fill(j);
    j.end().key("finish_reason").null().end().end_arr().end();
    out.push_back(SseEvent{"", j.str()});
  };
  delta([](JsonOut& j) { j.ks("role", "assistant").ks("content", ""); });
  for (const auto& piece : chunks(r.text, kTextChunk)) delta([&](JsonOut& j) { j.ks("content", piece); });
  for (size_t k = 0; k < r.tool_calls.size(); ++k) {
    const int idx = static_cast<int>(k);
    delta([&](JsonOut& j) {
      j.key("tool_calls").arr().obj().ki("index", idx).ks("id", ids.make("call", idx)).ks("type", "function");
      j.key("function").obj().ks("name", r.tool_calls[k].name).ks("arguments", "").end().end().end_arr();
    });
    for (const auto& piece : chunks(input_or_empty(r.tool_calls[k]), kJsonChunk)) {
      delta([&](JsonOut& j) {
        j.key("tool_calls").arr().obj().ki("index", idx).key("function").obj().ks("arguments", piece).end().end();
        j.end_arr();
      });
    }
  }
  if (!r.stream_error.empty()) {
    JsonOut e;
    e.obj().key("error").obj().ks("message", r.stream_error).ks("type", "server_error").end().end();
    out.push_back(SseEvent{"", e.str()});
    return out;
  }
  JsonOut fin;
  chunk_head(fin, req, ids, created);
  fin.key("choices").arr().obj().ki("index", 0).key("delta").obj().end().ks("finish_reason", finish_reason(r));
  fin.end().end_arr();
  chat_usage(fin, r.usage);
  out.push_back(SseEvent{"", fin.end().str()});
  out.push_back(SseEvent{"", "[DONE]"});
  return out;
}

std::string chat_body(const Conversation& req, const Reply& r, const IdSource& ids, long created) {
  JsonOut j;
  j.obj().ks("id", ids.make("chatcmpl")).ks("object", "chat.completion").ki("created", created);
  j.ks("model", model_of(req)).key("choices").arr().obj().ki("index", 0).key("message").obj();
  j.ks("role", "assistant");
  if (r.text.empty()) {
    j.key("content").null();
  } else {
    j.ks("content", r.text);
  }
  if (!r.tool_calls.empty()) {
    j.key("tool_calls").arr();
    for (size_t k = 0; k < r.tool_calls.size(); ++k) {
      j.obj().ks("id", ids.make("call", static_cast<int>(k))).ks("type", "function").key("function").obj();
      j.ks("name", r.tool_calls[k].name).ks("arguments", input_or_empty(r.tool_calls[k])).end().end();
    }
    j.end_arr();
  }
  j.end().ks("finish_reason", finish_reason(r)).end().end_arr();
  chat_usage(j, r.usage);
  j.end();
  return j.str();
}

}  // namespace skillpipe::model_server::detail
