#include "response_cache.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/spdlog.h>

#include <exception>

#include "skillpipe/fields.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/store.hpp"
#include "skillpipe_internal/json_parse.hpp"

namespace skillpipe::backend_common {

std::string draw_of(const ChatRequest& request) {
  const auto it = request.meta.find("draw");
  return it == request.meta.end() || it->second.empty() ? std::string() : "\ndraw=" + it->second;
}

std::string cache_key(std::string_view kind, std::string_view material) {
  return std::string(kind) + ":" + sha256_hex(material);
}

std::string encode_cached_response(const ChatResponse& r) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  w.StartObject();
  w.Key("v");
  w.Int(1);
  w.Key("text");
  w.String(r.text.data(), static_cast<rapidjson::SizeType>(r.text.size()));
  w.Key("model");
  w.String(r.model.c_str());
  w.Key("finish_reason");
  w.String(r.finish_reason.c_str());
  w.Key("cost_usd");
  w.Double(r.cost_usd);
  w.Key("latency_ms");
  w.Double(r.latency_ms);
  w.Key("usage");
  w.StartObject();
  w.Key("input");
  w.Int64(r.usage.input);
  w.Key("output");
  w.Int64(r.usage.output);
  w.Key("cache_read");
  w.Int64(r.usage.cache_read);
  w.Key("cache_write");
  w.Int64(r.usage.cache_write);
  w.EndObject();
  if (r.trajectory) {  // an agentic replay's result is its trajectory as much as its text
    const std::string t = write_json(*r.trajectory);
    w.Key("trajectory");
    w.String(t.data(), static_cast<rapidjson::SizeType>(t.size()));
  }
  w.EndObject();
  return sb.GetString();
}

std::optional<ChatResponse> decode_cached_response(std::string_view text) {
  rapidjson::Document d;
  if (skillpipe::detail::parse_json(d, text) || !d.IsObject() || !d.HasMember("text") || !d["text"].IsString()) return std::nullopt;
  ChatResponse r;
  r.text.assign(d["text"].GetString(), d["text"].GetStringLength());
  auto str = [&](const char* k) -> std::string {
    return d.HasMember(k) && d[k].IsString() ? d[k].GetString() : std::string();
  };
  r.model = str("model");
  r.finish_reason = str("finish_reason");
  if (d.HasMember("usage") && d["usage"].IsObject()) {
    const auto& u = d["usage"];
    auto i64 = [&](const char* k) -> std::int64_t {
      return u.HasMember(k) && u[k].IsInt64() ? u[k].GetInt64() : 0;
    };
    r.usage.input = i64("input");
    r.usage.output = i64("output");
    r.usage.cache_read = i64("cache_read");
    r.usage.cache_write = i64("cache_write");
  }
  if (d.HasMember("trajectory") && d["trajectory"].IsString()) {
    Trajectory t;
    try {
      read_json(std::string_view(d["trajectory"].GetString(), d["trajectory"].GetStringLength()), t);
    } catch (const std::exception&) {
      return std::nullopt;  // unreadable: a miss, the replay runs again
    }
    r.trajectory = std::move(t);
  }
  // A cache hit spends nothing: cost is what the original call cost, kept for reports only.
  r.cost_usd = 0;
  r.cached = true;
  return r;
}

std::optional<ChatResponse> cache_lookup(Context& ctx, const std::string& key) {
  Store* store = ctx.store();
  if (!store) return std::nullopt;
  std::optional<std::string> v;
  try {
    v = store->cache_get(key);
  } catch (const std::exception& e) {
    ctx.logger().warn("response cache read failed ({}); calling the backend instead", e.what());
    return std::nullopt;
  }
  if (!v) return std::nullopt;
  auto r = decode_cached_response(*v);
  if (!r) ctx.logger().warn("ignoring an unreadable response cache entry {}", key);
  return r;
}

void cache_save(Context& ctx, const std::string& key, const ChatResponse& r) {
  Store* store = ctx.store();
  if (!store) return;
  try {
    store->cache_put(key, encode_cached_response(r));
  } catch (const std::exception& e) {
    ctx.logger().warn("response cache write failed: {}", e.what());
  }
}

}  // namespace skillpipe::backend_common
