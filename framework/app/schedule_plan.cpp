#include "schedule_plan.hpp"

#include <cctype>
#include <cstdio>
#include <filesystem>

#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::app {
namespace {

std::string two(int v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", v);
  return buf;
}

std::string env_assignment(const std::string& key, const std::string& value) {
  std::string out = "\"" + key + "=";
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '%') out += '%';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::optional<std::pair<int, int>> parse_at(const std::string& at) {
  const auto colon = at.find(':');
  if (colon == std::string::npos || colon == 0 || colon > 2 || at.size() - colon != 3) return std::nullopt;
  for (std::size_t i = 0; i < at.size(); ++i) {
    if (i != colon && !std::isdigit(static_cast<unsigned char>(at[i]))) return std::nullopt;
  }
  const int h = std::stoi(at.substr(0, colon));
  const int m = std::stoi(at.substr(colon + 1));
  if (h > 23 || m > 59) return std::nullopt;
  return std::pair{h, m};
}

std::vector<std::string> run_arguments(const SchedulePlan& p) {
  std::vector<std::string> a = {"run", p.pipeline};
  if (p.pass_project) a.insert(a.end(), {"--project", p.project});
  if (p.pass_store) a.insert(a.end(), {"--store", p.store});
  for (const auto& d : p.plugin_dirs) a.insert(a.end(), {"--plugin-path", d});
  if (p.auto_adopt) a.push_back("--auto-adopt");
  return a;
}

// A bare % ends a crontab command (crontab(5)), so a word with one is always quoted.
std::string sh_quote(const std::string& s) { return shell_quote(s, "/._-+=:,@"); }

std::string systemd_escape(const std::string& value) {
  std::string out;
  for (char c : value) out += c == '%' ? std::string("%%") : std::string(1, c);
  return out;
}

std::string systemd_quote(const std::string& arg) {
  bool quote = arg.empty();
  std::string body;
  for (char c : arg) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == '"' || c == '\'' || c == '\\' || c == ';') quote = true;
    if (c == '\\' || c == '"') body += '\\';
    if (c == '%') body += '%';  // specifier
    if (c == '$') body += '$';  // variable expansion
    body += c;
  }
  return quote ? "\"" + body + "\"" : body;
}

std::string systemd_service(const SchedulePlan& p) {
  std::string exec = systemd_quote(p.skillpipe);
  for (const auto& a : run_arguments(p)) exec += " " + systemd_quote(a);
  const std::string log_dir = std::filesystem::path(p.log_file).parent_path().string();
  std::string s;
  s += "# Written by `skillpipe schedule`; remove with `skillpipe unschedule --project " +
       systemd_escape(sh_quote(p.project)) + "`.\n";
  s += "[Unit]\n";
  s += "Description=skillpipe nightly run for " + systemd_escape(p.project) + "\n\n";
  s += "[Service]\n";
  s += "Type=oneshot\n";
  s += "WorkingDirectory=" + systemd_escape(p.project) + "\n";
  s += "# API keys for the LLM backend, KEY=value per line (mode 0600).\n";
  s += "EnvironmentFile=-" + systemd_escape(p.env_file) + "\n";
  s += "Environment=" + env_assignment("SKILLPIPE_STORE", p.store) + "\n";
  s += "Environment=" + env_assignment("PATH", p.path_env) + "\n";
  s += "ExecStartPre=/bin/mkdir -p " + systemd_quote(log_dir) + "\n";
  s += "ExecStart=" + exec + "\n";
  s += "StandardOutput=append:" + systemd_escape(p.log_file) + "\n";
  s += "StandardError=append:" + systemd_escape(p.log_file) + "\n";
  s += "Nice=10\n";
  s += "IOSchedulingClass=idle\n";
  s += "TimeoutStartSec=6h\n";
  return s;
}

std::string systemd_timer(const SchedulePlan& p) {
  std::string s;
  s += "# Written by `skillpipe schedule`; remove with `skillpipe unschedule --project " +
       systemd_escape(sh_quote(p.project)) + "`.\n";
  s += "[Unit]\n";
  s += "Description=skillpipe nightly run for " + systemd_escape(p.project) + " at " + two(p.hour) + ":" +
       two(p.minute) + "\n\n";
  s += "[Timer]\n";
  s += "OnCalendar=*-*-* " + two(p.hour) + ":" + two(p.minute) + ":00\n";
  s += "# Catch up after the machine was off or asleep at that time.\n";
  s += "Persistent=true\n";
  s += "Unit=" + p.name + ".service\n\n";
  s += "[Install]\n";
  s += "WantedBy=timers.target\n";
  return s;
}

std::string cron_begin_marker(const std::string& name) { return "# >>> " + name + " "; }
std::string cron_end_marker(const std::string& name) { return "# <<< " + name + " <<<"; }

std::string cron_block(const SchedulePlan& p) {
  std::string run =
      "PATH=" + sh_quote(p.path_env) + " SKILLPIPE_STORE=" + sh_quote(p.store) + " " + sh_quote(p.skillpipe);
  for (const auto& a : run_arguments(p)) run += " " + sh_quote(a);
  const std::string env = sh_quote(p.env_file);
  const std::string log_dir = std::filesystem::path(p.log_file).parent_path().string();
  std::string cmd = "mkdir -p " + sh_quote(log_dir) + " && { cd " + sh_quote(p.project) + " && { [ ! -r " + env +
                    " ] || { set -a && . " + env + " && set +a; }; } && " + run + "; } >> " + sh_quote(p.log_file) +
                    " 2>&1";
  std::string escaped;  // cron turns an unescaped % into a newline
  for (char c : cmd) escaped += c == '%' ? std::string("\\%") : std::string(1, c);
  std::string s =
      cron_begin_marker(p.name) + "(managed by `skillpipe schedule`; remove with `skillpipe unschedule`) >>>\n";
  s += "# skillpipe nightly run for " + p.project + "\n";
  s += std::to_string(p.minute) + " " + std::to_string(p.hour) + " * * * " + escaped + "\n";
  s += cron_end_marker(p.name) + "\n";
  return s;
}

std::string remove_cron_block(const std::string& crontab, const std::string& name, bool* found) {
  const std::string begin = cron_begin_marker(name), end = cron_end_marker(name);
  std::string out;
  bool inside = false;
  if (found) *found = false;
  std::size_t start = 0;
  while (start < crontab.size()) {
    auto nl = crontab.find('\n', start);
    const std::size_t stop = nl == std::string::npos ? crontab.size() : nl + 1;
    const std::string line = crontab.substr(start, stop - start);
    std::string bare = line;
    while (!bare.empty() && (bare.back() == '\n' || bare.back() == '\r')) bare.pop_back();
    if (!inside && bare.rfind(begin, 0) == 0) {
      inside = true;
      if (found) *found = true;
    } else if (inside && bare == end) {
      inside = false;
    } else if (!inside) {
      out += line;
    }
    start = stop;
  }
  if (inside) {
    throw Error("your crontab has the start of the skillpipe block \"" + name +
                "\" but not its end line; fix it with `crontab -e` (nothing was changed)");
  }
  return out;
}

std::string install_cron_block(const std::string& crontab, const SchedulePlan& plan) {
  std::string out = remove_cron_block(crontab, plan.name, nullptr);
  if (!out.empty() && out.back() != '\n') out += '\n';
  return out + cron_block(plan);
}

}  // namespace skillpipe::app
