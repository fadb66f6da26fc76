#include "skillpipe/kit/spend_ledger.hpp"

#include <algorithm>
#include <set>

#include "skillpipe/json.hpp"
#include "skillpipe/store.hpp"

namespace skillpipe {

const char* to_string(SpendEvent e) {
  switch (e) {
    case SpendEvent::kReserve: return "reserve";
    case SpendEvent::kAnswer: return "answer";
    case SpendEvent::kRelease: return "release";
    case SpendEvent::kShared: return "shared";
  }
  return "answer";
}

static std::optional<SpendEvent> parse_event(std::string_view s) {
  for (SpendEvent e : {SpendEvent::kReserve, SpendEvent::kAnswer, SpendEvent::kRelease, SpendEvent::kShared})
    if (s == to_string(e)) return e;
  return std::nullopt;
}

std::string to_json_line(const SpendEntry& e) {
  JsonWriter w;
  w.begin_object();
  w.key("event"), w.string(to_string(e.event));
  w.key("id"), w.string(e.id);
  w.key("backend"), w.string(e.backend);
  w.key("stage"), w.string(e.stage);
  w.key("run"), w.string(e.run);
  if (e.event == SpendEvent::kReserve) w.key("tokens"), w.integer(e.tokens);
  if (e.event == SpendEvent::kReserve && e.max_s > 0) w.key("max_s"), w.number(e.max_s);
  if (e.event == SpendEvent::kAnswer) {
    w.key("input"), w.integer(e.usage.input);
    w.key("output"), w.integer(e.usage.output);
    w.key("cache_read"), w.integer(e.usage.cache_read);
    w.key("cache_write"), w.integer(e.usage.cache_write);
    w.key("attempts"), w.integer(e.attempts);
  }
  w.key("cost_usd"), w.number(e.cost_usd);
  w.key("wall_s"), w.number(e.wall_s);
  if (!e.cache_key.empty()) w.key("cache_key"), w.string(e.cache_key);
  if (!e.response.empty()) w.key("response"), w.string(e.response);
  w.end_object();
  return w.text();
}

std::optional<SpendEntry> parse_spend_line(std::string_view line) {
  try {
    const JsonDocument doc = JsonDocument::parse(line);
    const JsonValue r = doc.root();
    if (!r.is_object()) return std::nullopt;
    auto str = [&](const char* k) {
      const auto v = r.find(k);
      return v && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    auto i64 = [&](const char* k) -> std::int64_t {
      const auto v = r.find(k);
      return v && v->is_int64() ? v->as_int64() : 0;
    };
    auto num = [&](const char* k) {
      const auto v = r.find(k);
      return v && v->is_number() ? v->as_double() : 0.0;
    };
    const auto ev = parse_event(str("event"));
    if (!ev) return std::nullopt;
    SpendEntry e;
    e.event = *ev;
    e.id = str("id");
    e.backend = str("backend");
    e.stage = str("stage");
    e.run = str("run");
    e.tokens = i64("tokens");
    e.usage = {i64("input"), i64("output"), i64("cache_read"), i64("cache_write")};
    e.attempts = static_cast<int>(i64("attempts"));
    e.cost_usd = num("cost_usd");
    e.wall_s = num("wall_s");
    e.max_s = num("max_s");
    e.cache_key = str("cache_key");
    e.response = str("response");
    return e;
  } catch (const std::exception&) {
    return std::nullopt;  // torn last line
  }
}

void record_spend(Store* store, const SpendEntry& e) {
  if (!store || store->night().night_id.empty()) return;
  store->append(kSpendStream, {to_json_line(e)});
}

std::vector<SpendEntry> read_spend(const Store* store) {
  std::vector<SpendEntry> out;
  if (!store || store->night().night_id.empty()) return out;
  for (const auto& line : store->read(kSpendStream))
    if (auto e = parse_spend_line(line)) out.push_back(std::move(*e));
  return out;
}

SpendTotals sum_spend(const std::vector<SpendEntry>& entries, std::string_view backend) {
  SpendTotals t;
  std::set<std::string> settled;  // reservations answered or released
  for (const auto& e : entries)
    if (e.event == SpendEvent::kAnswer || e.event == SpendEvent::kRelease) settled.insert(e.id);
  std::map<std::string, double> wall_by_run;
  for (const auto& e : entries) {
    if (!backend.empty() && e.backend != backend) continue;
    double& wall = wall_by_run[e.run];
    wall = std::max(wall, e.wall_s);
    switch (e.event) {
      case SpendEvent::kReserve:
        if (settled.count(e.id)) break;
        wall = std::max(wall, e.wall_s + e.max_s);  // unanswered: it may have run to its timeout
        ++t.calls, ++t.open, ++t.attempts;
        t.open_tokens += e.tokens;
        t.cost_usd += e.cost_usd;
        break;
      case SpendEvent::kAnswer:
        ++t.calls;
        t.attempts += std::max(1, e.attempts);
        t.usage += e.usage;
        t.cost_usd += e.cost_usd;
        break;
      case SpendEvent::kShared:
        ++t.cached_calls;
        break;
      case SpendEvent::kRelease:
        break;
    }
  }
  for (const auto& [run, wall] : wall_by_run) t.wall_s += wall;
  return t;
}

std::map<std::string, SpendTotals> spend_by_stage(const std::vector<SpendEntry>& entries) {
  std::map<std::string, std::vector<SpendEntry>> by;
  std::set<std::string> settled;
  for (const auto& e : entries) {
    if (e.event == SpendEvent::kRelease || e.event == SpendEvent::kAnswer) settled.insert(e.id);
  }
  for (const auto& e : entries) {
    // Pairing needs the whole ledger: a settled reservation is dropped before grouping.
    if (e.event == SpendEvent::kReserve && settled.count(e.id)) continue;
    by[e.stage].push_back(e);
  }
  std::map<std::string, SpendTotals> out;
  for (const auto& [stage, list] : by) out[stage] = sum_spend(list);
  out[""] = sum_spend(entries);
  return out;
}

}  // namespace skillpipe
