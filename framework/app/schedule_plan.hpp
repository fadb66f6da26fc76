// schedule_plan.hpp - what `skillpipe schedule` installs: a systemd user service + timer, or
// a managed block in the user's crontab. Pure text generation, so --print shows exactly what
// an install writes.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace skillpipe::app {

struct SchedulePlan {
  std::string name;                      // skillpipe-nightly-<project slug>: unit name and cron marker
  std::string project;                   // absolute project directory: the run's working directory
  bool pass_project = true;              // false when the pipeline names its own project (all, a path)
  std::string pipeline;                  // absolute pipeline file
  std::string skillpipe;                 // absolute path of this executable
  std::string store;                     // absolute store directory (logs go below it)
  bool pass_store = true;                // false when the pipeline has no store: section
  std::vector<std::string> plugin_dirs;  // absolute --plugin-path dirs, in order
  std::string env_file;                  // KEY=value file with API keys (0600)
  std::string log_file;                  // <store>/logs/nightly.log
  std::string path_env;                  // PATH at schedule time, for agent CLIs the backends call
  int hour = 3;
  int minute = 17;
  bool auto_adopt = false;
};

// "03:17" -> {3, 17}; nullopt for anything but H:MM / HH:MM in range.
std::optional<std::pair<int, int>> parse_at(const std::string& at);

// The arguments of the nightly command (after the executable).
std::vector<std::string> run_arguments(const SchedulePlan& plan);

std::string systemd_service(const SchedulePlan& plan);
std::string systemd_timer(const SchedulePlan& plan);

std::string cron_begin_marker(const std::string& name);  // prefix of the block's first line
std::string cron_end_marker(const std::string& name);    // the block's last line
std::string cron_block(const SchedulePlan& plan);        // ends with '\n'

// `crontab` text without this plan's managed block; every other byte kept. Throws Error when
// a begin marker has no end marker (the user edited the block by hand).
std::string remove_cron_block(const std::string& crontab, const std::string& name, bool* found);
// The crontab with the block replaced or appended.
std::string install_cron_block(const std::string& crontab, const SchedulePlan& plan);

// Quoting for a POSIX shell and for systemd unit files.
std::string sh_quote(const std::string& s);
std::string systemd_quote(const std::string& arg);     // one ExecStart= argument
std::string systemd_escape(const std::string& value);  // a path or text setting: % -> %%

}  // namespace skillpipe::app
