// skillpipe plugins [--json] / skillpipe describe PLUGIN
#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "cli_common.hpp"
#include "host/plugin_registry.hpp"
#include "skillpipe/json.hpp"

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
  int rc = 0;
  std::string out = "[";
  for (const auto& [name, path] : reg.discover()) {
    std::string line;
    try {
      const auto& lp = reg.load_file(path);
      const auto* d = lp.desc;
      if (json) {
        line = "{\"name\":" + json_quote(name) + ",\"kind\":\"" + to_string(d->kind) + "\",\"version\":" +
               json_quote(d->version ? d->version : "") + ",\"abi\":\"" + std::to_string(d->abi_major) + "." +
               std::to_string(d->abi_minor) + "\",\"stability\":\"" + stability_name(d->stability) +
               "\",\"path\":" + json_quote(path) + ",\"description\":" + json_quote(d->description ? d->description : "") +
               ",\"ok\":true}";
      } else {
        std::printf("%-22s %-13s %-8s ABI %u.%u  %-11s %s\n", name.c_str(), to_string(d->kind),
                    d->version ? d->version : "?", d->abi_major, d->abi_minor, stability_name(d->stability), path.c_str());
      }
    } catch (const std::exception& e) {
      rc = 3;
      if (json) line = "{\"name\":" + json_quote(name) + ",\"path\":" + json_quote(path) + ",\"ok\":false,\"error\":" + json_quote(e.what()) + "}";
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
  bool all = false, markdown = false;
  po::options_description desc("options");
  desc.add_options()("plugin", po::value(&name), "plugin name")(
      "all", po::bool_switch(&all), "every plugin found")(
      "markdown", po::bool_switch(&markdown), "with --all: the pipeline reference as Markdown (docs/plugins-reference.md)");
  add_common_options(desc, common);
  po::positional_options_description pos;
  pos.add("plugin", 1);
  po::variables_map vm;
  if (auto rc = parse_command_line(args, "skillpipe describe PLUGIN | --all [--markdown]", desc, &pos, vm, common))
    return *rc;
  if (all) {
    // One generator for the reference, shared with `skillpipe docs pipeline-reference`.
    Args docs_args = {"pipeline-reference"};
    for (const auto& d : common.plugin_dirs) docs_args.insert(docs_args.end(), {"--plugin-path", d});
    if (markdown) return cmd_docs(docs_args);
    int rc = 0;
    host::PluginRegistry reg(host::plugin_search_dirs(common.plugin_dirs, {}));
    for (const auto& [plugin, path] : reg.discover()) {
      Args one = {plugin};
      for (const auto& d : common.plugin_dirs) one.insert(one.end(), {"--plugin-path", d});
      rc = std::max(rc, cmd_describe(one));
      std::printf("\n");
    }
    return rc;
  }
  if (name.empty()) {
    std::cerr << "skillpipe describe: missing PLUGIN\n";
    return 2;
  }
  host::PluginRegistry reg(host::plugin_search_dirs(common.plugin_dirs, {}));
  try {
    const auto& lp = reg.load(name);
    const auto* d = lp.desc;
    std::printf("%s %s (%s, ABI %u.%u)\n%s\n\npath: %s\n\nconfig schema:\n", name.c_str(), d->version,
                to_string(d->kind), d->abi_major, d->abi_minor, d->description ? d->description : "", lp.path.c_str());
    rapidjson::Document doc;
    doc.Parse(d->config_schema_json ? d->config_schema_json : "{}");
    rapidjson::StringBuffer buf;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
    w.SetIndent(' ', 2);
    doc.Accept(w);
    std::printf("%s\n", buf.GetString());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "skillpipe describe: %s\n", e.what());
    // Not installed is an argument error (2), as in `validate`; found but refused is 3.
    return reg.find(name).empty() ? 2 : 3;
  }
  return 0;
}

}  // namespace skillpipe::app
