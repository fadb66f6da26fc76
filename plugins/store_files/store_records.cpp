#include "store_records.hpp"

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include "skillpipe/errors.hpp"
#include "skillpipe_internal/json_parse.hpp"

namespace skillpipe::store_files {
namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void put(Writer& w, const char* k, const std::string& v) {
  w.Key(k);
  w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
}
void put(Writer& w, const char* k, int v) {
  w.Key(k);
  w.Int(v);
}
void put(Writer& w, const char* k, bool v) {
  w.Key(k);
  w.Bool(v);
}
void put(Writer& w, const char* k, const std::vector<std::string>& v) {
  w.Key(k);
  w.StartArray();
  for (const auto& s : v) w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
  w.EndArray();
}

// Reads fields with the type the store wrote; a wrong type is an error naming the field.
class In {
 public:
  In(const rapidjson::Value& v, std::string where) : v_(v), where_(std::move(where)) {}
  std::string str(const char* k) const {
    const auto it = v_.FindMember(k);
    if (it == v_.MemberEnd() || it->value.IsNull()) return {};
    if (!it->value.IsString()) fail(k, "a string");
    return {it->value.GetString(), it->value.GetStringLength()};
  }
  int integer(const char* k, int def = 0) const {
    const auto it = v_.FindMember(k);
    if (it == v_.MemberEnd()) return def;
    if (!it->value.IsInt()) fail(k, "an integer");
    return it->value.GetInt();
  }
  bool boolean(const char* k) const {
    const auto it = v_.FindMember(k);
    if (it == v_.MemberEnd()) return false;
    if (!it->value.IsBool()) fail(k, "true or false");
    return it->value.GetBool();
  }
  std::vector<std::string> strings(const char* k) const {
    std::vector<std::string> out;
    for (const auto& e : array(k)) {
      if (!e.IsString()) fail(k, "an array of strings");
      out.emplace_back(e.GetString(), e.GetStringLength());
    }
    return out;
  }
  rapidjson::Value::ConstArray array(const char* k) const {
    static const rapidjson::Value kEmpty(rapidjson::kArrayType);
    const auto it = v_.FindMember(k);
    if (it == v_.MemberEnd()) return kEmpty.GetArray();
    if (!it->value.IsArray()) fail(k, "an array");
    return it->value.GetArray();
  }
  In at(const rapidjson::Value& v, const std::string& sub) const {
    if (!v.IsObject()) throw Error(where_ + ": " + sub + " must be an object");
    return In(v, where_ + " " + sub);
  }
  [[noreturn]] void fail(const char* k, const char* expected) const {
    throw Error(where_ + ": field \"" + k + "\" must be " + expected);
  }

 private:
  const rapidjson::Value& v_;
  std::string where_;
};

void parse_object(rapidjson::Document& d, std::string_view text, const std::string& where) {
  if (const auto err = skillpipe::detail::parse_json(d, text)) throw Error(where + ": " + err.message());
  if (!d.IsObject()) throw Error(where + ": expected a JSON object");
}

}  // namespace

std::string to_json(const Manifest& m) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.StartObject();
  put(w, "schema", std::string("skillpipe-night-manifest"));
  put(w, "schema_version", m.schema_version);
  put(w, "project", m.project);
  put(w, "night_id", m.night_id);
  put(w, "created_at", m.created_at);
  put(w, "night_realpath", m.night_realpath);
  put(w, "gate_action", m.gate_action);
  put(w, "has_report", m.has_report);
  w.Key("proposals");
  w.StartArray();
  for (const auto& e : m.proposals) {
    w.StartObject();
    put(w, "name", e.name);
    put(w, "target", e.target);
    put(w, "status", e.status);
    put(w, "reasons", e.reasons);
    put(w, "live_path", e.live_path);
    put(w, "live_realpath", e.live_realpath);
    put(w, "live_existed", e.live_existed);
    put(w, "live_sha256", e.live_sha256);
    put(w, "proposed_file", e.proposed_file);
    put(w, "proposed_realpath", e.proposed_realpath);
    put(w, "sha256", e.sha256);
    put(w, "diff_file", e.diff_file);
    put(w, "added", e.added);
    put(w, "removed", e.removed);
    put(w, "refusal", e.refusal);
    put(w, "changed_during_night", e.changed_during_night);
    w.EndObject();
  }
  w.EndArray();
  w.Key("files");
  w.StartArray();
  for (const auto& [path, sha] : m.files) {
    w.StartObject();
    put(w, "path", path);
    put(w, "sha256", sha);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize()) + "\n";
}

Manifest parse_manifest(std::string_view text, const std::string& where) {
  rapidjson::Document d;
  parse_object(d, text, where);
  In in(d, where);
  Manifest m;
  if (in.str("schema") != "skillpipe-night-manifest") in.fail("schema", "\"skillpipe-night-manifest\"");
  m.schema_version = in.integer("schema_version", 1);
  if (m.schema_version != 1)
    throw Error(where + ": manifest schema_version " + std::to_string(m.schema_version) +
                " is newer than this skillpipe understands");
  m.project = in.str("project");
  m.night_id = in.str("night_id");
  m.created_at = in.str("created_at");
  m.night_realpath = in.str("night_realpath");
  m.gate_action = in.str("gate_action");
  m.has_report = in.boolean("has_report");
  int i = 0;
  for (const auto& v : in.array("proposals")) {
    const In p = in.at(v, "proposals[" + std::to_string(i++) + "]");
    ManifestEntry e;
    e.name = p.str("name");
    e.target = p.str("target");
    e.status = p.str("status");
    e.reasons = p.strings("reasons");
    e.live_path = p.str("live_path");
    e.live_realpath = p.str("live_realpath");
    e.live_existed = p.boolean("live_existed");
    e.live_sha256 = p.str("live_sha256");
    e.proposed_file = p.str("proposed_file");
    e.proposed_realpath = p.str("proposed_realpath");
    e.sha256 = p.str("sha256");
    e.diff_file = p.str("diff_file");
    e.added = p.integer("added");
    e.removed = p.integer("removed");
    e.refusal = p.str("refusal");
    e.changed_during_night = p.boolean("changed_during_night");
    if (e.name.empty() || e.proposed_file.empty() || e.sha256.empty()) {
      throw Error(where + ": proposal " + std::to_string(i - 1) + " lacks name, proposed_file or sha256");
    }
    m.proposals.push_back(std::move(e));
  }
  i = 0;
  for (const auto& v : in.array("files")) {
    const In f = in.at(v, "files[" + std::to_string(i++) + "]");
    m.files.emplace_back(f.str("path"), f.str("sha256"));
  }
  return m;
}

std::string to_json(const Txn& t) {
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  auto s = [&](const char* k, const std::string& v) {
    w.Key(k);
    w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
  };
  auto n = [&](const char* k, int v) {
    w.Key(k);
    w.Int(v);
  };
  w.StartObject();
  s("schema", "skillpipe-adoption");
  n("version", t.version);
  s("action", t.action);
  s("night_id", t.night_id);
  s("at", t.at);
  n("to_version", t.to_version);
  w.Key("files");
  w.StartArray();
  for (const auto& f : t.files) {
    w.StartObject();
    s("name", f.name);
    s("target", f.target);
    s("live_path", f.live_path);
    s("live_realpath", f.live_realpath);
    s("sha_before", f.sha_before);
    s("sha_after", f.sha_after);
    s("night_id", f.night_id);
    n("added", f.added);
    n("removed", f.removed);
    n("reverts", f.reverts);
    w.Key("dirs_created");
    w.Int(f.dirs_created);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

Txn parse_txn(std::string_view text, const std::string& where) {
  rapidjson::Document d;
  parse_object(d, text, where);
  In in(d, where);
  Txn t;
  if (in.str("schema") != "skillpipe-adoption") in.fail("schema", "\"skillpipe-adoption\"");
  t.version = in.integer("version");
  t.action = in.str("action");
  t.night_id = in.str("night_id");
  t.at = in.str("at");
  t.to_version = in.integer("to_version", -1);
  if (t.version <= 0 || (t.action != "adopt" && t.action != "rollback")) {
    throw Error(where + ": needs a positive \"version\" and \"action\" adopt or rollback");
  }
  int i = 0;
  for (const auto& v : in.array("files")) {
    const In f = in.at(v, "files[" + std::to_string(i++) + "]");
    TxnFile x;
    x.name = f.str("name");
    x.target = f.str("target");
    x.live_path = f.str("live_path");
    x.live_realpath = f.str("live_realpath");
    x.sha_before = f.str("sha_before");
    x.sha_after = f.str("sha_after");
    x.night_id = f.str("night_id");
    x.added = f.integer("added");
    x.removed = f.integer("removed");
    x.reverts = f.integer("reverts");
    // Receipts before dirs_created said only whether the innermost directory was created.
    x.dirs_created = f.integer("dirs_created", f.boolean("parent_created") ? 1 : 0);
    if (x.live_realpath.empty()) throw Error(where + ": a file entry lacks live_realpath");
    t.files.push_back(std::move(x));
  }
  return t;
}

}  // namespace skillpipe::store_files
