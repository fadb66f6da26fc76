// skillpipe report [--night ID] [--open] [--project P] [--store DIR] [--json]: prints the path
// of a night's report.html (the latest finished night by default, skipping an experiment's
// gate-safety probes and re-scoring nights), or opens it. A night published before report.html existed gets one
// rendered from its report.json on the spot; one adopted or rolled back since gets a copy
// whose "what now" section fits that state.
#include <spawn.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "host/report/html.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"
#include "store_cli.hpp"

extern char** environ;

namespace skillpipe::app {
namespace {

namespace fs = std::filesystem;

// "7" matches "0007-20261123T031700Z"; a full id matches itself.
bool id_matches(const std::string& id, const std::string& wanted) {
  if (id == wanted) return true;
  const auto dash = id.find('-');
  if (dash == std::string::npos || wanted.empty() || wanted.find_first_not_of("0123456789") != std::string::npos)
    return false;
  return std::strtol(id.substr(0, dash).c_str(), nullptr, 10) == std::strtol(wanted.c_str(), nullptr, 10);
}

// Runs `xdg-open PATH` and waits for it (it hands the file to the desktop and returns).
std::string open_in_browser(const std::string& path) {
  pid_t pid = 0;
  const char* argv[] = {"xdg-open", path.c_str(), nullptr};
  if (posix_spawnp(&pid, "xdg-open", nullptr, nullptr, const_cast<char* const*>(argv), environ) != 0) {
    return "xdg-open is not installed (Debian package xdg-utils); open the file yourself";
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return "xdg-open could not open it; open the file yourself";
  return "";
}

// A side night of `skillpipe experiment`: a gate-safety probe (its miner counted probe tasks)
// or the re-scoring of the adopted documents (an evaluation-only consolidator). Neither is
// the night a user wants to read about first.
bool is_probe(const NightReport& r) {
  for (const auto& [k, v] : r.counts)
    if (v > 0 && (ends_with(k, ".probe_tasks") || ends_with(k, ".evaluation_only"))) return true;
  return false;
}

// The night the user asked for (--night), else the latest published one that is not a
// probe (the latest published one when every night is a probe).
const NightInfo* choose_night(StoreSession& s, const std::vector<NightInfo>& nights, const std::string& wanted) {
  const NightInfo* night = nullptr;
  for (const auto& n : nights)
    if (wanted.empty() ? n.published : id_matches(n.id, wanted)) night = &n;
  if (!wanted.empty() || !night) return night;
  std::set<std::string> probes;
  for (const auto& r : s.store->past_reports(s.project))
    if (is_probe(r)) probes.insert(r.night_id);
  for (auto it = nights.rbegin(); it != nights.rend(); ++it)
    if (it->published && !probes.count(it->id)) return &*it;
  return night;
}

// A night adopted or rolled back since it was staged: its page with the "what now" section
// for that state, written beside the store's other files (the night's own files never change).
std::string current_view(StoreSession& s, const NightInfo& night, const std::string& path) {
  AdoptionStore* adoption = s.adoption();
  if (!adoption) return path;
  const host::AdoptionState state = host::adoption_state(adoption->history(s.project), night.id);
  const auto report_json = read_file(night.dir + "/report.json");
  const auto page = read_file(path);
  if (state.state == host::NightAdoption::kPending || !report_json || !page) return path;
  NightReport report;
  from_json(*report_json, report);
  const auto updated = host::with_adoption_state(*page, report, s.store_root, state);
  const std::string dir = adoption->status(s.project).store_dir;
  if (!updated || dir.empty()) return path;
  const std::string view = dir + "/views/report-" + night.id + ".html";
  ensure_dir(dir + "/views");
  atomic_write_file(view, *updated);
  return view;
}

// A night published before report.html existed: rendered now from its report.json, with the
// history up to that night, so an old report looks as it would have that morning.
std::string render_missing_html(StoreSession& s, const std::vector<NightInfo>& nights, const NightInfo& night,
                                const std::string& report_json) {
  NightReport report;
  from_json(report_json, report);
  std::map<std::string, std::size_t> order;
  for (std::size_t i = 0; i < nights.size(); ++i) order[nights[i].id] = i;
  const std::size_t limit = order[night.id];
  std::vector<NightReport> history;
  for (auto& past : s.store->past_reports(s.project)) {
    auto it = order.find(past.night_id);
    if (it != order.end() && it->second < limit) history.push_back(std::move(past));
  }
  host::ReportHtmlOptions opt;
  opt.store_dir = s.store_root;  // commands in the page carry --store unless it is the default
  const std::string path = night.dir + "/artifacts/report.html";
  ensure_dir(night.dir + "/artifacts");
  atomic_write_file(path, host::render_report_html(report, history, opt));
  return path;
}

CommandResult report_night(StoreSession& s, const std::string& wanted, bool open, bool json) {
  const std::vector<NightInfo> nights = s.store->nights(s.project);
  const NightInfo* night = choose_night(s, nights, wanted);
  if (!night) {
    if (!wanted.empty())
      return command_error(2, "project " + s.project + " has no night \"" + wanted + "\" (see `skillpipe status`)", json);
    return command_error(
        2, "no finished night yet for " + s.project + "; run one first, e.g. `skillpipe run nightly`",
        json);
  }
  if (!night->published)
    return command_error(
        2, "night " + night->id + " has not finished, so it has no report yet (run the pipeline again to resume it)", json);
  if (night->dir.empty()) return command_error(2, "this store keeps no files for its nights, so there is no report file", json);
  std::string path;
  for (const std::string& candidate : {night->dir + "/artifacts/report.html", night->dir + "/report.html"})
    if (path.empty() && fs::is_regular_file(candidate)) path = candidate;
  bool generated = false;
  if (path.empty()) {
    const auto text = read_file(night->dir + "/report.json");
    if (!text) return command_error(2, "night " + night->id + " finished without a report (it staged nothing): " + night->dir, json);
    path = render_missing_html(s, nights, *night, *text);
    generated = true;
  }
  if (const std::string view = current_view(s, *night, path); view != path) {
    path = view;
    generated = true;
  }
  CommandResult r;
  r.text = path + "\n";
  std::string open_error;
  if (open) {
    open_error = open_in_browser(path);
    if (!open_error.empty()) {
      r.exit_code = 1;
      r.text = "cannot open " + path + ": " + open_error + "\n";
    }
  }
  r.json = "{\"ok\": " + std::string(r.exit_code == 0 ? "true" : "false") + ", \"project\": " + json_quote(s.project) +
           ", \"night_id\": " + json_quote(night->id) + ", \"path\": " + json_quote(path) +
           ", \"generated\": " + (generated ? "true" : "false") +
           ", \"opened\": " + (open && open_error.empty() ? "true" : "false") + "}";
  return r;
}

}  // namespace

int cmd_report(const Args& args) {
  StoreCliArgs a;
  std::string wanted;
  bool open = false;
  po::options_description desc("options");
  desc.add_options()("night", po::value(&wanted), "night id or number (default: the latest finished night that is not an experiment's probe or re-scoring night)")(
      "open", po::bool_switch(&open), "open the report in the desktop's browser (xdg-open)");
  add_store_options(desc, a);
  po::variables_map vm;
  if (auto rc = parse_command_line(args, "skillpipe report [--night ID] [--open] [--project P] [--pipeline FILE] [--store DIR] [--json]",
                                   desc, nullptr, vm, a.common)) {
    return *rc;
  }
  return run_with_store(a, [&](StoreSession& s) { return report_night(s, wanted, open, a.json); });
}

}  // namespace skillpipe::app
