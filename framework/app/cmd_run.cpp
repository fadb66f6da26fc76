// skillpipe run FILE / skillpipe validate FILE
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>

#include "cli_common.hpp"
#include "pipeline_path.hpp"
#include "host/report/parts.hpp"
#include "host/runner.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::app {
namespace fs = std::filesystem;
namespace {

struct RunArgs {
  CommonOptions common;
  std::string file;
  std::vector<std::string> sets;
  std::string project;
  std::string store;
  std::string run_dir;
  bool dry_run = false;
  bool json = false;
  bool auto_adopt = false;
  bool restart = false;
  std::string tasks_file;
};

po::options_description run_options(RunArgs& a, bool full) {
  po::options_description desc("options");
  desc.add_options()("file", po::value(&a.file),
                     "pipeline YAML file, or a bundled pipeline by name (nightly, offline, ...)")(
      "set", po::value(&a.sets)->composing(), "override a value: stages.<id>.<key>=VALUE (repeatable)")(
      "project", po::value(&a.project), "project path (default: the pipeline's `project`, else the current directory)")(
      "store", po::value(&a.store), "store directory (sets store.root)");
  if (full)
    desc.add_options()("run-dir", po::value(&a.run_dir), "also write summary.json here")(
        "dry-run", po::bool_switch(&a.dry_run), "load, validate and configure everything; run nothing")(
        "json", po::bool_switch(&a.json), "print the machine-readable run summary on stdout")(
        "auto-adopt", po::bool_switch(&a.auto_adopt), "adopt an accepted (never an unverified) proposal")(
        "restart", po::bool_switch(&a.restart),
        "abandon the project's unfinished night (kept on disk, marked ABANDONED) and start a new one")(
        "tasks-file", po::value(&a.tasks_file), "use this reviewed task file instead of mining (skillpipe tasks export)");
  add_common_options(desc, a.common);
  return desc;
}

// Where the run's human summary goes: stdout for a person; with --json stdout is the JSON
// summary, so the same lines go to stderr (as JSON events under --log-format json).
using Emit = std::function<void(const std::string&)>;

std::string fmt(const char* f, auto... v) {
  char buf[1024];
  std::snprintf(buf, sizeof buf, f, v...);
  return buf;
}

// The review commands for a staged night, exactly as they must be typed: the same --store
// and --project the run was given.
void print_next_steps(const host::RunOutcome& o, const RunArgs& a, const Emit& emit) {
  std::string tail;
  if (!a.store.empty()) tail += " --store " + shell_quote(fs::absolute(expand_path(a.store)).lexically_normal().string());
  if (!a.project.empty()) tail += " --project " + shell_quote(o.report.project.empty() ? a.project : o.report.project);
  const std::string me = shell_quote(self_command());
  emit("review it: " + me + " status" + tail);
  bool accepted = false;
  std::vector<std::string> named;
  for (const auto& p : o.report.proposals) {
    if (p.status == ProposalStatus::kAccepted) accepted = true;
    if (p.status == ProposalStatus::kAccepted || p.status == ProposalStatus::kQuarantined ||
        std::find(named.begin(), named.end(), p.name) != named.end())
      continue;
    named.push_back(p.name);
    emit("adopt " + p.name + " (not verified by a gate) after reading it: " + me + " adopt" + tail + " --skill " +
         shell_quote(p.name) + " --allow-unverified");
  }
  if (accepted) emit("adopt the accepted proposals: " + me + " adopt" + tail);
}

void print_summary(const host::RunOutcome& o, const RunArgs& a, const Emit& emit) {
  for (const auto& s : o.stages) {
    emit(fmt("  %-22s %-13s %-9s in %-6lld out %-6lld %6.2fs%s%s", s.id.c_str(), s.kind.c_str(), s.status.c_str(),
             static_cast<long long>(s.in), static_cast<long long>(s.out), s.seconds, s.error.empty() ? "" : "  ",
             s.error.c_str()));
  }
  const auto& r = o.report;
  if (r.gate_action)
    emit(std::string("night: ") + to_string(*r.gate_action) + (r.gate_reason.empty() ? "" : " - ") + r.gate_reason);
  if (r.baseline_val && r.candidate_val) emit(fmt("val score: %.4f -> %.4f", *r.baseline_val, *r.candidate_val));
  for (const auto& n : r.notes) emit("note: " + n);
  if (o.staged) {
    emit("staged for review in " + o.night_dir);
    print_next_steps(o, a, emit);
  } else if (!o.night_dir.empty() && o.exit_code != 4) {
    // Only a published night is staged; say what state this one is in instead.
    emit("nothing staged: night " + o.night_id + " is unfinished in " + o.night_dir +
         "; run the same command to resume it" + (o.exit_code == 1 ? ", or add --restart to start over" : ""));
  }
}

// Paths checked before anything is assembled, so a dry run refuses what the run would.
std::string path_problem(const RunArgs& a) {
  std::string bad;
  if (!a.store.empty()) bad = store_dir_problem("--store", a.store);
  if (bad.empty() && !a.run_dir.empty()) bad = output_dir_problem("--run-dir", a.run_dir);
  if (bad.empty() && !a.tasks_file.empty()) bad = input_file_problem("--tasks-file", a.tasks_file);
  return bad;
}

}  // namespace

int cmd_run(const Args& args) {
  RunArgs a;
  auto desc = run_options(a, true);
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (auto rc = parse_command_line(args, "skillpipe run FILE|NAME [options]", desc, &pos, vm, a.common)) return *rc;
  if (a.file.empty()) {
    error("missing the pipeline FILE", "FILE");
    return 2;
  }
  std::string file;
  try {
    file = resolve_pipeline(a.file);
  } catch (const Error& e) {
    error(e.what(), "FILE");
    return 2;
  }
  if (const std::string bad = path_problem(a); !bad.empty()) {
    path_error(bad);
    return 2;
  }
  host::RunOptions opts{a.common.plugin_dirs, a.sets, a.project, a.store, a.run_dir, a.dry_run, {}};
  opts.flags.auto_adopt = a.auto_adopt;
  opts.flags.restart = a.restart;
  if (!a.tasks_file.empty()) opts.flags.tasks_file = fs::absolute(a.tasks_file).string();
  const auto out = host::run_pipeline(file, opts);
  print_run_errors(out);
  const Emit to_stdout = [](const std::string& line) { std::printf("%s\n", line.c_str()); };
  if (out.exit_code == 0 || !out.stages.empty()) print_summary(out, a, a.json ? Emit(say) : to_stdout);
  if (a.json) std::cout << out.summary_json;
  if (out.exit_code == 2 || out.exit_code == 3) plain(Level::kError, std::to_string(out.errors.size()) + " error(s); nothing was run");
  return out.exit_code;
}

int cmd_validate(const Args& args) {
  RunArgs a;
  auto desc = run_options(a, false);
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (auto rc = parse_command_line(args, "skillpipe validate FILE|NAME [options]", desc, &pos, vm, a.common)) return *rc;
  if (a.file.empty()) {
    error("missing the pipeline FILE", "FILE");
    return 2;
  }
  std::string file;
  try {
    file = resolve_pipeline(a.file);
  } catch (const Error& e) {
    std::printf("%s\n", e.what());
    return 2;
  }
  if (const std::string bad = path_problem(a); !bad.empty()) {
    std::printf("%s\n", bad.c_str());
    return 2;
  }
  host::RunOptions opts{a.common.plugin_dirs, a.sets, a.project, a.store, "", false, {}};
  const auto out = host::validate_only(file, opts);
  for (const auto& e : out.errors) std::printf("%s\n", e.c_str());
  if (out.exit_code == 0) std::printf("%s: ok\n", file.c_str());
  else std::printf("%zu error(s)\n", out.errors.size());
  return out.exit_code;
}

}  // namespace skillpipe::app
