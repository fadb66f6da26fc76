// skillpipe tasks export FILE - write a task set a person can review, edit and pin.
//
//   skillpipe tasks export FILE [--from-night ID|latest] [--stage ID] [--project P] [--store DIR]
//   skillpipe tasks export FILE --pipeline PIPELINE.yaml [--set stages.<id>.<key>=V]... [--project P]
//
// --from-night (the default, "latest"): the tasks a night's miner stages produced, read from
//   the store (<store>/projects/<slug>/nights/<id>/artifacts/stages/<stage>.tasks.jsonl).
// --pipeline: runs only the pipeline's harvest and mine stages now (backends and judges are
//   configured, since an LLM miner and task validation use them; nothing is replayed, no
//   store is opened, so no cursor or state moves).
// The file is the native task format (skillpipe/kit/task_file.hpp): a header line with
// "reviewed": false, then one TaskRecord per line. Dream and recall copies are left out
// (they are regenerated every night) unless --include-synthetic. An existing FILE is never
// overwritten without --force, so a reviewed file is not lost by accident.
// To use it: edit the tasks, set "reviewed": true on the first line, then point the miner
// at it (stages.<miner>.tasks_file=FILE); a paid backend refuses it until it is reviewed.
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>

#include "cli_common.hpp"
#include "host/basic_context.hpp"
#include "host/pipeline_spec.hpp"
#include "pipeline_path.hpp"
#include "host/plugin_registry.hpp"
#include "host/report_parts.hpp"
#include "host/validate.hpp"
#include "skillpipe/backend.hpp"
#include "skillpipe/config.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/task_file.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::app {
namespace {

namespace fs = std::filesystem;

int fail(const std::string& msg, int code = 2) {
  std::cerr << "skillpipe tasks: " << msg << "\n";
  return code;
}

std::string resolve_project(const std::string& p) {
  if (p == "all") return "all";
  std::error_code ec;
  const std::string path = p.empty() || p == "invoked" ? fs::current_path().string() : expand_path(p);
  return fs::weakly_canonical(fs::absolute(path), ec).string();
}

bool night_matches(const std::string& name, const std::string& id) {
  if (name == id || starts_with(name, id + "-")) return true;
  if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos) return false;
  const auto dash = name.find('-');
  const std::string num = name.substr(0, dash);
  return !num.empty() && num.find_first_not_of("0123456789") == std::string::npos &&
         std::strtoll(num.c_str(), nullptr, 10) == std::strtoll(id.c_str(), nullptr, 10);
}

// Tasks of a night's miner stages; sets *source to what was read.
int tasks_from_night(const std::string& store_root, const std::string& project, const std::string& night,
                     const std::string& stage, std::vector<TaskRecord>& out, std::string* source) {
  const fs::path nights = fs::path(store_root) / "projects" / project_slug(project) / "nights";
  std::error_code ec;
  if (!fs::is_directory(nights, ec)) return fail("no nights for project " + project + " in store " + store_root);
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(nights, ec))
    if (e.is_directory() && e.path().filename().string()[0] != '.') dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  auto task_files = [&](const fs::path& dir) {
    std::vector<fs::path> files;
    const fs::path stages = dir / "artifacts" / "stages";
    for (const auto& e : fs::directory_iterator(stages, ec)) {
      const std::string name = e.path().filename().string();
      if (!ends_with(name, ".tasks.jsonl")) continue;
      if (!stage.empty() && name != stage + ".tasks.jsonl") continue;
      files.push_back(e.path());
    }
    std::sort(files.begin(), files.end());
    return files;
  };
  const fs::path* chosen = nullptr;
  for (auto it = dirs.rbegin(); it != dirs.rend() && !chosen; ++it) {
    const std::string name = it->filename().string();
    if (night == "latest" ? !task_files(*it).empty() : night_matches(name, night)) chosen = &*it;
  }
  if (!chosen)
    return fail(night == "latest" ? "no night of project " + project + " has mined tasks" + (stage.empty() ? "" : " from stage " + stage)
                                  : "no night '" + night + "' for project " + project);
  const auto files = task_files(*chosen);
  if (files.empty()) return fail("night " + chosen->filename().string() + " has no mined tasks" + (stage.empty() ? "" : " from stage " + stage));
  std::set<std::string> ids;
  for (const auto& f : files) {
    try {
      for (auto& t : read_task_file(f.string()).tasks)
        if (ids.insert(t.id).second) out.push_back(std::move(t));
    } catch (const Error& e) {
      return fail(e.what());
    }
  }
  *source = "night " + chosen->filename().string();
  return 0;
}

// Runs the pipeline's harvesters and miners (backends and judges configured, no store).
int tasks_from_pipeline(const std::string& path, const std::vector<std::string>& sets, const std::string& project,
                        const CommonOptions& common, std::vector<TaskRecord>& out) {
  auto parsed = host::parse_pipeline(path, sets);
  std::vector<host::Diagnostic> errors = parsed.errors;
  host::PluginRegistry registry(host::plugin_search_dirs(common.plugin_dirs, parsed.spec.plugin_path));
  const auto vp = host::validate_pipeline(parsed.spec, registry, errors);
  if (!errors.empty()) {
    for (const auto& e : errors) std::cerr << "error: " << e.format() << "\n";
    return host::exit_code_for(errors);
  }
  const auto& spec = parsed.spec;
  RunInfo run;
  run.pipeline_path = spec.path;
  run.pipeline_dir = spec.dir;
  run.project = resolve_project(project.empty() ? spec.project : project);
  run.now_utc = format_iso8601_s(now_ms());
  run.options = spec.options;
  if (spec.options.count("tasks_file")) run.flags.tasks_file = spec.options.at("tasks_file");
  host::Services services;
  std::vector<std::shared_ptr<StageBase>> objects;  // destroyed before `registry`
  std::vector<std::unique_ptr<host::BasicContext>> contexts;
  int rc = 0;
  try {
    for (const auto& b : spec.backends) {
      auto be = registry.create_as<Backend>(b.plugin);
      host::BasicContext ctx(b.id, run, &services);
      be->configure(Config::parse(b.config_json), ctx);
      services.backends[b.id] = be.get();
      objects.push_back(be);
    }
    std::map<std::string, std::vector<SessionDigest>> digests;
    for (std::size_t idx : vp.order) {
      const auto& s = spec.stages[idx];
      const StageKind kind = vp.kinds[idx];
      if (kind != StageKind::kHarvester && kind != StageKind::kMiner && kind != StageKind::kJudge) continue;
      auto obj = registry.create(s.plugin);
      objects.push_back(obj);
      std::vector<std::string> input_judges;
      for (const auto& [in, mark] : s.inputs)
        if (services.judges.count(in)) input_judges.push_back(in);
      contexts.push_back(std::make_unique<host::BasicContext>(s.id, run, &services, input_judges));
      auto& ctx = *contexts.back();
      obj->configure(Config::parse(s.config_json), ctx);
      if (kind == StageKind::kJudge) {
        services.judges[s.id] = static_cast<Judge*>(obj.get());
      } else if (kind == StageKind::kHarvester) {
        digests[s.id] = static_cast<Harvester*>(obj.get())->harvest(ctx);
        std::cerr << "harvested " << digests[s.id].size() << " session(s) with " << s.id << "\n";
      } else {
        std::vector<SessionDigest> in;
        for (const auto& [id, mark] : s.inputs)
          if (auto it = digests.find(id); it != digests.end()) in.insert(in.end(), it->second.begin(), it->second.end());
        auto tasks = static_cast<Miner*>(obj.get())->mine(in, ctx);
        std::cerr << "mined " << tasks.size() << " task(s) with " << s.id << "\n";
        out.insert(out.end(), tasks.begin(), tasks.end());
      }
    }
  } catch (const host::PluginLoadError& e) {
    rc = fail(e.what(), 3);
  } catch (const ConfigError& e) {
    rc = fail(std::string("configuration: ") + e.what() + (e.pointer().empty() ? "" : " (at " + e.pointer() + ")"));
  } catch (const std::exception& e) {
    rc = fail(e.what(), 1);
  }
  services = {};
  objects.clear();
  contexts.clear();
  return rc;
}

}  // namespace

int cmd_tasks(const Args& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::cout << "usage: skillpipe tasks export FILE [--from-night ID|latest] [--stage ID] [--project P] [--store DIR]\n"
                 "       skillpipe tasks export FILE --pipeline PIPELINE.yaml [--set stages.<id>.<key>=V]... [--project P]\n"
                 "Writes a reviewable task file; see `skillpipe tasks export --help`.\n";
    return args.empty() ? 2 : 0;
  }
  if (args[0] != "export") return fail("unknown subcommand '" + args[0] + "' (expected: export)");

  CommonOptions common;
  std::string file, night, stage, pipeline, project, store;
  std::vector<std::string> sets;
  bool include_synthetic = false, force = false;
  po::options_description desc("options");
  desc.add_options()("file", po::value(&file), "task file to write")(
      "from-night", po::value(&night), "a night id, its number, or latest (default)")(
      "stage", po::value(&stage), "only this miner stage's tasks (with --from-night)")(
      "pipeline", po::value(&pipeline), "mine now with this pipeline's harvest and mine stages")(
      "set", po::value(&sets)->composing(), "pipeline override stages.<id>.<key>=VALUE (with --pipeline)")(
      "project", po::value(&project), "project directory (default: the current directory)")(
      "store", po::value(&store), "store directory (default: $SKILLPIPE_STORE, else ~/.skillpipe)")(
      "include-synthetic", po::bool_switch(&include_synthetic), "keep dream and recall copies")(
      "force", po::bool_switch(&force), "overwrite FILE if it exists");
  add_common_options(desc, common);
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  const Args rest(args.begin() + 1, args.end());
  if (auto rc = parse_command_line(rest,
                                   "skillpipe tasks export FILE [--from-night ID|latest | --pipeline FILE] [options]",
                                   desc, &pos, vm, common))
    return *rc;
  if (file.empty()) return fail("missing the output FILE");
  if (!pipeline.empty() && !night.empty()) return fail("--from-night and --pipeline exclude each other");
  if (pipeline.empty() && !sets.empty()) return fail("--set needs --pipeline");
  std::error_code ec;
  if (fs::exists(file, ec) && !force) return fail(file + " exists; use --force to overwrite it (a reviewed file would be lost)");

  std::vector<TaskRecord> tasks;
  std::string source;
  const std::string proj = resolve_project(project);
  if (!pipeline.empty()) {
    try {
      pipeline = resolve_pipeline(pipeline);
    } catch (const Error& e) {
      return fail(e.what());
    }
    if (int rc = tasks_from_pipeline(pipeline, sets, project, common, tasks)) return rc;
    source = "pipeline " + pipeline;
  } else {
    std::string root = store;
    if (root.empty()) root = std::getenv("SKILLPIPE_STORE") ? std::getenv("SKILLPIPE_STORE") : "~/.skillpipe";
    root = fs::absolute(expand_path(root)).lexically_normal().string();
    if (int rc = tasks_from_night(root, proj, night.empty() ? "latest" : night, stage, tasks, &source)) return rc;
  }
  const std::size_t before = tasks.size();
  if (!include_synthetic)
    tasks.erase(std::remove_if(tasks.begin(), tasks.end(),
                               [](const TaskRecord& t) { return t.origin == Origin::kDream || starts_with(t.id, "recall:"); }),
                tasks.end());
  int counts[3] = {0, 0, 0};
  for (const auto& t : tasks) ++counts[static_cast<int>(t.split)];
  const Attrs meta = {
      {"project", proj},
      {"source", source},
      {"exported_at", format_iso8601_s(now_ms())},
      {"how_to_review",
       "Read every task; edit intents, rubrics, checks and splits; delete what should not be replayed; then set "
       "\"reviewed\": true on this line. A paid backend refuses this file until then."}};
  try {
    if (const auto parent = fs::path(file).parent_path(); !parent.empty()) ensure_dir(parent.string());
    atomic_write_file(file, task_file_text(tasks, meta, false));
  } catch (const Error& e) {
    return fail(e.what(), 1);
  }
  std::cout << "wrote " << tasks.size() << " task(s) (train " << counts[0] << ", val " << counts[1] << ", test " << counts[2]
            << ") from " << source << " to " << file << "\n";
  if (before != tasks.size()) std::cout << "left out " << before - tasks.size() << " dream/recall copies (--include-synthetic keeps them)\n";
  std::cout << "Review it, set \"reviewed\": true on its first line, then replay it with: skillpipe run nightly "
               "--tasks-file " << host::report::shell_quote(fs::absolute(file).lexically_normal().string()) << "\n";
  return 0;
}

}  // namespace skillpipe::app
