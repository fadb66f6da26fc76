#include "host/tasks_file_check.hpp"

#include <rapidjson/document.h>

#include <filesystem>

#include "skillpipe/kit/util.hpp"
#include "skillpipe/plugin.hpp"
#include "skillpipe/stage.hpp"
#include "skillpipe_internal/json_parse.hpp"

namespace skillpipe::host {
namespace {

// Does the plugin's config schema declare a `tasks_file` key?
bool reads_tasks_file(const PluginDescriptor& desc) {
  if (!desc.config_schema_json) return false;
  rapidjson::Document d;
  if (detail::parse_json(d, desc.config_schema_json) || !d.IsObject() || !d.HasMember("properties") || !d["properties"].IsObject()) return false;
  return d["properties"].HasMember("tasks_file");
}

}  // namespace

std::vector<Diagnostic> check_tasks_file(const std::string& tasks_file, bool from_option, const PipelineSpec& spec,
                                         PluginRegistry& registry) {
  std::vector<Diagnostic> out;
  if (tasks_file.empty()) return out;
  const std::string what = from_option ? "options.tasks_file " + tasks_file : "--tasks-file " + tasks_file;
  const std::string pointer = from_option ? "/options/tasks_file" : "";
  std::error_code ec;
  if (!std::filesystem::is_regular_file(expand_path(tasks_file), ec)) {
    out.push_back({spec.path, {}, pointer,
                   what + ": no such file. Write one with `skillpipe tasks export FILE`, or run without it.", false});
    return out;
  }
  std::vector<std::string> miners;
  for (const auto& s : spec.stages) {
    const LoadedPlugin* p = nullptr;
    try {
      p = &registry.load(s.plugin);
    } catch (const std::exception&) {
      continue;  // reported by validation already
    }
    if (!p->desc || p->desc->kind != StageKind::kMiner) continue;
    if (reads_tasks_file(*p->desc)) return out;
    miners.push_back(s.plugin + " (stage '" + s.id + "')");
  }
  std::string have;
  for (const auto& m : miners) have += (have.empty() ? "" : ", ") + m;
  out.push_back({spec.path, {}, pointer,
                 what + " is not honoured by this pipeline: " +
                     (miners.empty() ? std::string("it has no stage that produces tasks")
                                     : "its task stages " + have + " do not read a task file") +
                     ". Use a pipeline whose miner is mine_tasks (e.g. pipelines/nightly.yaml), or run without it.",
                 false});
  return out;
}

}  // namespace skillpipe::host
