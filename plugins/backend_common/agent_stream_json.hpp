// agent_stream_json.hpp - the small JSON readers the agent stream parsers share (internal to
// backend_common: agent_stream*.cpp).
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "agent_stream.hpp"

namespace skillpipe::backend_common::stream_json {

using rapidjson::Document;
using rapidjson::Value;

inline std::string str(const Value& o, const char* k) {
  if (!o.IsObject()) return {};
  auto it = o.FindMember(k);
  return it != o.MemberEnd() && it->value.IsString() ? std::string(it->value.GetString(), it->value.GetStringLength())
                                                     : std::string();
}

inline const Value* member(const Value& o, const char* k) {
  if (!o.IsObject()) return nullptr;
  auto it = o.FindMember(k);
  return it == o.MemberEnd() ? nullptr : &it->value;
}

inline std::int64_t i64(const Value& o, const char* k) {
  const Value* v = member(o, k);
  if (!v || !v->IsNumber()) return 0;
  if (v->IsInt64()) return std::max<std::int64_t>(0, v->GetInt64());
  const double d = v->GetDouble();
  return d > 0 && d < 9e18 ? static_cast<std::int64_t>(d) : 0;
}

inline std::string json_text(const Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

inline void add_unique(std::vector<std::string>& v, const std::string& s) {
  if (!s.empty() && std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

// A tool_result's content: a string, or text blocks.
inline std::string result_text(const Value& block) {
  const Value* c = member(block, "content");
  if (!c) return {};
  if (c->IsString()) return std::string(c->GetString(), c->GetStringLength());
  std::string out;
  if (c->IsArray())
    for (const auto& b : c->GetArray())
      if (str(b, "type") == "text") out += (out.empty() ? "" : "\n") + str(b, "text");
  return out;
}

inline AgentCall* find_call(AgentRun& run, const std::string& id) {
  for (auto it = run.calls.rbegin(); it != run.calls.rend(); ++it)
    if (it->id == id) return &*it;
  return nullptr;
}

// Paths an edit tool names in its input (Edit, Write, MultiEdit, NotebookEdit).
inline std::vector<std::string> edit_paths(const Value& input) {
  std::vector<std::string> out;
  for (const char* k : {"file_path", "notebook_path", "path"}) add_unique(out, str(input, k));
  return out;
}

}  // namespace skillpipe::backend_common::stream_json
