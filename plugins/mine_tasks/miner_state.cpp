// miner_state.cpp - JSON forms of the miner's cross-night state (miner_state.hpp).
#include "miner_state.hpp"

#include <rapidjson/document.h>

#include <algorithm>

#include "skillpipe/errors.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::mining {

std::map<std::string, Split> parse_splits(const std::string& json, std::string* seed) {
  rapidjson::Document d;
  d.Parse(json.data(), json.size());
  if (d.HasParseError() || !d.IsObject()) throw Error("split state is not a JSON object");
  if (seed && d.HasMember("seed") && d["seed"].IsString()) *seed = d["seed"].GetString();
  std::map<std::string, Split> out;
  if (!d.HasMember("assignments")) return out;
  const auto& a = d["assignments"];
  if (!a.IsObject()) throw Error("split state: /assignments must be an object");
  for (auto it = a.MemberBegin(); it != a.MemberEnd(); ++it) {
    if (!it->value.IsString()) throw Error("split state: /assignments/" + std::string(it->name.GetString()) + " must be a string");
    auto s = parse_split(it->value.GetString());
    if (!s) throw Error("split state: unknown split \"" + std::string(it->value.GetString()) + "\"");
    out[std::string(it->name.GetString(), it->name.GetStringLength())] = *s;
  }
  return out;
}

std::string splits_to_json(const std::map<std::string, Split>& assigned, const std::string& seed) {
  std::string out = "{\"format\":\"mine_tasks.splits.v1\",\"seed\":" + json_quote(seed) + ",\"assignments\":{";
  bool first = true;
  for (const auto& [id, s] : assigned) {
    out += (first ? "" : ",") + json_quote(id) + ":" + json_quote(to_string(s));
    first = false;
  }
  return out + "}}";
}

std::vector<TaskRecord> parse_archive(const std::string& jsonl, int* bad_lines) {
  std::vector<TaskRecord> out;
  for (const auto& line : split(jsonl, '\n')) {
    if (trim(line).empty()) continue;
    try {
      out.push_back(record_from_json<TaskRecord>(line));
    } catch (const RecordError&) {
      if (bad_lines) ++*bad_lines;
    }
  }
  return out;
}

std::string archive_to_jsonl(const std::vector<TaskRecord>& archive) {
  std::string out;
  for (const auto& t : archive) out += to_json(t) + "\n";
  return out;
}

void update_archive(std::vector<TaskRecord>& archive, const std::vector<TaskRecord>& tonight, const std::string& night,
                    std::size_t cap) {
  for (const auto& t : tonight) {
    if (t.origin != Origin::kReal || starts_with(t.id, "recall:")) continue;
    TaskRecord a = t;
    a.attrs["last_night"] = night;
    auto it = std::find_if(archive.begin(), archive.end(), [&](const TaskRecord& x) { return x.id == t.id; });
    if (it != archive.end()) archive.erase(it);
    archive.push_back(std::move(a));  // newest last
  }
  if (archive.size() > cap) archive.erase(archive.begin(), archive.end() - static_cast<std::ptrdiff_t>(cap));
}

}  // namespace skillpipe::mining
