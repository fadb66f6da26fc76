#include "providers.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "request_text.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe_internal/json_parse.hpp"

namespace skillpipe::backend_llm {
namespace {

using rapidjson::Document;
using rapidjson::Value;

Value str(const std::string& s, Document::AllocatorType& a) {
  return Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

std::int64_t get_i64(const Value& obj, const char* key) {
  if (!obj.IsObject() || !obj.HasMember(key)) return 0;
  const Value& v = obj[key];
  if (v.IsInt64()) return v.GetInt64();
  if (v.IsNumber()) return static_cast<std::int64_t>(v.GetDouble());
  return 0;
}

std::string get_str(const Value& obj, const char* key) {
  if (!obj.IsObject() || !obj.HasMember(key) || !obj[key].IsString()) return {};
  return std::string(obj[key].GetString(), obj[key].GetStringLength());
}

}  // namespace

EffectiveParams effective_params(const LlmSettings& s, const ChatRequest& r) {
  EffectiveParams p;
  p.temperature = s.temperature.value_or(r.temperature);
  p.max_tokens = r.max_tokens > 0 ? r.max_tokens : 1024;
  if (s.max_tokens_cap) p.max_tokens = std::min(p.max_tokens, *s.max_tokens_cap);
  p.stop = r.stop;
  p.seed = r.seed ? r.seed : s.default_seed;
  return p;
}

std::string build_body(const LlmSettings& s, const std::vector<ChatMessage>& messages, const EffectiveParams& p) {
  Document d(rapidjson::kObjectType);
  auto& a = d.GetAllocator();
  const bool anthropic = s.provider == Provider::kAnthropic;
  d.AddMember("model", str(s.model, a), a);

  Value msgs(rapidjson::kArrayType);
  std::string system;
  for (const auto& m : messages) {
    if (anthropic && m.role == "system") {
      // The Messages API takes instructions as a top-level field, not a message.
      if (!system.empty()) system += "\n\n";
      system += m.content;
      continue;
    }
    Value o(rapidjson::kObjectType);
    o.AddMember("role", str(m.role, a), a);
    o.AddMember("content", str(m.content, a), a);
    msgs.PushBack(std::move(o), a);
  }
  if (anthropic && !system.empty()) d.AddMember("system", str(system, a), a);
  d.AddMember("messages", std::move(msgs), a);
  d.AddMember(Value(anthropic ? "max_tokens" : s.max_tokens_field.c_str(), a), Value(p.max_tokens), a);
  if (s.send_temperature) d.AddMember("temperature", Value(p.temperature), a);
  if (!p.stop.empty()) {
    Value stop(rapidjson::kArrayType);
    for (const auto& st : p.stop) stop.PushBack(str(st, a), a);
    d.AddMember(Value(anthropic ? "stop_sequences" : "stop", a), std::move(stop), a);
  }
  if (p.seed && !anthropic) d.AddMember("seed", Value(static_cast<int64_t>(*p.seed)), a);

  if (!s.extra_body_json.empty()) {
    Document extra;
    if (skillpipe::detail::parse_json(extra, s.extra_body_json) || !extra.IsObject()) throw Error("backend_llm: extra_body must be a JSON object");
    for (auto it = extra.MemberBegin(); it != extra.MemberEnd(); ++it) {
      Value copy(it->value, a);
      std::string key(it->name.GetString(), it->name.GetStringLength());
      if (d.HasMember(key.c_str())) {
        d[key.c_str()] = std::move(copy);
      } else {
        d.AddMember(str(key, a), std::move(copy), a);
      }
    }
  }
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  d.Accept(w);
  return std::string(sb.GetString(), sb.GetSize());
}

std::vector<std::string> build_headers(const LlmSettings& s) {
  std::vector<std::string> h;
  if (s.auth_header == "bearer") {
    h.push_back("Authorization: Bearer " + s.api_key);
  } else if (s.auth_header == "api-key") {
    h.push_back("api-key: " + s.api_key);
  } else if (s.auth_header == "x-api-key") {
    h.push_back("x-api-key: " + s.api_key);
  }
  if (s.provider == Provider::kAnthropic) h.push_back("anthropic-version: 2023-06-01");
  return h;
}

ParsedReply parse_reply(Provider provider, std::string_view body) {
  ParsedReply r;
  Document d;
  if (skillpipe::detail::parse_json(d, body) || !d.IsObject()) {
    r.error = "the reply is not a JSON object (" + std::to_string(body.size()) + " bytes: " +
              backend_common::printable(body, 120) + ")";
    return r;
  }
  // Some gateways answer 200 with {"error": ...} (an upstream failure): say what they said.
  const bool answer_shape = provider == Provider::kAnthropic ? d.HasMember("content") : d.HasMember("choices");
  if (!answer_shape && (d.HasMember("error") || get_str(d, "type") == "error")) {
    r.error = "the server answered 200 with an error: " + provider_error_message(body);
    return r;
  }
  if (provider == Provider::kAnthropic) {
    if (!d.HasMember("content") || !d["content"].IsArray()) {
      r.error = "the reply has no \"content\" array";
      return r;
    }
    for (const auto& block : d["content"].GetArray()) {
      if (get_str(block, "type") == "text") r.text += get_str(block, "text");
    }
    r.finish_reason = get_str(d, "stop_reason");
    if (d.HasMember("usage") && d["usage"].IsObject()) {
      const Value& u = d["usage"];
      r.usage.cache_read = get_i64(u, "cache_read_input_tokens");
      r.usage.cache_write = get_i64(u, "cache_creation_input_tokens");
      // Anthropic counts cached prompt tokens apart; skillpipe's input is every prompt token.
      r.usage.input = get_i64(u, "input_tokens") + r.usage.cache_read + r.usage.cache_write;
      r.usage.output = get_i64(u, "output_tokens");
      r.has_usage = true;
    }
  } else {
    if (!d.HasMember("choices") || !d["choices"].IsArray() || d["choices"].Empty()) {
      r.error = "the reply has no \"choices\"";
      return r;
    }
    const Value& c0 = d["choices"][0];
    if (c0.IsObject() && c0.HasMember("message") && c0["message"].IsObject()) {
      r.text = get_str(c0["message"], "content");
    } else if (c0.IsObject() && c0.HasMember("text")) {
      r.text = get_str(c0, "text");  // legacy completions shape some servers still use
    } else {
      r.error = "the first choice has no message";
      return r;
    }
    r.finish_reason = get_str(c0, "finish_reason");
    if (d.HasMember("usage") && d["usage"].IsObject()) {
      const Value& u = d["usage"];
      r.usage.input = get_i64(u, "prompt_tokens");
      r.usage.output = get_i64(u, "completion_tokens");
      if (u.HasMember("prompt_tokens_details") && u["prompt_tokens_details"].IsObject()) {
        r.usage.cache_read = get_i64(u["prompt_tokens_details"], "cached_tokens");
      }
      r.has_usage = true;
    }
  }
  // A server reporting negative counts is wrong; it must not lower the night's spend.
  for (std::int64_t* n : {&r.usage.input, &r.usage.output, &r.usage.cache_read, &r.usage.cache_write})
    *n = std::max<std::int64_t>(0, *n);
  r.model = backend_common::printable(get_str(d, "model"), 120);
  r.ok = true;
  return r;
}

std::string provider_error_message(std::string_view body) {
  Document d;
  const bool bad = static_cast<bool>(skillpipe::detail::parse_json(d, body));
  std::string msg;
  if (!bad && d.IsObject() && d.HasMember("error")) {
    const Value& e = d["error"];
    if (e.IsString()) {
      msg = e.GetString();
    } else if (e.IsObject()) {
      msg = get_str(e, "message");
      std::string type = get_str(e, "type");
      if (!type.empty() && !msg.empty()) msg = type + ": " + msg;
    }
  } else if (!d.HasParseError() && d.IsObject() && d.HasMember("message")) {
    msg = get_str(d, "message");
  } else {
    msg = std::string(body);
  }
  return backend_common::printable(msg, 300);
}

bool is_valid_json(std::string_view text) {
  Document d;
  return !skillpipe::detail::parse_json(d, text);
}

}  // namespace skillpipe::backend_llm
