// skillpipe plugins [--json] / skillpipe describe PLUGIN
#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli_common.hpp"
#include "host/plugin_registry.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe_internal/json_parse.hpp"

namespace skillpipe::app {
namespace {

const char* stability_name(Stability s) {
  switch (s) {
    case Stability::kDevelopment: return "development";
    case Stability::kAlpha: return "alpha";
    case Stability::kBeta: return "beta";
    case Stability::kStable: return "stable";
    case Stability::kDeprecated: return "deprecated";
  }
  return "?";
}

// An empty listing says where it looked and how to add a directory: after an SDK-only
// install no plugin is there, and a silent empty list looks like a broken install.
std::string no_plugins_help(const host::PluginRegistry& reg) {
  std::string s = "no plugins found. Looked in:\n";
  if (reg.search_dirs().empty()) s += "  (no directory)\n";
  for (const auto& d : reg.search_dirs()) {
    std::error_code ec;
    const char* state = !std::filesystem::exists(d, ec)       ? "missing"
                        : std::filesystem::is_directory(d, ec) ? "no libskillpipe_*.so in it"
                                                               : "not a directory";
    s += "  " + d + "  (" + state + ")\n";
  }
  return s +
         "Plugins are files named libskillpipe_<name>.so. Point skillpipe at yours with --plugin-path DIR,\n"
         "SKILLPIPE_PLUGIN_PATH=DIR[:DIR...] in the environment, or `plugin_path:` in a pipeline file.\n"
         "An SDK-only install ships no plugins: build them (scripts/build.sh, or `skillpipe new-plugin NAME`\n"
         "then cmake --build) and add the build's plugin directory.\n";
}

std::string plugin_json(const std::string& name, const host::LoadedPlugin& lp, bool with_schema) {
  const auto* d = lp.desc;
  std::string line = "{\"name\":" + json_quote(name) + ",\"kind\":\"" + to_string(d->kind) +
                     "\",\"version\":" + json_quote(d->version ? d->version : "") + ",\"abi\":\"" +
                     std::to_string(d->abi_major) + "." + std::to_string(d->abi_minor) + "\",\"stability\":\"" +
                     stability_name(d->stability) + "\",\"path\":" + json_quote(lp.path) +
                     ",\"description\":" + json_quote(d->description ? d->description : "");
  if (with_schema) {
    rapidjson::Document doc;
    const bool bad = static_cast<bool>(detail::parse_json(doc, d->config_schema_json ? d->config_schema_json : "{}"));
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    if (bad) w.String("(the plugin's schema is not valid JSON)");
    else doc.Accept(w);
    line += ",\"config_schema\":" + std::string(buf.GetString());
  }
  return line + ",\"ok\":true}";
}

std::string refused_json(const std::string& name, const std::string& path, const std::string& error) {
  return "{\"name\":" + json_quote(name) + ",\"path\":" + json_quote(path) + ",\"ok\":false,\"error\":" +
         json_quote(error) + "}";
}

void print_described(const std::string& name, const host::LoadedPlugin& lp) {
  const auto* d = lp.desc;
  std::printf("%s %s (%s, ABI %u.%u)\n%s\n\npath: %s\n\nconfig schema:\n", name.c_str(), d->version,
              to_string(d->kind), d->abi_major, d->abi_minor, d->description ? d->description : "", lp.path.c_str());
  rapidjson::Document doc;
  detail::parse_json(doc, d->config_schema_json ? d->config_schema_json : "{}");  // null when it fails
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
  w.SetIndent(' ', 2);
  doc.Accept(w);
  std::printf("%s\n", buf.GetString());
}

// One plugin, as text or JSON; 0, 2 (not installed) or 3 (found but refused).
int describe_one(host::PluginRegistry& reg, const std::string& name, bool json, std::string* json_out) {
  try {
    const auto& lp = reg.load(name);
    if (json) *json_out = plugin_json(name, lp, true);
    else print_described(name, lp);
    return 0;
  } catch (const std::exception& e) {
    if (json) *json_out = refused_json(name, reg.find(name), e.what());
    else error(e.what(), "PLUGIN");
    // Not installed is an argument error (2), as in `validate`; found but refused is 3.
    return reg.find(name).empty() ? 2 : 3;
  }
}

}  // namespace

int cmd_plugins(const Args& args) {
  CommonOptions common;
  bool json = false;
  po::options_description desc("options");
  desc.add_options()("json", po::bool_switch(&json), "machine-readable output");
  add_common_options(desc, common);
  po::variables_map vm;
  if (auto rc = parse_command_line(args, "skillpipe plugins [--json]", desc, nullptr, vm, common)) return *rc;

  host::PluginRegistry reg(host::plugin_search_dirs(common.plugin_dirs, {}));
  const auto found = reg.discover();
  if (found.empty()) {
    if (json) {
      std::cout << "[]\n";
      say(no_plugins_help(reg));
    } else {
      std::cout << no_plugins_help(reg);
    }
    return 0;
  }
  int rc = 0;
  std::string out = "[";
  for (const auto& [name, path] : found) {
    std::string line;
    try {
      const auto& lp = reg.load_file(path);
      const auto* d = lp.desc;
      if (json) line = plugin_json(name, lp, false);
      else
        std::printf("%-22s %-13s %-8s ABI %u.%u  %-11s %s\n", name.c_str(), to_string(d->kind),
                    d->version ? d->version : "?", d->abi_major, d->abi_minor, stability_name(d->stability), path.c_str());
    } catch (const std::exception& e) {
      rc = 3;
      if (json) line = refused_json(name, path, e.what());
      else std::printf("%-22s REFUSED: %s\n", name.c_str(), e.what());
    }
    if (json) out += (out.size() > 1 ? "," : "") + line;
  }
  if (json) std::cout << out << "]\n";
  return rc;
}

int cmd_describe(const Args& args) {
  CommonOptions common;
  std::string name;
  bool all = false, markdown = false, json = false;
  po::options_description desc("options");
  desc.add_options()("plugin", po::value(&name), "plugin name")(
      "all", po::bool_switch(&all), "every plugin found")(
      "json", po::bool_switch(&json), "machine-readable: the plugin (with --all: an array) with its config_schema")(
      "markdown", po::bool_switch(&markdown), "with --all: the pipeline reference as Markdown (docs/plugins-reference.md)");
  add_common_options(desc, common);
  po::positional_options_description pos;
  pos.add("plugin", 1);
  po::variables_map vm;
  if (auto rc = parse_command_line(args, "skillpipe describe PLUGIN | --all [--markdown | --json]", desc, &pos, vm,
                                   common))
    return *rc;
  if (json && markdown) {
    error("--json and --markdown exclude each other", "--markdown");
    return 2;
  }
  if (all && markdown) {
    // One generator for the reference, shared with `skillpipe docs pipeline-reference`.
    Args docs_args = {"pipeline-reference"};
    for (const auto& d : common.plugin_dirs) docs_args.insert(docs_args.end(), {"--plugin-path", d});
    return cmd_docs(docs_args);
  }
  if (!all && name.empty()) {
    error("missing PLUGIN (or --all)", "PLUGIN");
    return 2;
  }
  host::PluginRegistry reg(host::plugin_search_dirs(common.plugin_dirs, {}));
  std::vector<std::string> names;
  if (all)
    for (const auto& [plugin, path] : reg.discover()) names.push_back(plugin);
  else
    names.push_back(name);
  int rc = 0;
  std::string out;
  for (const auto& n : names) {
    std::string one;
    rc = std::max(rc, describe_one(reg, n, json, &one));
    if (json) out += (out.empty() ? "" : ",") + one;
    else if (all) std::printf("\n");
  }
  if (json) std::cout << (all ? "[" + out + "]" : out) << "\n";
  return rc;
}

}  // namespace skillpipe::app
