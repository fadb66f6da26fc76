// Reply constructors, ids, SSE framing, error bodies and the encoder dispatch.
#include "reply.hpp"

#include "encode_internal.hpp"
#include "json_out.hpp"

namespace skillpipe::model_server {

Reply Reply::say(std::string text) {
  Reply r;
  r.text = std::move(text);
  return r;
}

Reply Reply::call(std::string name, std::string input_json, std::string preamble) {
  Reply r;
  r.text = std::move(preamble);
  r.tool_calls.push_back(ToolCall{std::move(name), std::move(input_json)});
  return r;
}

Reply Reply::error(int status, std::string type, std::string message) {
  Reply r;
  r.status = status;
  r.error_type = std::move(type);
  r.error_message = std::move(message);
  return r;
}

std::string IdSource::make(const char* kind, int index) const {
  std::string id = std::string(kind) + "_" + prefix + "_" + std::to_string(n);
  if (index >= 0) id += "_" + std::to_string(index);
  return id;
}

std::string format_sse(const SseEvent& e) {
  std::string out;
  if (!e.name.empty()) out += "event: " + e.name + "\n";
  out += "data: " + e.data + "\n\n";
  return out;
}

namespace detail {

std::vector<std::string> chunks(std::string_view s, size_t size) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    size_t n = std::min(size, s.size() - i);
    // never split a UTF-8 sequence: move the cut back over continuation bytes
    while (i + n < s.size() && n > 1 && (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80) --n;
    out.emplace_back(s.substr(i, n));
    i += n;
  }
  return out;
}

std::string default_error_type(Api api, int status) {
  if (api != Api::kAnthropic) {
    if (status == 429) return "rate_limit_exceeded";
    if (status >= 500) return "server_error";
    return "invalid_request_error";
  }
  switch (status) {
    case 400: return "invalid_request_error";
    case 401: return "authentication_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 413: return "request_too_large";
    case 429: return "rate_limit_error";
    case 529: return "overloaded_error";
    default: return "api_error";
  }
}

std::string error_message(const Reply& r) {
  if (!r.error_message.empty()) return r.error_message;
  if (!r.stream_error.empty()) return r.stream_error;
  return r.status == 529 ? "Overloaded" : "scripted error (HTTP " + std::to_string(r.status) + ")";
}

}  // namespace detail

std::string encode_error_body(Api api, const Reply& r) {
  std::string type = r.error_type.empty() ? detail::default_error_type(api, r.status) : r.error_type;
  JsonOut j;
  if (api == Api::kAnthropic) {
    j.obj().ks("type", "error").key("error").obj().ks("type", type).ks("message", detail::error_message(r)).end();
    j.ks("request_id", "req_scripted").end();
  } else {
    j.obj().key("error").obj().ks("message", detail::error_message(r)).ks("type", type).key("param").null();
    j.key("code").null().end().end();
  }
  return j.str();
}

std::vector<SseEvent> encode_stream(Api api, const Conversation& req, const Reply& r, const IdSource& ids,
                                    long created) {
  switch (api) {
    case Api::kAnthropic: return detail::anthropic_stream(req, r, ids);
    case Api::kResponses: return detail::responses_stream(req, r, ids, created);
    case Api::kChat: return detail::chat_stream(req, r, ids, created);
  }
  return {};
}

std::string encode_body(Api api, const Conversation& req, const Reply& r, const IdSource& ids, long created) {
  switch (api) {
    case Api::kAnthropic: return detail::anthropic_body(req, r, ids);
    case Api::kResponses: return detail::responses_body(req, r, ids, created);
    case Api::kChat: return detail::chat_body(req, r, ids, created);
  }
  return {};
}

}  // namespace skillpipe::model_server
