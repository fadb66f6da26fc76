// skillpipe docs pipeline-reference [--plugin-path DIR]: every discovered plugin's
// description and config schema as Markdown (docs/plugins-reference.md is generated with it),
// so the reference can never drift from what `skillpipe validate` enforces.
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <regex>

#include "cli_common.hpp"
#include "host/plugin_registry.hpp"
#include "sdk/suggest.hpp"
#include "skillpipe/abi.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe_internal/json_parse.hpp"

namespace skillpipe::app {
namespace {

using Value = rapidjson::Value;

// Text for one Markdown table cell: one line, no pipes, no HTML tags.
std::string cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\n' || c == '\r' || c == '\t')
      out += ' ';
    else if (c == '|')
      out += "\\|";
    else if (c == '<')
      out += "&lt;";
    else
      out += c;
  }
  return trim(out);
}

std::string json_text(const Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

std::string literal(const Value& v) {
  return "`" + cell(v.IsString() ? std::string(v.GetString()) : json_text(v)) + "`";
}

std::string type_of(const Value& s) {
  if (!s.IsObject()) return "any";
  if (s.HasMember("enum") && s["enum"].IsArray()) {
    std::string out = "one of ";
    bool first = true;
    for (const auto& e : s["enum"].GetArray()) out += (first ? "" : ", ") + literal(e), first = false;
    return out;
  }
  for (const char* alt : {"oneOf", "anyOf"}) {
    if (s.HasMember(alt) && s[alt].IsArray()) {
      std::string out;
      for (const auto& e : s[alt].GetArray()) out += (out.empty() ? "" : " or ") + type_of(e);
      return out;
    }
  }
  std::string t;
  if (s.HasMember("type")) {
    if (s["type"].IsString())
      t = s["type"].GetString();
    else if (s["type"].IsArray())
      for (const auto& e : s["type"].GetArray())
        if (e.IsString()) t += (t.empty() ? "" : " or ") + std::string(e.GetString());
  }
  if (t == "array" && s.HasMember("items")) t = "array of " + type_of(s["items"]);
  if (t.empty()) t = "any";
  const bool has_min = s.HasMember("minimum") && s["minimum"].IsNumber();
  const bool has_max = s.HasMember("maximum") && s["maximum"].IsNumber();
  if (has_min && has_max)
    t += " (" + json_text(s["minimum"]) + "–" + json_text(s["maximum"]) + ")";
  else if (has_min)
    t += " (≥ " + json_text(s["minimum"]) + ")";
  else if (has_max)
    t += " (≤ " + json_text(s["maximum"]) + ")";
  return t;
}

std::string stated_default(const std::string& d);

// A schema "default": null means "unset unless the description says what is used instead";
// that reads "none". A description "auto (default): ..." or "pass (compatible, default)" names
// the default as the word before the parenthesis.
std::string default_of(const Value& s) {
  const bool unset = s.IsObject() && s.HasMember("default") && s["default"].IsNull();
  if (s.IsObject() && s.HasMember("default") && !unset) return literal(s["default"]);
  if (!s.IsObject() || !s.HasMember("description") || !s["description"].IsString()) return unset ? "none" : "";
  const std::string d = s["description"].GetString();
  static const std::regex kWordDefault(R"(([A-Za-z_][\w-]*) \((?:[^()]*, )?default\))");
  if (std::smatch m; std::regex_search(d, m, kWordDefault)) return "`" + cell(m[1].str()) + "`";
  const std::string stated = stated_default(d);
  return stated.empty() && unset ? "none" : stated;
}

// The value a description states: "(default X)", "(default: X)", "; default X", "Default: X",
// "defaults to X", or a description starting "Default X". The value runs to the closing
// parenthesis, a ';' or the end of the sentence; nested parentheses are kept.
std::string stated_default(const std::string& d) {
  std::size_t at = std::string::npos;
  for (const char* marker :
       {"(default: ", "(default ", "; default ", "Default: ", "default: ", "Defaults to ", "defaults to "}) {
    const auto m = d.find(marker);
    if (m != std::string::npos && m < at) at = m + std::string(marker).size();
  }
  if (at == std::string::npos && d.rfind("Default ", 0) == 0) at = 8;
  if (at == std::string::npos) return "";
  std::string v;
  int depth = 0;
  for (std::size_t i = at; i < d.size(); ++i) {
    const char c = d[i];
    if (c == '(') ++depth;
    if (c == ')' && depth-- == 0) break;
    if (c == ';' && depth == 0) break;
    if (c == '.' && depth == 0 && (i + 1 == d.size() || d[i + 1] == ' ')) break;
    v += c;
  }
  v = trim(v);
  if (v.size() > 60) v = truncate_utf8(v, 60);
  return cell(v);
}

void property_rows(const Value& schema, const std::string& prefix, std::string& out) {
  if (!schema.IsObject() || !schema.HasMember("properties") || !schema["properties"].IsObject()) return;
  std::vector<std::string> required;
  if (schema.HasMember("required") && schema["required"].IsArray())
    for (const auto& r : schema["required"].GetArray())
      if (r.IsString()) required.emplace_back(r.GetString());
  for (auto m = schema["properties"].MemberBegin(); m != schema["properties"].MemberEnd(); ++m) {
    const std::string key = prefix + m->name.GetString();
    const Value& p = m->value;
    const bool req = std::find(required.begin(), required.end(), m->name.GetString()) != required.end();
    std::string desc =
        p.IsObject() && p.HasMember("description") && p["description"].IsString() ? p["description"].GetString() : "";
    out += "| `" + cell(key) + "`" + (req ? " (required)" : "") + " | " + cell(type_of(p)) + " | " + default_of(p) +
           " | " + cell(desc) + " |\n";
    if (p.IsObject()) {
      property_rows(p, key + ".", out);
      if (p.HasMember("items")) property_rows(p["items"], key + "[].", out);
    }
  }
}

int kind_rank(StageKind k) {
  switch (k) {
    case StageKind::kHarvester:
      return 0;
    case StageKind::kMiner:
      return 1;
    case StageKind::kJudge:
      return 2;
    case StageKind::kConsolidator:
      return 3;
    case StageKind::kBackend:
      return 4;
    case StageKind::kStore:
      return 5;
  }
  return 6;
}

int pipeline_reference(const CommonOptions& common) {
  host::PluginRegistry reg(host::plugin_search_dirs(common.plugin_dirs, {}));
  struct Entry {
    std::string name;
    const PluginDescriptor* d = nullptr;
    std::string error;
  };
  std::vector<Entry> entries;
  for (const auto& [name, path] : reg.discover()) {
    Entry e{name, nullptr, ""};
    try {
      e.d = reg.load_file(path).desc;
    } catch (const std::exception& ex) {
      e.error = ex.what();
    }
    entries.push_back(std::move(e));
  }
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    const int ra = a.d ? kind_rank(a.d->kind) : 7, rb = b.d ? kind_rank(b.d->kind) : 7;
    return ra != rb ? ra < rb : a.name < b.name;
  });
  std::string out = "# Plugin reference\n\n";
  out += "Generated by `skillpipe docs pipeline-reference` (skillpipe " SKILLPIPE_SDK_VERSION
         ") from the config schemas the plugins carry, so it says exactly what `skillpipe validate` accepts. "
         "Each table lists the keys of the plugin's `config:` block in a pipeline file; any other key is an error. "
         "See [pipeline.md](pipeline.md) for the file format itself.\n\n";
  out += "| plugin | kind | version | what it does |\n|---|---|---|---|\n";
  for (const auto& e : entries) {
    if (!e.d) continue;
    out += "| [" + e.name + "](#" + e.name + ") | " + to_string(e.d->kind) + " | " +
           cell(e.d->version ? e.d->version : "") + " | " + cell(e.d->description ? e.d->description : "") + " |\n";
  }
  int rc = 0;
  for (const auto& e : entries) {
    out += "\n## " + e.name + "\n\n";
    if (!e.d) {
      out += "This plugin could not be loaded: " + cell(e.error) + "\n";
      rc = 3;
      continue;
    }
    out += "*" + std::string(to_string(e.d->kind)) + ", version " + (e.d->version ? e.d->version : "?") + "*\n\n";
    if (e.d->description && *e.d->description) out += std::string(e.d->description) + "\n\n";
    rapidjson::Document schema;
    std::string rows;
    if (!detail::parse_json(schema, e.d->config_schema_json ? e.d->config_schema_json : "{}"))
      property_rows(schema, "", rows);
    if (rows.empty()) {
      out += "No configuration keys.\n";
    } else {
      out += "| key | type | default | description |\n|---|---|---|---|\n" + rows;
    }
  }
  std::cout << out;
  return rc;
}

}  // namespace

int cmd_docs(const Args& args) {
  CommonOptions common;
  std::string topic;
  po::options_description desc("options");
  desc.add_options()("topic", po::value(&topic), "what to print: pipeline-reference");
  add_common_options(desc, common);
  po::positional_options_description pos;
  pos.add("topic", 1);
  po::variables_map vm;
  if (auto rc =
          parse_command_line(args, "skillpipe docs pipeline-reference [--plugin-path DIR]", desc, &pos, vm, common)) {
    return *rc;
  }
  if (topic == "pipeline-reference") return pipeline_reference(common);
  error("unknown topic \"" + topic + "\" (known: pipeline-reference)", "TOPIC",
        detail::closest_name(topic, {"pipeline-reference"}).empty() ? "" : "did you mean 'pipeline-reference'?");
  return 2;
}

}  // namespace skillpipe::app
