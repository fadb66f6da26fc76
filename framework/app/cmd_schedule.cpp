// skillpipe schedule [--at 03:17] [--pipeline FILE] [--auto-adopt] [--print] [--store DIR]
// skillpipe unschedule [--project P] [--print]
//
// Installs the nightly run as a systemd user timer when a user manager answers, else as a
// managed block in the user's crontab (every other crontab byte kept). Everything the run
// needs is written into the unit: absolute executable, pipeline, store and project paths,
// PATH, and an EnvironmentFile for API keys. Output is appended to <store>/logs/nightly.log;
// each night also keeps its own summary.json in its night directory.
#include <fcntl.h>
#include <rapidjson/document.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "cli_common.hpp"
#include "pipeline_path.hpp"
#include "host/pipeline_spec.hpp"
#include "host/project.hpp"
#include "host/runner.hpp"
#include "schedule_exec.hpp"
#include "schedule_plan.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe_internal/json_parse.hpp"

namespace skillpipe::app {
namespace {

namespace fs = std::filesystem;

std::string config_home() {
  const char* x = std::getenv("XDG_CONFIG_HOME");
  return x && *x == '/' ? std::string(x) : expand_path("~/.config");
}
std::string unit_dir() { return config_home() + "/systemd/user"; }

std::string absolute(const std::string& p, const std::string& base = "") {
  fs::path x(expand_path(p));
  if (x.is_relative()) x = (base.empty() ? fs::current_path() : fs::path(base)) / x;
  return x.lexically_normal().string();
}

bool has_control_chars(const std::string& s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return true;
  return false;
}


// The store the run will use: --store, else the pipeline's store.root, else the store's own
// default ($SKILLPIPE_STORE, ~/.skillpipe) - frozen into the unit so it never drifts.
std::string effective_store(const std::string& cli, const host::PipelineSpec& spec, const std::string& project) {
  if (!cli.empty()) return absolute(cli);
  if (spec.store) {
    rapidjson::Document d;
    if (!detail::parse_json(d, spec.store->config_json) && d.IsObject() && d.HasMember("root") && d["root"].IsString() && *d["root"].GetString()) {
      return absolute(d["root"].GetString(), project);  // the run resolves it from the project dir
    }
  }
  const char* env = std::getenv("SKILLPIPE_STORE");
  return absolute(env && *env ? env : "~/.skillpipe");
}

void ensure_env_file(const std::string& path, std::string& notes) {
  ensure_dir(fs::path(path).parent_path().string());
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    const std::string text =
        "# skillpipe: environment of the scheduled nightly run (systemd EnvironmentFile, sourced by cron).\n"
        "# One KEY=value per line, no spaces around '='. Keep this file private: chmod 600.\n"
        "# ANTHROPIC_API_KEY=...\n"
        "# OPENAI_API_KEY=...\n";
    const bool ok =
        ::fchmod(fd, 0600) == 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (!ok) throw Error("cannot write " + path);
    notes += "Created " + path + " (mode 0600): put the API keys of your LLM backend there.\n";
    return;
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077)) {
    notes += "Warning: " + path + " is readable by other users; run `chmod 600 " + sh_quote(path) + "`.\n";
  }
}

void write_unit(const std::string& path, const std::string& text) { atomic_write_file(path, text); }

// Removes this project's systemd units, if any. Returns what it did ("" when nothing).
std::string remove_systemd(const std::string& name, bool can_systemctl) {
  const std::string service = unit_dir() + "/" + name + ".service", timer = unit_dir() + "/" + name + ".timer";
  if (!fs::exists(service) && !fs::exists(timer)) return "";
  if (can_systemctl) run_process({"systemctl", "--user", "disable", "--now", name + ".timer"});
  std::error_code ec;
  fs::remove(timer, ec);
  fs::remove(service, ec);
  if (can_systemctl) run_process({"systemctl", "--user", "daemon-reload"});
  return "Removed the systemd user timer " + name + ".timer (" + unit_dir() + ").\n";
}

// Removes this project's crontab block, if any. `must_work`: a crontab that cannot be read is
// an error rather than "nothing to remove".
std::string remove_cron(const std::string& name, bool must_work) {
  std::string current;
  try {
    current = crontab_read();
  } catch (const Error&) {
    if (must_work) throw;
    return "";
  }
  bool found = false;
  const std::string rest = remove_cron_block(current, name, &found);
  if (!found) return "";
  crontab_write(rest);
  return "Removed the skillpipe block " + name + " from your crontab (other lines kept).\n";
}

struct ScheduleArgs {
  CommonOptions common;
  std::string at = "03:17", pipeline, store, project, via = "auto";
  bool auto_adopt = false, print = false, no_validate = false;
};

// Everything the installed job needs, checked. Throws ConfigError naming what is wrong.
SchedulePlan make_plan(const ScheduleArgs& a, std::pair<int, int> hm) {
  SchedulePlan plan;
  plan.project = host::resolve_project(a.project);
  if (!fs::is_directory(plan.project)) throw ConfigError("project directory " + plan.project + " does not exist");
  plan.pipeline = resolve_pipeline(a.pipeline.empty() ? std::string("nightly") : a.pipeline);
  if (!fs::is_regular_file(plan.pipeline))
    throw ConfigError("pipeline file " + plan.pipeline + (fs::is_directory(plan.pipeline) ? " is a directory" : " does not exist"));
  plan.pipeline = fs::canonical(plan.pipeline).string();
  const auto parsed = host::parse_pipeline(plan.pipeline);
  plan.pass_project = !a.project.empty() || parsed.spec.project.empty() || parsed.spec.project == "invoked";
  plan.store = effective_store(a.store, parsed.spec, plan.project);
  // --store sets store.root, which only a pipeline with a store: section accepts.
  plan.pass_store = parsed.spec.store.has_value();
  if (!plan.pass_store && !a.store.empty())
    throw ConfigError("--store: " + plan.pipeline + " has no store: section, so its nights are not kept anywhere");
  for (const auto& d : a.common.plugin_dirs) plan.plugin_dirs.push_back(absolute(d));
  plan.skillpipe = fs::canonical("/proc/self/exe").string();
  plan.name = "skillpipe-nightly-" + project_slug(plan.project);
  plan.env_file = config_home() + "/skillpipe/env";
  plan.log_file = plan.store + "/logs/nightly.log";
  const char* path = std::getenv("PATH");
  plan.path_env = path && *path ? path : "/usr/local/bin:/usr/bin:/bin";
  plan.hour = hm.first;
  plan.minute = hm.second;
  plan.auto_adopt = a.auto_adopt;
  for (const auto* s : {&plan.project, &plan.pipeline, &plan.store, &plan.skillpipe, &plan.env_file, &plan.path_env})
    if (has_control_chars(*s)) throw ConfigError("cannot schedule with a newline or control character in \"" + *s + "\"");
  return plan;
}

// The nightly run must work now: the same validation `skillpipe validate` does. 0 when it does.
int validate_plan(const SchedulePlan& plan, const CommonOptions& common) {
  host::RunOptions opts{common.plugin_dirs, {}, plan.pass_project ? plan.project : "", plan.pass_store ? plan.store : "",
                        "", false, {}};
  const auto v = host::validate_only(plan.pipeline, opts);
  if (v.exit_code == 0) return 0;
  print_run_errors(v);
  error("the nightly run would fail on " + plan.pipeline, "--pipeline", "fix it first (or pass --no-validate)");
  return v.exit_code;
}

void print_plan(const SchedulePlan& plan, bool use_systemd) {
  if (use_systemd) {
    std::cout << "# " << unit_dir() << "/" << plan.name << ".service\n"
              << systemd_service(plan) << "\n# " << unit_dir() << "/" << plan.name << ".timer\n"
              << systemd_timer(plan) << "\n# then: systemctl --user daemon-reload && systemctl --user enable --now "
              << plan.name << ".timer\n";
  } else {
    std::cout << "# added to your crontab (every other line is kept as it is):\n" << cron_block(plan);
  }
  std::cout << "# API keys: " << plan.env_file << (fs::exists(plan.env_file) ? "" : " (would be created, mode 0600)")
            << "\n# log: " << plan.log_file << "\n";
}

// Installs the job; returns how ("a systemd user timer (...)") and appends notes.
std::string install_plan(const SchedulePlan& plan, bool use_systemd, std::string& notes) {
  if (!use_systemd) {
    crontab_write(install_cron_block(crontab_read(), plan));
    notes += remove_systemd(plan.name, false);
    return "your crontab (block " + plan.name + ")";
  }
  const std::string timer_path = unit_dir() + "/" + plan.name + ".timer";
  write_unit(unit_dir() + "/" + plan.name + ".service", systemd_service(plan));
  write_unit(timer_path, systemd_timer(plan));
  for (const std::vector<std::string>& cmd :
       {std::vector<std::string>{"systemctl", "--user", "daemon-reload"},
        std::vector<std::string>{"systemctl", "--user", "enable", "--now", plan.name + ".timer"}}) {
    const auto r = run_process(cmd);
    if (!r.started || r.exit_code != 0)
      throw Error("`systemctl --user " + cmd[2] + "` failed: " + trim(r.err) + " (the unit files are in " + unit_dir() +
                  "; try --via cron)");
  }
  notes += remove_cron(plan.name, false);  // switching from cron: never run twice
  notes += "To run while you are logged out: loginctl enable-linger \"$USER\"\n";
  return "a systemd user timer (" + timer_path + ")";
}

}  // namespace

int cmd_schedule(const Args& args) {
  ScheduleArgs a;
  po::options_description desc("options");
  desc.add_options()("at", po::value(&a.at), "time of day, HH:MM in local time (default 03:17)")(
      "pipeline", po::value(&a.pipeline), "pipeline file or bundled name (default: nightly, the bundled nightly pipeline)")(
      "store", po::value(&a.store),
      "store directory (default: the pipeline's store.root, $SKILLPIPE_STORE, ~/.skillpipe)")(
      "project", po::value(&a.project), "project directory the run works in (default: the current directory)")(
      "auto-adopt", po::bool_switch(&a.auto_adopt),
      "let the nightly run adopt an accepted (never an unverified) proposal")(
      "via", po::value(&a.via), "auto (default), systemd or cron")("print", po::bool_switch(&a.print),
                                                                   "show what would be installed; change nothing")(
      "no-validate", po::bool_switch(&a.no_validate), "install even if the pipeline does not validate now");
  add_common_options(desc, a.common);
  po::variables_map vm;
  const char* usage =
      "skillpipe schedule [--at 03:17] [--pipeline FILE] [--auto-adopt] [--print] [--store DIR] [--via "
      "auto|systemd|cron]";
  if (auto rc = parse_command_line(args, usage, desc, nullptr, vm, a.common)) return *rc;
  const auto hm = parse_at(a.at);
  if (!hm) {
    error("--at expects a 24-hour time HH:MM, e.g. 03:17 (got \"" + a.at + "\")", "--at");
    return 2;
  }
  if (a.via != "auto" && a.via != "systemd" && a.via != "cron") {
    error("--via expects auto, systemd or cron (got \"" + a.via + "\")", "--via");
    return 2;
  }
  if (const std::string bad = a.store.empty() ? "" : store_dir_problem("--store", a.store); !bad.empty()) {
    path_error(bad);
    return 2;
  }
  SchedulePlan plan;
  try {
    plan = make_plan(a, *hm);
    if (!a.no_validate)
      if (int rc = validate_plan(plan, a.common)) return rc;
  } catch (const ConfigError& e) {
    error(e.what());
    return 2;
  }
  try {
    const bool use_systemd = a.via == "systemd" || (a.via == "auto" && systemd_user_available());
    if (a.print) return print_plan(plan, use_systemd), 0;
    std::string notes;
    ensure_env_file(plan.env_file, notes);
    ensure_dir(plan.store + "/logs");
    const std::string how = install_plan(plan, use_systemd, notes);
    char when[8];
    std::snprintf(when, sizeof when, "%02d:%02d", plan.hour, plan.minute);
    std::cout << "Scheduled the nightly run at " << when << " every day via " << how << ".\n"
              << "  pipeline: " << plan.pipeline << "\n  project:  " << plan.project << "\n  store:    " << plan.store
              << "\n  log:      " << plan.log_file << " (each night also keeps summary.json in its night directory)\n"
              << "  keys:     " << plan.env_file << "\n"
              << (plan.auto_adopt ? "  adopts accepted proposals automatically (undo with `skillpipe rollback`)\n" : "")
              << notes << "Remove it with: skillpipe unschedule"
              << (a.project.empty() ? "" : " --project " + sh_quote(plan.project)) << "\n";
    return 0;
  } catch (const std::exception& e) {
    error(e.what());
    return 1;
  }
}

int cmd_unschedule(const Args& args) {
  CommonOptions common;
  std::string project;
  po::options_description desc("options");
  desc.add_options()("project", po::value(&project), "project directory (default: the current directory)");
  add_common_options(desc, common);
  po::variables_map vm;
  if (auto rc = parse_command_line(args, "skillpipe unschedule [--project P]", desc, nullptr, vm, common)) return *rc;
  const std::string dir = host::resolve_project(project);
  const std::string name = "skillpipe-nightly-" + project_slug(dir);
  try {
    std::string done = remove_systemd(name, systemd_user_available());
    const bool has_crontab = run_process({"crontab", "-l"}).started;
    if (has_crontab) done += remove_cron(name, true);
    std::cout << (done.empty() ? "Nothing is scheduled for " + dir + ".\n" : done);
    return 0;
  } catch (const std::exception& e) {
    error(e.what());
    return 1;
  }
}

}  // namespace skillpipe::app
