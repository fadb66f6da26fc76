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
#include "pipeline_path.hpp"
#include "store_cli.hpp"
#include "host/assembly.hpp"
#include "host/input_loan.hpp"
#include "host/project.hpp"
#include "host/stage_drivers.hpp"
#include "host/report/parts.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/task_file.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::app {
namespace {

namespace fs = std::filesystem;

int fail(const std::string& msg, int code = 2) {
  path_error(msg);
  return code;
}

bool night_matches(const std::string& name, const std::string& id) {
  if (name == id || starts_with(name, id + "-")) return true;
  if (id.empty() || id.find_first_not_of("0123456789") != std::string::npos) return false;
  const auto dash = name.find('-');
  const std::string num = name.substr(0, dash);
  return !num.empty() && num.find_first_not_of("0123456789") == std::string::npos &&
         std::strtoll(num.c_str(), nullptr, 10) == std::strtoll(id.c_str(), nullptr, 10);
}

// The task files a night's miner stages left (artifacts/stages/<stage>.tasks.jsonl).
std::vector<fs::path> task_files(const std::string& night_dir, const std::string& stage) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::path(night_dir) / "artifacts" / "stages", ec)) {
    const std::string name = e.path().filename().string();
    if (!ends_with(name, ".tasks.jsonl")) continue;
    if (!stage.empty() && name != stage + ".tasks.jsonl") continue;
    files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Tasks of a night's miner stages, from the store's night list; sets *source to what was read.
int tasks_from_night(const StoreCliArgs& args, const std::string& night, const std::string& stage,
                     std::vector<TaskRecord>& out, std::string* source) {
  StoreSession s;
  if (int rc = open_store(args, s)) return rc;
  const std::vector<NightInfo> nights = s.store->nights(s.project);
  if (nights.empty()) return fail("no nights for project " + s.project + " in this store");
  const NightInfo* chosen = nullptr;
  for (auto it = nights.rbegin(); it != nights.rend() && !chosen; ++it)
    if (night == "latest" ? !task_files(it->dir, stage).empty() : night_matches(it->id, night)) chosen = &*it;
  const std::string from = stage.empty() ? "" : " from stage " + stage;
  if (!chosen)
    return fail(night == "latest" ? "no night of project " + s.project + " has mined tasks" + from
                                  : "no night '" + night + "' for project " + s.project);
  const auto files = task_files(chosen->dir, stage);
  if (files.empty()) return fail("night " + chosen->id + " has no mined tasks" + from);
  std::set<std::string> ids;
  for (const auto& f : files) {
    try {
      for (auto& t : read_task_file(f.string()).tasks)
        if (ids.insert(t.id).second) out.push_back(std::move(t));
    } catch (const Error& e) {
      return fail(e.what());
    }
  }
  *source = "night " + chosen->id;
  return 0;
}

// Runs the pipeline's harvesters and miners (backends and judges configured, no store), each
// through the host's stage driver with the stage's record-error policy.
int tasks_from_pipeline(const std::string& path, const std::vector<std::string>& sets, const std::string& project,
                        const CommonOptions& common, std::vector<TaskRecord>& out) {
  host::PipelineAssembly assembly({common.plugin_dirs, sets, project, "", {}});
  if (assembly.load(path))
    assembly.build(host::AssemblyParts::without_store({StageKind::kHarvester, StageKind::kMiner, StageKind::kJudge}));
  if (!assembly.ok()) {
    for (const auto& d : assembly.diagnostics()) diagnostic(d);
    return assembly.exit_code();
  }
  std::map<std::string, host::StageOutput> outputs;  // the harvesters' digests (in memory: no store)
  try {
    for (std::size_t idx : assembly.order()) {
      const auto& s = assembly.spec().stages[idx];
      const StageKind kind = assembly.kind(idx);
      if (kind != StageKind::kHarvester && kind != StageKind::kMiner) continue;
      host::InputLoan loan(outputs, s);
      host::RecordErrorPolicy policy(s.id, s.on_record_error, s.max_record_errors);
      auto ctx = assembly.context(s.id, assembly.input_judges(idx));
      ctx->set_record_errors(&policy);
      host::StageOutput o = host::driver_for(kind).run({s, *assembly.stage(idx), loan.input(), *ctx});
      if (kind == StageKind::kHarvester) {
        say("harvested " + std::to_string(o.digests ? o.digests->size() : 0) + " session(s) with " + s.id);
        outputs[s.id] = std::move(o);
      } else {
        say("mined " + std::to_string(o.tasks.size()) + " task(s) with " + s.id);
        out.insert(out.end(), o.tasks.begin(), o.tasks.end());
      }
    }
  } catch (const std::exception& e) {
    return fail(e.what(), 1);
  }
  return 0;
}

// Writes the reviewable task file (dream/recall copies left out unless asked for) and
// tells the user how to review and replay it.
int write_task_file(std::vector<TaskRecord> tasks, const std::string& file, const std::string& proj,
                    const std::string& source, bool include_synthetic) {
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
               "--tasks-file " << shell_quote(fs::absolute(file).lexically_normal().string()) << "\n";
  return 0;
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
  if (const std::string bad = output_file_problem("FILE", file); !bad.empty()) return fail(bad);

  std::vector<TaskRecord> tasks;
  std::string source;
  const std::string proj = host::resolve_project(project);
  if (!pipeline.empty()) {
    try {
      pipeline = resolve_pipeline(pipeline);
    } catch (const Error& e) {
      return fail(e.what());
    }
    if (int rc = tasks_from_pipeline(pipeline, sets, project, common, tasks)) return rc;
    source = "pipeline " + pipeline;
  } else {
    StoreCliArgs sa;
    sa.common = common;
    sa.project = project;
    sa.store = store;
    if (int rc = tasks_from_night(sa, night.empty() ? "latest" : night, stage, tasks, &source)) return rc;
  }
  return write_task_file(std::move(tasks), file, proj, source, include_synthetic);
}

}  // namespace skillpipe::app
