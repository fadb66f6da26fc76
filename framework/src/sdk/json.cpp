// Record <-> JSON. The field lists and the visitor live in fields.hpp; this file provides the
// JSON primitives they run on (RapidJSON, private to libskillpipe) and reads the 0.1 forms.
#include "skillpipe/json.hpp"

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>
#include <fstream>

#include "skillpipe_internal/json_parse.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/fields.hpp"
#include "utf8.hpp"

namespace skillpipe {

// ---- JsonWriter ----------------------------------------------------------------------------

struct JsonWriter::Impl {
  rapidjson::StringBuffer buf;
  std::optional<rapidjson::Writer<rapidjson::StringBuffer>> compact;
  std::optional<rapidjson::PrettyWriter<rapidjson::StringBuffer>> pretty;

  template <class F>
  void with(F&& f) {
    if (pretty) f(*pretty);
    else f(*compact);
  }
};

JsonWriter::JsonWriter(bool pretty) : impl_(std::make_unique<Impl>()) {
  if (pretty) {
    impl_->pretty.emplace(impl_->buf);
    impl_->pretty->SetIndent(' ', 2);
  } else {
    impl_->compact.emplace(impl_->buf);
  }
}
JsonWriter::~JsonWriter() = default;

namespace {
template <class W>
void put_string(W& w, std::string_view s, bool key) {
  // Invalid UTF-8 would make the line unreadable elsewhere; repair a copy.
  std::string copy;
  if (!detail::utf8_valid(s)) {
    copy.assign(s);
    detail::repair_utf8(copy);
    s = copy;
  }
  const auto n = static_cast<rapidjson::SizeType>(s.size());
  if (key) w.Key(s.data(), n, true);
  else w.String(s.data(), n, true);
}
}  // namespace

void JsonWriter::key(std::string_view k) {
  impl_->with([&](auto& w) { put_string(w, k, true); });
}
void JsonWriter::string(std::string_view s) {
  impl_->with([&](auto& w) { put_string(w, s, false); });
}
void JsonWriter::boolean(bool b) {
  impl_->with([&](auto& w) { w.Bool(b); });
}
void JsonWriter::integer(std::int64_t i) {
  impl_->with([&](auto& w) { w.Int64(i); });
}
void JsonWriter::unsigned_integer(std::uint64_t u) {
  impl_->with([&](auto& w) { w.Uint64(u); });
}
void JsonWriter::number(double d) {
  impl_->with([&](auto& w) { w.Double(d); });
}
void JsonWriter::null() {
  impl_->with([&](auto& w) { w.Null(); });
}
void JsonWriter::begin_object() {
  impl_->with([&](auto& w) { w.StartObject(); });
}
void JsonWriter::end_object() {
  impl_->with([&](auto& w) { w.EndObject(); });
}
void JsonWriter::begin_array() {
  impl_->with([&](auto& w) { w.StartArray(); });
}
void JsonWriter::end_array() {
  impl_->with([&](auto& w) { w.EndArray(); });
}
std::string JsonWriter::text() const { return std::string(impl_->buf.GetString(), impl_->buf.GetSize()); }

// ---- JsonDocument / JsonValue --------------------------------------------------------------

struct JsonDocument::Impl {
  rapidjson::Document doc;
};

JsonDocument::JsonDocument() : impl_(std::make_unique<Impl>()) {}
JsonDocument::JsonDocument(JsonDocument&&) noexcept = default;
JsonDocument& JsonDocument::operator=(JsonDocument&&) noexcept = default;
JsonDocument::~JsonDocument() = default;

JsonDocument JsonDocument::parse(std::string_view text) {
  JsonDocument d;
  if (const auto err = detail::parse_json(d.impl_->doc, text)) throw RecordError(err.message());
  return d;
}

JsonValue JsonDocument::root() const { return JsonValue(&impl_->doc); }

namespace {
const rapidjson::Value& val(const void* v) { return *static_cast<const rapidjson::Value*>(v); }
}  // namespace

bool JsonValue::is_null() const { return val(v_).IsNull(); }
bool JsonValue::is_bool() const { return val(v_).IsBool(); }
bool JsonValue::is_object() const { return val(v_).IsObject(); }
bool JsonValue::is_array() const { return val(v_).IsArray(); }
bool JsonValue::is_string() const { return val(v_).IsString(); }
bool JsonValue::is_number() const { return val(v_).IsNumber(); }
bool JsonValue::is_int() const { return val(v_).IsInt(); }
bool JsonValue::is_int64() const { return val(v_).IsInt64(); }
bool JsonValue::is_uint64() const { return val(v_).IsUint64(); }
const char* JsonValue::type_name() const {
  static const char* kTypes[] = {"null", "false", "true", "an object", "an array", "a string", "a number"};
  return kTypes[val(v_).GetType()];
}
std::string_view JsonValue::as_string() const { return {val(v_).GetString(), val(v_).GetStringLength()}; }
bool JsonValue::as_bool() const { return val(v_).GetBool(); }
int JsonValue::as_int() const { return val(v_).GetInt(); }
std::int64_t JsonValue::as_int64() const { return val(v_).GetInt64(); }
std::uint64_t JsonValue::as_uint64() const { return val(v_).GetUint64(); }
double JsonValue::as_double() const { return val(v_).GetDouble(); }
std::size_t JsonValue::size() const {
  const auto& v = val(v_);
  return v.IsArray() ? v.Size() : v.IsObject() ? v.MemberCount() : 0;
}
JsonValue JsonValue::at(std::size_t i) const { return JsonValue(&val(v_)[static_cast<rapidjson::SizeType>(i)]); }
std::optional<JsonValue> JsonValue::find(std::string_view key) const {
  const auto& v = val(v_);
  if (!v.IsObject()) return std::nullopt;
  const auto it = v.FindMember(rapidjson::Value(rapidjson::StringRef(key.data(), static_cast<rapidjson::SizeType>(key.size()))));
  if (it == v.MemberEnd()) return std::nullopt;
  return JsonValue(&it->value);
}
std::string_view JsonValue::member_name(std::size_t i) const {
  const auto& n = (val(v_).MemberBegin() + static_cast<rapidjson::SizeType>(i))->name;
  return {n.GetString(), n.GetStringLength()};
}
JsonValue JsonValue::member_value(std::size_t i) const {
  return JsonValue(&(val(v_).MemberBegin() + static_cast<rapidjson::SizeType>(i))->value);
}

// ---- the 0.1 record forms ------------------------------------------------------------------
namespace {

// An attr moved out of `attrs` (nullopt when absent).
std::optional<std::string> take(Attrs& a, const char* key) {
  const auto it = a.find(key);
  if (it == a.end()) return std::nullopt;
  std::string v = std::move(it->second);
  a.erase(it);
  return v;
}

// "3" -> 3, "true"/"yes" -> 1, "false"/"no" -> 0; nullopt when unreadable.
std::optional<int> count_of(const std::optional<std::string>& s) {
  if (!s) return std::nullopt;
  std::string v = detail::trim_ascii(*s);
  for (char& c : v) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (v == "true" || v == "yes") return 1;
  if (v == "false" || v == "no") return 0;
  int n = 0;
  const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || n < 0) return std::nullopt;
  return n;
}

double number_of(const std::optional<std::string>& s) {
  if (!s) return 0;
  const std::string v = detail::trim_ascii(*s);
  const auto slash = v.find('/');  // "2/3"
  if (slash != std::string::npos) {
    const auto k = count_of(v.substr(0, slash)), n = count_of(v.substr(slash + 1));
    return k && n && *n > 0 ? static_cast<double>(*k) / *n : 0;
  }
  try {
    return std::stod(v);
  } catch (...) {
    return 0;
  }
}

std::vector<std::string> list_of(const std::optional<std::string>& s, std::string_view sep) {
  std::vector<std::string> out;
  if (!s) return out;
  std::size_t start = 0;
  while (start <= s->size()) {
    const auto at = s->find(sep, start);
    std::string part = detail::trim_ascii(s->substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (!part.empty()) out.push_back(std::move(part));
    if (at == std::string::npos) break;
    start = at + sep.size();
  }
  return out;
}

void upgrade_v1(SessionDigest& d, const JsonValue& root) {
  if (d.tools.empty())
    if (const auto names = root.find("tools_used"); names && names->is_array())
      for (std::size_t i = 0; i < names->size(); ++i)
        if (names->at(i).is_string()) d.tools.push_back({std::string(names->at(i).as_string()), 0, 0});
  Attrs& a = d.attrs;
  SessionOutcome& o = d.outcome;
  if (const auto n = count_of(take(a, "tool_errors"))) {
    o.tool_errors = *n;
    o.observed = true;
  }
  if (const auto n = count_of(take(a, "aborted"))) o.aborted = *n > 0;
  if (const auto n = count_of(take(a, "interrupts"))) o.interrupts = *n;
  if (auto s = take(a, "slash_commands")) o.slash_commands = list_of(s, ",");
  if (const auto n = count_of(take(a, "compactions"))) d.compactions = *n;
  if (const auto n = count_of(take(a, "subagent_calls"))) d.subagent_calls = *n;
  for (const char* k : {"version", "cli_version"})
    if (auto v = take(a, k); v && d.agent_version.empty()) d.agent_version = *v;
  if (auto v = take(a, "model"); v && d.model.empty()) d.model = *v;
}

void upgrade_v1(TaskRecord& t, const JsonValue&) {
  Attrs& a = t.attrs;
  if (t.pattern || !a.count("pattern_id")) return;
  PatternInfo p;
  p.id = *take(a, "pattern_id");
  p.label = take(a, "pattern_label").value_or("");
  p.ready = count_of(take(a, "ready")).value_or(0) > 0;
  p.readiness = take(a, "readiness").value_or("");
  p.successes = count_of(take(a, "successes")).value_or(0);
  p.failures = count_of(take(a, "failures")).value_or(0);
  p.corrected = count_of(take(a, "corrected")).value_or(0);
  p.success_ratio = number_of(take(a, "success_ratio"));
  p.tool_chain = list_of(take(a, "tool_chain"), "->");
  p.tool_chain_support = number_of(take(a, "tool_chain_support"));
  p.skills = list_of(take(a, "skills"), ",");
  p.files = list_of(take(a, "files"), ",");
  if (auto ev = take(a, "evidence"); ev && !ev->empty()) {
    try {
      const JsonDocument doc = JsonDocument::parse(*ev);
      json_fields::read_value(doc.root(), p.evidence, "/attrs/evidence");
    } catch (const RecordError& e) {
      throw RecordError(std::string("task ") + t.id + ": the 0.1 pattern evidence does not read: " + e.what(), t.id);
    }
  }
  p.cluster_size = static_cast<int>(t.source_sessions.size());
  p.first_seen = take(a, "first_seen").value_or("");
  p.last_seen = take(a, "last_seen").value_or("");
  p.created_at = take(a, "created_at").value_or("");
  p.new_members = count_of(take(a, "new_members")).value_or(0);
  p.min_successes = count_of(take(a, "min_task_count")).value_or(0);
  p.min_success_ratio = number_of(take(a, "min_success_ratio"));
  t.pattern = std::move(p);
}

template <class T>
void read_record(std::string_view text, T& out) {
  const JsonDocument doc = JsonDocument::parse(text);
  const JsonValue root = doc.root();
  if (!root.is_object()) throw RecordError("expected a JSON object");
  out = T{};
  json_fields::read(root, out, json_fields::Path{});
  if constexpr (requires { upgrade_v1(out, root); }) upgrade_v1(out, root);
}

}  // namespace

std::string to_json(const SessionDigest& r) { return write_json(r); }
std::string to_json(const TaskRecord& r) { return write_json(r); }
std::string to_json(const ReplayResult& r) { return write_json(r); }
std::string to_json(const Verdict& r) { return write_json(r); }
std::string to_json(const Edit& r) { return write_json(r); }
std::string to_json(const SkillDocument& r) { return write_json(r); }
std::string to_json(const Proposal& r) { return write_json(r); }
std::string to_json(const NightReport& r) { return write_json(r); }
std::string to_json(const RuleCheck& r) { return write_json(r); }
std::string to_json_pretty(const NightReport& r) { return write_json(r, true) + "\n"; }

void from_json(std::string_view t, SessionDigest& o) { read_record(t, o); }
void from_json(std::string_view t, TaskRecord& o) { read_record(t, o); }
void from_json(std::string_view t, ReplayResult& o) { read_record(t, o); }
void from_json(std::string_view t, Verdict& o) { read_record(t, o); }
void from_json(std::string_view t, Edit& o) { read_record(t, o); }
void from_json(std::string_view t, SkillDocument& o) { read_record(t, o); }
void from_json(std::string_view t, Proposal& o) { read_record(t, o); }
void from_json(std::string_view t, NightReport& o) { read_record(t, o); }
void from_json(std::string_view t, RuleCheck& o) { read_record(t, o); }

std::string json_escape(std::string_view s) {
  JsonWriter w;
  w.string(s);
  const std::string quoted = w.text();
  return quoted.substr(1, quoted.size() - 2);
}

std::string json_quote(std::string_view s) { return "\"" + json_escape(s) + "\""; }

bool for_each_jsonl_line(const std::string& path,
                         const std::function<void(std::string_view, std::int64_t)>& fn,
                         JsonlStats* stats) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::string line;
  std::int64_t no = 0;
  JsonlStats local;
  while (std::getline(in, line)) {
    ++no;
    const bool complete = !in.eof();  // getline hit '\n'
    if (detail::trim_ascii(line).empty()) continue;
    if (!complete) {
      rapidjson::Document d;
      if (detail::parse_json(d, line)) {
        local.torn_tail = true;
        ++local.bad_lines;
        break;
      }
    }
    ++local.lines;
    fn(line, no);
  }
  if (stats) *stats = local;
  return true;
}

}  // namespace skillpipe
