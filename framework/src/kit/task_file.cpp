// task_file.cpp - reading and writing reviewable task files (task_file.hpp).
#include "skillpipe/kit/task_file.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <cstdio>
#include <set>

#include "skillpipe/errors.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe_internal/json_parse.hpp"

namespace skillpipe {
namespace {

using Value = rapidjson::Value;
using Alloc = rapidjson::Document::AllocatorType;

std::string to_text(const Value& v) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  v.Accept(w);
  return std::string(sb.GetString(), sb.GetSize());
}

// A scalar as the text a person would write: 280 -> "280", 0.5 -> "0.5", true -> "true".
std::string scalar_text(const Value& v) {
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  if (v.IsUint64()) return std::to_string(v.GetUint64());
  if (v.IsDouble()) {
    const double d = v.GetDouble();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e15) return std::to_string(static_cast<long long>(d));
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", d);
    return buf;
  }
  return to_text(v);
}

void set_string(Value& obj, const char* key, const std::string& s, Alloc& a) {
  Value v(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), a);
  auto it = obj.FindMember(key);
  if (it != obj.MemberEnd()) it->value = v;
  else obj.AddMember(Value(key, a), v, a);
}

bool has_string(const Value& obj, const char* key) {
  auto it = obj.FindMember(key);
  return it != obj.MemberEnd() && it->value.IsString() && it->value.GetStringLength() > 0;
}

void rename_if_missing(Value& obj, const char* from, const char* to, Alloc& a) {
  if (has_string(obj, to)) return;
  auto it = obj.FindMember(from);
  if (it == obj.MemberEnd() || !it->value.IsString()) return;
  const std::string s(it->value.GetString(), it->value.GetStringLength());
  set_string(obj, to, s, a);
}

bool is_group_op(const Value& check) {
  auto op = check.FindMember("op");
  if (op == check.MemberEnd() || !op->value.IsString()) return false;
  const std::string_view s(op->value.GetString(), op->value.GetStringLength());
  return s == "any_of" || s == "all_of" || s == "none_of";
}

void normalize_checks(Value& checks, Alloc& a);

void normalize_check(Value& c, Alloc& a) {
  if (!c.IsObject()) return;  // from_json reports it with its path
  const bool group = is_group_op(c);
  // Groups may list their checks under "checks" or as an array "arg".
  if (group && !c.HasMember("children")) {
    for (const char* alt : {"checks", "arg"}) {
      auto it = c.FindMember(alt);
      if (it != c.MemberEnd() && it->value.IsArray()) {
        Value kids(it->value, a);
        c.RemoveMember(alt);
        c.AddMember("children", kids, a);
        break;
      }
    }
  }
  for (const char* key : {"arg", "arg2"}) {
    auto it = c.FindMember(key);
    if (it == c.MemberEnd()) continue;
    if (it->value.IsNull()) {
      c.RemoveMember(key);
    } else if (!it->value.IsString()) {
      // arg2 of json_field_equals is JSON text; a bare value in the file is that JSON.
      const std::string s = std::string(key) == "arg2" ? to_text(it->value) : scalar_text(it->value);
      it->value.SetString(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), a);
    }
  }
  for (const char* alt : {"ignore_case", "icase"}) {
    auto it = c.FindMember(alt);
    if (it != c.MemberEnd() && it->value.IsBool() && !c.HasMember("case_insensitive")) {
      const bool b = it->value.GetBool();
      c.RemoveMember(alt);
      c.AddMember("case_insensitive", b, a);
    }
  }
  auto kids = c.FindMember("children");
  if (kids != c.MemberEnd()) normalize_checks(kids->value, a);
}

void normalize_checks(Value& checks, Alloc& a) {
  if (!checks.IsArray()) return;
  for (auto& c : checks.GetArray()) normalize_check(c, a);
}

void normalize_task(Value& t, Alloc& a) {
  rename_if_missing(t, "task_id", "id", a);
  rename_if_missing(t, "task", "intent", a);
  rename_if_missing(t, "prompt", "intent", a);
  if (auto it = t.FindMember("split"); it != t.MemberEnd() && it->value.IsString()) {
    const std::string s = to_lower_ascii(std::string(it->value.GetString(), it->value.GetStringLength()));
    const std::string n = s == "replay" ? "train" : s == "holdout" ? "val" : s;
    it->value.SetString(n.c_str(), static_cast<rapidjson::SizeType>(n.size()), a);
  }
  if (auto it = t.FindMember("reference_kind"); it != t.MemberEnd() && it->value.IsString() &&
                                                  std::string_view(it->value.GetString()) == "answer")
    it->value.SetString("exact", a);
  if (auto it = t.FindMember("tags"); it != t.MemberEnd() && it->value.IsString()) {
    Value arr(rapidjson::kArrayType);
    arr.PushBack(Value(it->value, a), a);
    it->value = arr;
  }
  if (auto it = t.FindMember("attrs"); it != t.MemberEnd() && it->value.IsObject()) {
    for (auto m = it->value.MemberBegin(); m != it->value.MemberEnd(); ++m)
      if (!m->value.IsString()) {
        const std::string s = m->value.IsNull() ? "" : scalar_text(m->value);
        m->value.SetString(s.c_str(), static_cast<rapidjson::SizeType>(s.size()), a);
      }
  }
  std::string judge_kind;
  if (auto j = t.FindMember("judge"); j != t.MemberEnd() && j->value.IsObject()) {
    Value& judge = j->value;
    if (auto c = judge.FindMember("checks"); c != judge.MemberEnd()) normalize_checks(c->value, a);
    if (!has_string(judge, "kind")) {
      auto c = judge.FindMember("checks");
      if (c != judge.MemberEnd() && c->value.IsArray() && !c->value.Empty()) set_string(judge, "kind", "rule", a);
      else if (has_string(judge, "rubric")) set_string(judge, "kind", "rubric", a);
    }
    if (auto k = judge.FindMember("kind"); k != judge.MemberEnd() && k->value.IsString()) judge_kind = k->value.GetString();
  }
  if (!has_string(t, "reference_kind")) {
    if (judge_kind == "rule") set_string(t, "reference_kind", "rule", a);
    else if (judge_kind == "rubric") set_string(t, "reference_kind", "rubric", a);
  }
  if (!has_string(t, "id") && has_string(t, "intent")) {
    const std::string intent = t["intent"].GetString();
    set_string(t, "id", "file_" + sha256_hex(intent).substr(0, 12), a);
  }
}

TaskRecord task_from_value(Value& v, Alloc& a) {
  if (!v.IsObject()) throw RecordError("expected a task object");
  normalize_task(v, a);
  TaskRecord t;
  from_json(to_text(v), t);
  if (trim(t.intent).empty()) throw RecordError("task " + (t.id.empty() ? std::string("(no id)") : t.id) + " has no intent");
  return t;
}

bool is_header(const Value& v) {
  return v.IsObject() && has_string(v, "format") && !v.HasMember("intent") && !v.HasMember("task") &&
         !v.HasMember("id") && !v.HasMember("task_id");
}

bool truthy(const Value& v) {
  if (v.IsBool()) return v.GetBool();
  if (v.IsString()) {
    const std::string s = to_lower_ascii(trim(std::string(v.GetString(), v.GetStringLength())));
    return s == "true" || s == "yes";
  }
  return false;
}

void read_header(const Value& h, TaskFile& f) {
  f.has_header = true;
  f.format = h["format"].GetString();
  for (auto m = h.MemberBegin(); m != h.MemberEnd(); ++m) {
    const std::string k(m->name.GetString(), m->name.GetStringLength());
    if (k == "format" || k == "tasks") continue;
    if (k == "reviewed") f.reviewed = truthy(m->value);
    else f.meta[k] = m->value.IsNull() ? "" : scalar_text(m->value);
  }
}

std::string where(const std::string& path, std::int64_t line) {
  return line > 0 ? path + ":" + std::to_string(line) : path;
}

void finish(TaskFile& f) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < f.tasks.size(); ++i)
    if (!seen.insert(f.tasks[i].id).second)
      throw RecordError(where(f.path, f.lines[i]) + ": duplicate task id '" + f.tasks[i].id + "'", f.tasks[i].id);
  if (!f.has_header) {
    f.reviewed = !f.tasks.empty();
    for (const auto& t : f.tasks) {
      auto it = t.attrs.find("reviewed");
      if (it == t.attrs.end() || to_lower_ascii(trim(it->second)) != "true") f.reviewed = false;
    }
  }
}

}  // namespace

TaskRecord task_from_json_lenient(std::string_view json) {
  rapidjson::Document d;
  if (const auto err = detail::parse_json(d, json)) throw RecordError(err.message());
  return task_from_value(d, d.GetAllocator());
}

std::vector<RuleCheck> rule_checks_from_json_lenient(std::string_view json_array) {
  rapidjson::Document d;
  if (const auto err = detail::parse_json(d, json_array)) throw RecordError("checks: " + err.message());
  if (!d.IsArray()) throw RecordError("checks: expected an array of {op, arg} objects");
  normalize_checks(d, d.GetAllocator());
  std::vector<RuleCheck> out;
  for (rapidjson::SizeType i = 0; i < d.Size(); ++i) {
    try {
      RuleCheck c;
      from_json(to_text(d[i]), c);
      out.push_back(std::move(c));
    } catch (const RecordError& e) {
      throw RecordError("checks/" + std::to_string(i) + ": " + e.what());
    }
  }
  return out;
}

TaskFile parse_task_file(std::string_view text, const std::string& path) {
  TaskFile f;
  f.path = path;
  const std::string body = trim(text);
  // Single-document formats: a bare array, or an object holding "tasks".
  // Too deep to parse whole: the line-by-line reading below names the line.
  if (!body.empty() && (body[0] == '[' || body[0] == '{')) {
    rapidjson::Document d;
    const bool whole = !detail::parse_json(d, body) && (d.IsArray() || (d.IsObject() && d.HasMember("tasks")));
    if (whole) {
      Value* arr = &d;
      if (d.IsObject()) {
        if (!d["tasks"].IsArray()) throw RecordError(path + ": \"tasks\" must be an array");
        read_header(d, f);
        if (f.format.empty()) f.format = "object";
        arr = &d["tasks"];
      } else {
        f.format = "array";
      }
      for (rapidjson::SizeType i = 0; i < arr->Size(); ++i) {
        try {
          f.tasks.push_back(task_from_value((*arr)[i], d.GetAllocator()));
          f.lines.push_back(0);
        } catch (const RecordError& e) {
          throw RecordError(path + ": task " + std::to_string(i) + ": " + e.what());
        }
      }
      finish(f);
      return f;
    }
  }
  // JSONL, with an optional header line.
  f.format = "jsonl";
  std::int64_t line_no = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string line = trim(text.substr(start, nl - start));
    start = nl + 1;
    ++line_no;
    if (line.empty()) continue;
    rapidjson::Document d;
    if (const auto err = detail::parse_json(d, line)) {
      if (err.kind == detail::JsonParseError::Kind::too_deep) throw RecordError(where(path, line_no) + ": " + err.message());
      throw RecordError(where(path, line_no) + ": invalid JSON at column " + std::to_string(err.offset + 1) + ": " + err.reason);
    }
    if (f.tasks.empty() && !f.has_header && is_header(d)) {
      read_header(d, f);
      continue;
    }
    try {
      f.tasks.push_back(task_from_value(d, d.GetAllocator()));
      f.lines.push_back(line_no);
    } catch (const RecordError& e) {
      throw RecordError(where(path, line_no) + ": " + e.what(), e.record_id());
    }
  }
  finish(f);
  return f;
}

TaskFile read_task_file(const std::string& path) {
  // 64 MiB holds ~100,000 reviewed tasks; a path to a device or a huge file ends here at once.
  const FileText file = read_regular_file(path, std::uintmax_t{64} << 20);
  if (!file.text) throw Error("cannot read task file " + path + ": it " + file.error);
  return parse_task_file(*file.text, path);
}

std::string task_file_text(const std::vector<TaskRecord>& tasks, const Attrs& meta, bool reviewed) {
  std::string out = "{\"format\":" + json_quote(kTaskFileFormat) + ",\"reviewed\":" + (reviewed ? "true" : "false");
  for (const auto& [k, v] : meta)
    if (k != "format" && k != "reviewed") out += "," + json_quote(k) + ":" + json_quote(v);
  out += "}\n";
  for (const auto& t : tasks) out += to_json(t) + "\n";
  return out;
}

}  // namespace skillpipe
