// skillpipe ab FILE [--json] [--markdown FILE] [--html FILE] [--out DIR]
//
// Runs the arms of an A/B experiment file (host/ab/spec.hpp) on the same tasks and the same
// replays and reports the comparison: Markdown on stdout (JSON with --json).
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cli_common.hpp"
#include "pipeline_path.hpp"
#include "host/ab/html.hpp"
#include "host/ab/night.hpp"
#include "host/ab/report.hpp"
#include "host/ab/runner.hpp"
#include "host/ab/spec.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::app {
namespace {

// `mode: night`: a whole night per arm, compared on the test split.
int run_nights(const host::ab::AbSpec& spec, const host::ab::RunOptions& opts, std::string work,
               const std::string& markdown_file, const std::string& html_file, bool json) {
  if (work.empty()) {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/skillpipe-ab-XXXXXX";
    if (!::mkdtemp(tmpl.data())) {
      error("cannot create a work directory from " + tmpl);
      return 1;
    }
    work = tmpl;
  }
  if (!opts.store_root.empty())
    note("--store is not used with mode: night; each arm gets its own store under " + work);
  say("arms' nights and stores go to " + work);
  const host::ab::NightRun run = host::ab::run_night_ab(spec, opts, work);
  for (const auto& e : run.errors) listed_error(e);
  if (!run.errors.empty()) return run.exit_code ? run.exit_code : 1;
  const std::string md = host::ab::night_report_markdown(run);
  const std::string js = host::ab::night_report_json(run);
  const std::string html = host::ab::night_report_html(run);
  try {
    if (!markdown_file.empty()) atomic_write_file(markdown_file, md);
    if (!html_file.empty()) atomic_write_file(html_file, html);
    atomic_write_file(work + "/report.md", md);
    atomic_write_file(work + "/report.json", js);
    atomic_write_file(work + "/report.html", html);
  } catch (const std::exception& e) {
    error(e.what());
    return 1;
  }
  for (const auto& a : run.arms)
    for (const auto& e : a.errors) plain(Level::kError, "arm " + a.name + ": " + e);
  std::cout << (json ? js : md);
  return run.exit_code;
}

// The command's paths, checked before a replay is paid for.
struct AbPaths {
  std::string file, markdown_file, html_file, out_dir, tasks, replays;
  bool json = false;
};

// The first unusable path, in words: a report that cannot be written at the end would
// waste the whole comparison.
std::string first_path_problem(const AbPaths& p, const host::ab::RunOptions& opts) {
  std::string bad;
  if (!p.out_dir.empty()) bad = output_dir_problem("--out", p.out_dir);
  if (bad.empty() && !p.markdown_file.empty()) bad = output_file_problem("--markdown", p.markdown_file);
  if (bad.empty() && !p.html_file.empty()) bad = output_file_problem("--html", p.html_file);
  if (bad.empty() && !opts.store_root.empty()) bad = store_dir_problem("--store", opts.store_root);
  if (bad.empty() && !p.tasks.empty()) bad = input_file_problem("--tasks", p.tasks);
  if (bad.empty() && !p.replays.empty()) bad = input_file_problem("--replays", p.replays);
  return bad;
}

// Each arm's verdicts as verdicts.<arm>.jsonl (the arm name made file-safe).
void write_arm_verdicts(const std::string& out_dir, const host::ab::AbRun& run) {
  for (const auto& arm : run.arms) {
    std::string lines;
    for (const auto& t : arm.tasks)
      for (const auto& v : t.verdicts) lines += to_json(v) + "\n";
    std::string safe = arm.name;
    for (char& c : safe)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
    atomic_write_file(out_dir + "/verdicts." + safe + ".jsonl", lines);
  }
}

// `mode: replays` (the default): every arm scores the same replays.
int run_replays(host::ab::AbSpec& spec, const host::ab::RunOptions& opts, const AbPaths& p) {
  if (!p.tasks.empty()) spec.tasks_file = std::filesystem::absolute(expand_path(p.tasks)).lexically_normal().string();
  if (!p.replays.empty())
    spec.replays_file = std::filesystem::absolute(expand_path(p.replays)).lexically_normal().string();
  const host::ab::AbRun run = host::ab::run_ab(spec, opts);
  for (const auto& w : run.warnings) warning(w);
  if (!run.errors.empty()) {
    for (const auto& e : run.errors) listed_error(e);
    plain(Level::kError, std::to_string(run.errors.size()) + " error(s); no comparison was made");
    return run.exit_code ? run.exit_code : 1;
  }
  const host::ab::AbReport report = host::ab::compare(run);
  const std::string md = host::ab::report_markdown(run, report);
  const std::string js = host::ab::report_json(run, report);
  try {
    if (!p.markdown_file.empty()) atomic_write_file(p.markdown_file, md);
    if (!p.html_file.empty()) atomic_write_file(p.html_file, host::ab::report_html(run, report));
    if (!p.out_dir.empty()) {
      ensure_dir(p.out_dir);
      atomic_write_file(p.out_dir + "/report.md", md);
      atomic_write_file(p.out_dir + "/report.json", js);
      atomic_write_file(p.out_dir + "/report.html", host::ab::report_html(run, report));
      write_arm_verdicts(p.out_dir, run);
    }
  } catch (const std::exception& e) {
    error(e.what());
    return 1;
  }
  std::cout << (p.json ? js : md);
  return 0;
}

}  // namespace

int cmd_ab(const Args& args) {
  CommonOptions common;
  AbPaths p;
  host::ab::RunOptions opts;
  po::options_description desc("options");
  desc.add_options()("file", po::value(&p.file), "A/B experiment YAML (skillpipe_ab: 1)")(
      "json", po::bool_switch(&p.json), "print the comparison as JSON instead of Markdown")(
      "markdown", po::value(&p.markdown_file), "also write the Markdown report to this file")(
      "html", po::value(&p.html_file), "also write a self-contained HTML report with the interval plot")(
      "out", po::value(&p.out_dir),
      "write report.md, report.json, report.html and each arm's verdicts here (mode night: the arms' stores and nights too)")(
      "tasks", po::value(&p.tasks),
      "tasks JSONL to score (replaces the file's `tasks:`), e.g. a night's stages/<miner>.tasks.jsonl")(
      "replays", po::value(&p.replays), "recorded replays JSONL to score instead of replaying (replaces `replays:`)")(
      "set", po::value(&opts.sets)->composing(), "override for every arm: stages.<id>.<key>=VALUE (repeatable)")(
      "store", po::value(&opts.store_root), "store directory (sets store.root; its response cache is shared)")(
      "project", po::value(&opts.project), "project path (default: the pipeline's `project`)");
  add_common_options(desc, common);
  po::positional_options_description pos;
  pos.add("file", 1);
  po::variables_map vm;
  if (auto rc =
          parse_command_line(args, "skillpipe ab FILE [--json] [--markdown FILE] [--out DIR]", desc, &pos, vm, common))
    return *rc;
  if (p.file.empty()) {
    error("missing the experiment FILE", "FILE");
    return 2;
  }
  if (const std::string bad = first_path_problem(p, opts); !bad.empty()) {
    path_error(bad);
    return 2;
  }
  opts.plugin_dirs = common.plugin_dirs;
  try {
    p.file = resolve_pipeline(p.file);  // a bundled experiment by name (ab_judge) or pipelines/...
  } catch (const Error& e) {
    error(e.what());
    return 2;
  }
  std::vector<host::Diagnostic> errors;
  auto spec = host::ab::parse_ab_spec(p.file, errors);
  if (!spec) {
    for (const auto& d : errors) diagnostic(d);
    return 2;
  }
  if (spec->mode == "night") return run_nights(*spec, opts, p.out_dir, p.markdown_file, p.html_file, p.json);
  return run_replays(*spec, opts, p);
}

}  // namespace skillpipe::app
