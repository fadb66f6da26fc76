// skillpipe report [--night ID] [--open] [--project P] [--store DIR] [--json]: prints the path
// of a night's report.html (the latest finished night by default), or opens it. A night
// published before report.html existed gets one rendered from its report.json on the spot.
#include <rapidjson/document.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include "host/report_html.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"
#include "store_cli.hpp"

extern char** environ;

namespace skillpipe::app {
namespace {

namespace fs = std::filesystem;

struct NightRef {
  std::string id;
  bool published = false;
};

CommandResult fail(int code, const std::string& message, bool json) {
  CommandResult r;
  r.exit_code = code;
  r.text = message + "\n";
  if (json) r.json = "{\"ok\": false, \"error\": " + json_quote(message) + "}";
  return r;
}

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

}  // namespace

int cmd_report(const Args& args) {
  StoreCliArgs a;
  std::string wanted;
  bool open = false;
  po::options_description desc("options");
  desc.add_options()("night", po::value(&wanted), "night id or number (default: the latest finished night)")(
      "open", po::bool_switch(&open), "open the report in the desktop's browser (xdg-open)");
  add_store_options(desc, a);
  po::variables_map vm;
  if (auto rc = parse_command_line(args, "skillpipe report [--night ID] [--open] [--project P] [--store DIR] [--json]",
                                   desc, nullptr, vm, a.common)) {
    return *rc;
  }
  return run_with_store("report", a, [&](Store& store, const std::string& project) -> CommandResult {
    // The store says where the project's nights are (status --json), so this command never
    // guesses the store's layout beyond "<store_dir>/nights/<id>".
    const CommandResult st = store.status(project, true);
    if (st.exit_code != 0) return st;
    rapidjson::Document doc;
    doc.Parse(st.json.c_str());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("store_dir") || !doc["store_dir"].IsString()) {
      return fail(1, "the store's status output is not what this skillpipe expects", a.json);
    }
    const std::string project_dir = doc["store_dir"].GetString();
    std::vector<NightRef> nights;
    if (doc.HasMember("nights") && doc["nights"].IsArray()) {
      for (const auto& n : doc["nights"].GetArray()) {
        if (n.IsObject() && n.HasMember("id") && n["id"].IsString()) {
          nights.push_back(
              {n["id"].GetString(), n.HasMember("published") && n["published"].IsBool() && n["published"].GetBool()});
        }
      }
    }
    const NightRef* night = nullptr;
    for (const auto& n : nights) {
      if (wanted.empty() ? n.published : id_matches(n.id, wanted)) night = &n;
    }
    if (!night) {
      if (!wanted.empty())
        return fail(2, "project " + project + " has no night \"" + wanted + "\" (see `skillpipe status`)", a.json);
      return fail(
          1, "no finished night yet for " + project + "; run one first, e.g. `skillpipe run nightly`",
          a.json);
    }
    if (!night->published) {
      return fail(
          2, "night " + night->id + " has not finished, so it has no report yet (run the pipeline again to resume it)",
          a.json);
    }
    const std::string dir = project_dir + "/nights/" + night->id;
    std::string path;
    for (const std::string& candidate : {dir + "/artifacts/report.html", dir + "/report.html"}) {
      if (path.empty() && fs::is_regular_file(candidate)) path = candidate;
    }
    bool generated = false;
    if (path.empty()) {
      const auto text = read_file(dir + "/report.json");
      if (!text)
        return fail(1, "night " + night->id + " finished without a report (it staged nothing): " + dir, a.json);
      NightReport report;
      from_json(*text, report);
      // History up to this night, so an old report looks as it would have that morning.
      std::map<std::string, std::size_t> order;
      for (std::size_t i = 0; i < nights.size(); ++i) order[nights[i].id] = i;
      const std::size_t limit = order[night->id];
      std::vector<NightReport> history;
      for (auto& past : store.past_reports(project)) {
        auto it = order.find(past.night_id);
        if (it != order.end() && it->second < limit) history.push_back(std::move(past));
      }
      host::ReportHtmlOptions opt;
      // project_dir is <root>/projects/<slug>; commands carry --store unless it is the default.
      const std::string root = fs::path(project_dir).parent_path().parent_path().string();
      if (root != expand_path("~/.skillpipe")) opt.store_dir = root;
      path = dir + "/artifacts/report.html";
      ensure_dir(dir + "/artifacts");
      atomic_write_file(path, host::render_report_html(report, history, opt));
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
    r.json = "{\"ok\": " + std::string(r.exit_code == 0 ? "true" : "false") + ", \"project\": " + json_quote(project) +
             ", \"night_id\": " + json_quote(night->id) + ", \"path\": " + json_quote(path) +
             ", \"generated\": " + (generated ? "true" : "false") +
             ", \"opened\": " + (open && open_error.empty() ? "true" : "false") + "}";
    return r;
  });
}

}  // namespace skillpipe::app
