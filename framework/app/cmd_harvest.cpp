// skillpipe harvest - run the harvester plugins by hand and print or write the digests.
//
//   skillpipe harvest --source NAME|all [--home DIR] [--project P | --all-projects]
//                     [--since 72h|7d|2026-11-01T00:00:00Z|all] [--json | --output FILE]
//
// NAME is any installed harvester plugin, by its source name ("claude", "qwen") or its plugin
// name ("harvest_qwen"); `all` runs every installed one. For inspection: no store, so no
// cursors are read or written and every run sees the whole window. The plugins are loaded and
// configured exactly as a pipeline would.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>

#include "cli_common.hpp"
#include "host/basic_context.hpp"
#include "host/plugin_registry.hpp"
#include "host/schema_check.hpp"
#include "skillpipe/config.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/harvest.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::app {
namespace {

// "72h", "7d", "30m", "2w" -> hours; an ISO-8601 instant -> hours before now; "all"/"0" -> 0.
std::optional<double> since_to_hours(const std::string& s, std::int64_t now) {
  if (s == "all" || s == "0") return 0.0;
  if (auto t = parse_iso8601_ms(s)) {
    if (*t >= now) return std::nullopt;
    return static_cast<double>(now - *t) / 3600000.0;
  }
  if (s.size() < 2) return std::nullopt;
  char unit = s.back();
  const std::string digits = s.substr(0, s.size() - 1);
  if (digits.find_first_not_of("0123456789.") != std::string::npos || digits.front() == '.' ||
      std::count(digits.begin(), digits.end(), '.') > 1)
    return std::nullopt;
  double n = 0;
  try {
    std::size_t used = 0;
    n = std::stod(s.substr(0, s.size() - 1), &used);
    if (used != s.size() - 1 || !(n > 0) || !std::isfinite(n)) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  switch (unit) {
    case 'm': return n / 60.0;
    case 'h': return n;
    case 'd': return n * 24.0;
    case 'w': return n * 24.0 * 7.0;
    default: return std::nullopt;
  }
}

std::string human(const SessionDigest& d) {
  std::string out = d.source + "  " + d.session_id + "  " + d.project + "\n";
  out += "  " + d.started_at + " -> " + d.ended_at + "  prompts " + std::to_string(d.user_prompts.size()) +
         ", assistant turns " + std::to_string(d.n_assistant_turns) + ", tokens in/out " +
         std::to_string(d.usage.input) + "/" + std::to_string(d.usage.output) + "\n";
  if (!d.tools.empty()) {
    out += "  tools:";
    for (const auto& t : d.tools)
      out += " " + t.name + (t.errors ? " (" + std::to_string(t.calls) + " calls, " + std::to_string(t.errors) + " failed)" : "");
    out += "\n";
  }
  for (const auto& p : d.user_prompts) {
    std::string one = truncate_utf8(p, 160);
    for (char& c : one)
      if (c == '\n' || c == '\r') c = ' ';
    out += "  > " + one + "\n";
  }
  for (const auto& f : d.feedback_signals)
    out += "  feedback " + f.polarity + " at prompt " + std::to_string(f.turn) + ": \"" + f.phrase + "\"\n";
  return out;
}


// The harvester plugins `source` names: "all" = every installed plugin whose descriptor is a
// harvester, else the one named (with or without "harvest_"). Empty = not installed.
std::vector<std::string> harvester_plugins(host::PluginRegistry& reg, const std::string& source,
                                           std::string* installed) {
  std::vector<std::string> all;
  for (const auto& [name, path] : reg.discover()) {
    if (!name.starts_with("harvest_")) continue;
    try {
      if (reg.load(name).desc->kind == StageKind::kHarvester) all.push_back(name);
    } catch (const host::PluginLoadError&) {
      // listed by `skillpipe plugins` with its reason; not a source here
    }
  }
  for (const auto& n : all) *installed += (installed->empty() ? "" : ", ") + n.substr(8);
  if (source == "all") return all;
  const std::string wanted = source.starts_with("harvest_") ? source : "harvest_" + source;
  if (std::find(all.begin(), all.end(), wanted) != all.end()) return {wanted};
  return {};
}

struct HarvestRequest {
  std::string cfg;  // the harvesters' config (JSON)
  RunInfo run;
};

// The plugin config and run info for the command-line flags; an error message or "".
std::string plan_request(const std::string& home, const std::string& project, const std::string& since,
                         bool all_projects, std::int64_t max_sessions, int threads, HarvestRequest& req) {
  std::string& cfg = req.cfg;
  cfg = "{\"use_cursors\":false,\"max_sessions\":" + std::to_string(max_sessions);
  if (threads > 0) cfg += ",\"threads\":" + std::to_string(threads);
  if (!home.empty()) cfg += ",\"home\":" + json_quote(expand_path(home));
  if (!since.empty()) {
    auto hours = since_to_hours(since, now_ms());
    if (!hours) return "--since: expected 72h, 7d, 30m, 2w (a decimal number and a unit), an ISO-8601 time in the past, or all; got '" + since + "'";
    cfg += ",\"lookback_hours\":" + std::to_string(*hours);
  }
  if (all_projects) {
    cfg += ",\"project_scope\":\"all\"";
    req.run.project = "all";
  } else {
    std::error_code ec;
    std::string p = project.empty() ? std::filesystem::current_path(ec).string() : expand_path(project);
    req.run.project = std::filesystem::absolute(p, ec).lexically_normal().string();
    while (req.run.project.size() > 1 && req.run.project.back() == '/') req.run.project.pop_back();
    cfg += ",\"project_scope\":\"invoked\"";
  }
  cfg += "}";
  return {};
}

// Runs one harvester; its summary (and, with no sessions, why) goes to stderr. Returns the
// exit code (0 ok, 1 the harvester failed, 2 bad config, 3 cannot load).
int run_one(host::PluginRegistry& reg, const std::string& name, const HarvestRequest& req,
            std::vector<SessionDigest>& all) {
  try {
    const auto& lp = reg.load(name);
    auto issues = host::check_config(lp.desc->config_schema_json ? lp.desc->config_schema_json : "{}", req.cfg);
    if (!issues.empty()) {
      std::cerr << "skillpipe harvest: " << name << " config" << issues[0].pointer << ": " << issues[0].message << "\n";
      return 2;
    }
    auto stage = reg.create_as<Harvester>(name);
    host::Services services;  // no store: cursors unused
    host::BasicContext ctx(name, req.run, &services);
    stage->configure(Config::parse(req.cfg), ctx);
    auto digests = stage->harvest(ctx);
    stage->finish(ctx);
    const auto counts = ctx.counts();
    std::string summary;
    for (const auto& [k, v] : counts) summary += " " + k + "=" + std::to_string(v);
    std::cerr << name << ":" << summary << "\n";
    if (digests.empty())
      if (std::string why = harvest::explain_no_sessions(counts, true); !why.empty())
        std::cerr << name << ": " << why << "\n";
    for (auto& d : digests) all.push_back(std::move(d));
    return 0;
  } catch (const host::PluginLoadError& e) {
    std::cerr << "skillpipe harvest: " << e.what() << "\n";
    return 3;
  } catch (const ConfigError& e) {
    std::cerr << "skillpipe harvest: " << name << ": " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "skillpipe harvest: " << name << " failed: " << e.what() << "\n";
    return 1;
  }
}

int print_digests(const std::vector<SessionDigest>& all, const std::string& output, bool json) {
  if (!output.empty()) {
    std::string text;
    for (const auto& d : all) text += to_json(d) + "\n";
    try {
      atomic_write_file(expand_path(output), text);
    } catch (const std::exception& e) {
      std::cerr << "skillpipe harvest: cannot write " << output << ": " << e.what() << "\n";
      return 2;
    }
    std::cerr << "wrote " << all.size() << " digests to " << output << "\n";
  } else if (json) {
    for (const auto& d : all) std::cout << to_json(d) << "\n";
  } else {
    for (const auto& d : all) std::cout << human(d) << "\n";
    std::cout << all.size() << " sessions\n";
  }
  return 0;
}

}  // namespace

int cmd_harvest(const Args& args) {
  CommonOptions common;
  std::string source = "all", home, project, since, output;
  bool all_projects = false, json = false;
  std::int64_t max_sessions = 0;
  int threads = 0;
  po::options_description desc("options");
  desc.add_options()
      ("source", po::value(&source), "an installed harvester (claude, codex, ...) or all (default all)")
      ("home", po::value(&home), "the agent's folder (~/.claude) or your home holding it; needs one --source")
      ("project", po::value(&project), "only sessions in this project, its sub- and parent directories "
                                       "(default: the current directory)")
      ("all-projects", po::bool_switch(&all_projects), "sessions of every project")
      ("since", po::value(&since), "window: 72h, 7d, 30m, an ISO-8601 time, or all (default: the plugin's 72h)")
      ("max-sessions", po::value(&max_sessions), "newest first; 0 = no cap (default)")
      ("threads", po::value(&threads), "parser threads (default: up to 4)")
      ("json", po::bool_switch(&json), "print one digest per line as JSON")
      ("output", po::value(&output), "write the digests to FILE as JSONL");
  add_common_options(desc, common);
  po::variables_map vm;
  if (auto rc = parse_command_line(
          args, "skillpipe harvest --source NAME|all [--home DIR] [--project P|--all-projects] "
                "[--since ...] [--json | --output FILE]",
          desc, nullptr, vm, common))
    return *rc;

  auto fail = [](const std::string& msg) {
    std::cerr << "skillpipe harvest: " << msg << "\n";
    return 2;
  };
  if (all_projects && !project.empty()) return fail("--project and --all-projects exclude each other");
  if (json && !output.empty()) return fail("--json and --output exclude each other");
  if (max_sessions < 0 || threads < 0) return fail("--max-sessions and --threads must be >= 0");
  HarvestRequest req;
  if (auto err = plan_request(home, project, since, all_projects, max_sessions, threads, req); !err.empty())
    return fail(err);

  host::PluginRegistry reg(host::plugin_search_dirs(common.plugin_dirs, {}));
  std::string installed;
  const std::vector<std::string> plugins = harvester_plugins(reg, source, &installed);
  if (plugins.empty())
    return fail("no harvester '" + source + "' is installed (installed: " + (installed.empty() ? "none" : installed) +
                "; `skillpipe plugins` lists them)");
  if (!home.empty() && plugins.size() != 1) return fail("--home needs one --source (one of: " + installed + ")");

  std::vector<SessionDigest> all;
  for (const auto& name : plugins)
    if (int rc = run_one(reg, name, req, all); rc != 0) return rc;
  return print_digests(all, output, json);
}

}  // namespace skillpipe::app
