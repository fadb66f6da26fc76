// Record <-> JSON. The field lists live in json_fields.hpp; this file only knows how to write
// and read each C++ value type.
#include "skillpipe/json.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <fstream>

#include "json_fields.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/util.hpp"

namespace skillpipe {
namespace {

template <class T>
constexpr bool kIsEnum = std::is_enum_v<T>;

// ---- writing ---------------------------------------------------------------------------

template <class W>
class Out {
 public:
  explicit Out(W& w) : w_(w) {}

  template <class T>
  void operator()(const char* key, const T& value) {
    w_.Key(key);
    write(value);
  }

  void write(const std::string& s) {
    // Invalid UTF-8 would make the line unreadable elsewhere; repair a copy.
    if (!utf8_valid(s)) {
      std::string copy = s;
      repair_utf8(copy);
      w_.String(copy.data(), static_cast<rapidjson::SizeType>(copy.size()));
      return;
    }
    w_.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  }
  void write(bool b) { w_.Bool(b); }
  void write(int i) { w_.Int(i); }
  void write(std::int64_t i) { w_.Int64(i); }
  void write(double d) { w_.Double(d); }
  void write(const std::optional<double>& d) {
    if (d) w_.Double(*d);
    else w_.Null();
  }
  template <class E>
  requires kIsEnum<E> void write(E e) {
    w_.String(to_string(e));
  }
  template <class T>
  void write(const std::vector<T>& v) {
    w_.StartArray();
    for (const auto& x : v) write(x);
    w_.EndArray();
  }
  template <class T>
  void write(const std::map<std::string, T>& m) {
    w_.StartObject();
    for (const auto& [k, x] : m) {
      w_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
      write(x);
    }
    w_.EndObject();
  }
  template <class T>
  requires std::is_class_v<T> void write(const T& rec) {
    w_.StartObject();
    detail::fields(*this, rec);
    w_.EndObject();
  }

 private:
  W& w_;
};

template <class T>
std::string write_record(const T& rec) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  Out out(w);
  w.StartObject();
  if constexpr (requires { T::kSchemaVersion; }) {
    w.Key("schema");
    w.Int(T::kSchemaVersion);
  }
  detail::fields(out, rec);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

// ---- reading ---------------------------------------------------------------------------

class In {
 public:
  In(const rapidjson::Value& obj, std::string path) : obj_(obj), path_(std::move(path)) {}

  template <class T>
  void operator()(const char* key, T& field) {
    auto it = obj_.FindMember(key);
    if (it == obj_.MemberEnd() || it->value.IsNull()) return;  // missing: keep the default
    read(it->value, field, path_ + "/" + key);
  }

  static void read(const rapidjson::Value& v, std::string& out, const std::string& path) {
    if (!v.IsString()) fail(path, "a string", v);
    out.assign(v.GetString(), v.GetStringLength());
  }
  static void read(const rapidjson::Value& v, bool& out, const std::string& path) {
    if (!v.IsBool()) fail(path, "true or false", v);
    out = v.GetBool();
  }
  static void read(const rapidjson::Value& v, int& out, const std::string& path) {
    if (!v.IsInt()) fail(path, "an integer", v);
    out = v.GetInt();
  }
  static void read(const rapidjson::Value& v, std::int64_t& out, const std::string& path) {
    if (!v.IsInt64()) fail(path, "an integer", v);
    out = v.GetInt64();
  }
  static void read(const rapidjson::Value& v, double& out, const std::string& path) {
    if (!v.IsNumber()) fail(path, "a number", v);
    out = v.GetDouble();
  }
  static void read(const rapidjson::Value& v, std::optional<double>& out, const std::string& path) {
    double d = 0;
    read(v, d, path);
    out = d;
  }
  template <class E>
  requires kIsEnum<E> static void read(const rapidjson::Value& v, E& out, const std::string& path) {
    std::string s;
    read(v, s, path);
    std::optional<E> parsed;
    if constexpr (std::is_same_v<E, Outcome>) parsed = parse_outcome(s);
    else if constexpr (std::is_same_v<E, ReferenceKind>) parsed = parse_reference_kind(s);
    else if constexpr (std::is_same_v<E, Split>) parsed = parse_split(s);
    else if constexpr (std::is_same_v<E, Origin>) parsed = parse_origin(s);
    else if constexpr (std::is_same_v<E, EditTarget>) parsed = parse_edit_target(s);
    else if constexpr (std::is_same_v<E, EditOp>) parsed = parse_edit_op(s);
    else if constexpr (std::is_same_v<E, EditKind>) parsed = parse_edit_kind(s);
    if (!parsed) throw RecordError(path + ": unknown value \"" + s + "\"");
    out = *parsed;
  }
  template <class T>
  static void read(const rapidjson::Value& v, std::vector<T>& out, const std::string& path) {
    if (!v.IsArray()) fail(path, "an array", v);
    out.clear();
    out.reserve(v.Size());
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
      T item{};
      read(v[i], item, path + "/" + std::to_string(i));
      out.push_back(std::move(item));
    }
  }
  template <class T>
  static void read(const rapidjson::Value& v, std::map<std::string, T>& out, const std::string& path) {
    if (!v.IsObject()) fail(path, "an object", v);
    out.clear();
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      std::string k(it->name.GetString(), it->name.GetStringLength());
      T item{};
      read(it->value, item, path + "/" + k);
      out.emplace(std::move(k), std::move(item));
    }
  }
  template <class T>
  requires std::is_class_v<T> static void read(const rapidjson::Value& v, T& out, const std::string& path) {
    if (!v.IsObject()) fail(path, "an object", v);
    In in(v, path);
    detail::fields(in, out);
  }

 private:
  [[noreturn]] static void fail(const std::string& path, const char* expected, const rapidjson::Value& v) {
    static const char* kTypes[] = {"null", "false", "true", "an object", "an array", "a string", "a number"};
    throw RecordError("field " + (path.empty() ? std::string("/") : path) + ": expected " + expected +
                      ", got " + kTypes[v.GetType()]);
  }
  const rapidjson::Value& obj_;
  std::string path_;
};

template <class T>
void read_record(std::string_view text, T& out) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError()) {
    throw RecordError(std::string("invalid JSON at offset ") + std::to_string(doc.GetErrorOffset()) + ": " +
                      rapidjson::GetParseError_En(doc.GetParseError()));
  }
  if (!doc.IsObject()) throw RecordError("expected a JSON object");
  out = T{};
  In in(doc, "");
  detail::fields(in, out);
}

}  // namespace

std::string to_json(const SessionDigest& r) { return write_record(r); }
std::string to_json(const TaskRecord& r) { return write_record(r); }
std::string to_json(const ReplayResult& r) { return write_record(r); }
std::string to_json(const Verdict& r) { return write_record(r); }
std::string to_json(const Edit& r) { return write_record(r); }
std::string to_json(const SkillDocument& r) { return write_record(r); }
std::string to_json(const Proposal& r) { return write_record(r); }
std::string to_json(const NightReport& r) { return write_record(r); }
std::string to_json(const RuleCheck& r) { return write_record(r); }

std::string to_json_pretty(const NightReport& r) {
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
  w.SetIndent(' ', 2);
  Out out(w);
  w.StartObject();
  w.Key("schema");
  w.Int(NightReport::kSchemaVersion);
  detail::fields(out, r);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

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
  std::string copy(s);
  repair_utf8(copy);
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.String(copy.data(), static_cast<rapidjson::SizeType>(copy.size()));
  std::string quoted(buf.GetString(), buf.GetSize());
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
    if (trim(line).empty()) continue;
    if (!complete) {
      rapidjson::Document d;
      d.Parse(line.data(), line.size());
      if (d.HasParseError()) {
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
