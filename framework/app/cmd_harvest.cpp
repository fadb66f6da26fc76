// skillpipe harvest - run the harvester plugins by hand and print or write the digests.
//
//   skillpipe harvest --source NAME|all [--home DIR] [--project P | --all-projects]
//                     [--since 72h|7d|2026-11-01T00:00:00Z|all] [--json | --output FILE]
//
// --json prints one digest per line, then one {"skipped_file": {...}} line for each file that
// was skipped or read only in part (the same files the stage log names, paths redacted).
// NAME is any installed harvester plugin, by its source name ("claude", "qwen") or its plugin
// name ("harvest_qwen"); `all` runs every installed one. For inspection: no store, so no
// cursors are read or written and every run sees the whole window. The plugins are loaded and
// configured exactly as a pipeline would.
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>

#include "cli_common.hpp"
#include "json_out.hpp"
#include "host/assembly.hpp"
#include "host/plugin_registry.hpp"
#include "host/progress.hpp"
#include "host/project.hpp"
#include "host/stage_drivers.hpp"
#include "sdk/suggest.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/harvest.hpp"
#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/redact_rules.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::app {
namespace {

// "72h", "7d", "30m", "2w" -> hours; an ISO-8601 instant -> hours before now (an instant more
// than a century ago is everything); "all"/"0" -> 0 (everything).
std::optional<double> since_to_hours(const std::string& s, std::int64_t now) {
  if (s == "all" || s == "0") return 0.0;
  if (auto t = parse_iso8601_ms(s)) {
    if (*t >= now) return std::nullopt;
    const double hours = static_cast<double>(now - *t) / 3600000.0;
    return hours > kMaxDurationHours ? 0.0 : hours;
  }
  return parse_duration_hours(s);
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

struct HarvestArgs {
  CommonOptions common;
  std::string source = "all", home, project, since, output;
  bool all_projects = false, json = false;
  std::int64_t max_sessions = 0;
  int threads = 0;
};

int fail(const std::string& msg) {
  path_error(msg);
  return 2;
}

// The harvester plugins `source` names: "all" = every installed plugin whose descriptor is a
// harvester, else the one named (with or without "harvest_"). Empty = not installed.
std::vector<std::string> harvester_plugins(const HarvestArgs& a, std::string* installed) {
  host::PluginRegistry reg(host::plugin_search_dirs(a.common.plugin_dirs, {}));
  std::vector<std::string> all;
  for (const auto& [name, path] : reg.discover()) {
    if (!name.starts_with("harvest_")) continue;
    try {
      if (reg.load(name).desc->kind == StageKind::kHarvester) all.push_back(name);
    } catch (const host::PluginLoadError&) {
      // `skillpipe plugins` lists it with its reason; not a source here
    }
  }
  for (const auto& n : all) *installed += (installed->empty() ? "" : ", ") + n.substr(8);
  if (a.source == "all") return all;
  const std::string wanted = a.source.starts_with("harvest_") ? a.source : "harvest_" + a.source;
  if (std::find(all.begin(), all.end(), wanted) != all.end()) return {wanted};
  return {};
}

// The harvesters' config for an inspection: no cursors (nothing moves), the CLI's window.
std::optional<std::string> harvest_config(const HarvestArgs& a) {
  std::string cfg = "{\"use_cursors\":false,\"max_sessions\":" + std::to_string(a.max_sessions);
  if (a.threads > 0) cfg += ",\"threads\":" + std::to_string(a.threads);
  if (!a.home.empty()) cfg += ",\"home\":" + json_quote(expand_path(a.home));
  if (!a.since.empty()) {
    auto hours = since_to_hours(a.since, now_ms());
    if (!hours) return std::nullopt;
    cfg += ",\"lookback_hours\":" + std::to_string(*hours);
  }
  return cfg + ",\"project_scope\":\"" + (a.all_projects ? "all" : "invoked") + "\"}";
}

// A file a harvester skipped or read in part, and which stage said so.
struct SkippedFile {
  std::string stage;
  harvest::FileIssue issue;
};

std::string skipped_file_json(const SkippedFile& f) {
  JsonOut j;
  j.begin_object().key("skipped_file").begin_object().str("stage", f.stage);
  j.str("path", redact_path(f.issue.path)).str("problem", harvest::to_string(f.issue.problem));
  j.str("detail", redact_secrets(f.issue.detail)).end_object();
  return j.end_object().text();
}

// One line a person reads: "claude: 8 sessions from 9 files (1.2 MiB) in 0.3 s (4.0 MiB/s)".
std::string harvest_summary(const std::string& id, const std::map<std::string, std::int64_t>& counts,
                            std::size_t skipped, double secs) {
  auto get = [&](const char* k) {
    const auto it = counts.find(k);
    return it == counts.end() ? std::int64_t{0} : it->second;
  };
  const std::int64_t bytes = get("bytes"), files = get("files_read");
  char time[64];
  std::snprintf(time, sizeof time, "%.1f s", secs);
  std::string s = id + ": " + std::to_string(get("sessions")) + " sessions from " + std::to_string(files) +
                  (files == 1 ? " file (" : " files (") + host::human_bytes(bytes) + ") in " + time;
  if (secs > 0 && bytes > 0) s += " (" + host::human_bytes(static_cast<std::int64_t>(bytes / secs)) + "/s)";
  if (skipped > 0) s += "; " + std::to_string(skipped) + " file(s) skipped or read in part (--json lists them)";
  return s;
}

// The harvesters as a pipeline without a store, assembled and run like a night's.
int harvest_all(const HarvestArgs& a, const std::vector<std::string>& plugins, const std::string& cfg,
                std::vector<SessionDigest>& all, std::vector<SkippedFile>& skipped) {
  host::PipelineSpec spec;
  spec.path = "--source " + a.source;
  spec.format = 1;
  spec.project = a.all_projects ? "all" : a.project;
  for (const auto& name : plugins) {
    host::ComponentSpec c;
    c.id = name;
    c.plugin = name;
    c.config_json = cfg;
    spec.stages.push_back(std::move(c));
  }
  host::PipelineAssembly as({a.common.plugin_dirs, {}, "", "", {}});
  if (as.load(std::move(spec))) as.build(host::AssemblyParts::without_store({StageKind::kHarvester}));
  if (!as.ok()) {
    for (const auto& d : as.diagnostics()) diagnostic(d, Prefix::kCommand);
    return as.exit_code();
  }
  for (std::size_t idx : as.order()) {
    const auto& c = as.spec().stages[idx];
    try {
      auto ctx = as.context(c.id);
      harvest::set_file_issue_sink(*ctx, [&](const harvest::FileIssue& i) { skipped.push_back({c.id, i}); });
      // Unset on every way out, before the context goes (its address may be reused).
      const std::unique_ptr<const Context, void (*)(const Context*)> unset(
          ctx.get(), [](const Context* x) { harvest::set_file_issue_sink(*x, {}); });
      const auto t0 = std::chrono::steady_clock::now();
      const std::size_t skipped_before = skipped.size();
      DigestList got;
      static_cast<Harvester&>(*as.stage(idx)).harvest(got, *ctx);
      as.stage(idx)->finish(*ctx);
      ctx->finish_progress(false);  // the line below says more than the display's own summary
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      say(harvest_summary(c.id, ctx->counts(), skipped.size() - skipped_before, secs));
      // The raw counters, for a program (--json) or a person debugging (-v).
      std::string raw;
      for (const auto& [k, v] : ctx->counts()) raw += " " + k + "=" + std::to_string(v);
      if (a.json) say(c.id + ":" + raw);
      else spdlog::debug("{}:{}", c.id, raw);
      if (got.items.empty())
        if (std::string why = harvest::explain_no_sessions(ctx->counts(), true); !why.empty()) say(c.id + ": " + why);
      for (auto& d : got.items) all.push_back(std::move(d));
    } catch (const std::exception& e) {
      error(c.id + " failed: " + e.what());
      return 1;
    }
  }
  return 0;
}

int print_digests(const HarvestArgs& a, const std::vector<SessionDigest>& all, const std::vector<SkippedFile>& skipped) {
  if (!a.output.empty()) {
    std::string text;
    for (const auto& d : all) text += to_json(d) + "\n";
    try {
      atomic_write_file(expand_path(a.output), text);
    } catch (const std::exception& e) {
      error("cannot write " + a.output + ": " + e.what(), "--output");
      return 2;  // an argument error, not a failed stage
    }
    say("wrote " + std::to_string(all.size()) + " digests to " + a.output);
  } else if (a.json) {
    for (const auto& d : all) std::cout << to_json(d) << "\n";
    for (const auto& f : skipped) std::cout << skipped_file_json(f) << "\n";
  } else {
    for (const auto& d : all) std::cout << human(d) << "\n";
    std::cout << all.size() << " sessions\n";
  }
  return 0;
}

}  // namespace

int cmd_harvest(const Args& args) {
  HarvestArgs a;
  po::options_description desc("options");
  desc.add_options()
      ("source", po::value(&a.source), "an installed harvester (claude, codex, qwen, ...) or all (default all)")
      ("home", po::value(&a.home), "the agent's folder (~/.claude) or your home holding it; needs one --source")
      ("project", po::value(&a.project), "only sessions in this project, its sub- and parent directories "
                                         "(default: the current directory)")
      ("all-projects", po::bool_switch(&a.all_projects), "sessions of every project")
      ("since", po::value(&a.since), "window: 72h, 7d, 30m, an ISO-8601 time, or all (default: the plugin's 72h)")
      ("max-sessions", po::value(&a.max_sessions), "newest first; 0 = no cap (default)")
      ("threads", po::value(&a.threads), "parser threads (default: up to 4)")
      ("json", po::bool_switch(&a.json), "print one digest per line as JSON, then one skipped_file line per file skipped")
      ("output", po::value(&a.output), "write the digests to FILE as JSONL");
  add_common_options(desc, a.common);
  po::variables_map vm;
  if (auto rc = parse_command_line(
          args, "skillpipe harvest --source NAME|all [--home DIR] [--project P|--all-projects] "
                "[--since ...] [--json | --output FILE]",
          desc, nullptr, vm, a.common))
    return *rc;
  std::string installed;
  const std::vector<std::string> plugins = harvester_plugins(a, &installed);
  std::vector<std::string> sources = {"all"};
  for (const auto& n : split(installed, ',')) sources.push_back(trim(n));
  if (plugins.empty())
    return fail("no harvester '" + a.source + "' is installed" + detail::did_you_mean(a.source, sources) +
                " (installed: " + (installed.empty() ? "none" : installed) + "; `skillpipe plugins` lists them)");
  if (!a.home.empty() && plugins.size() != 1) return fail("--home needs one --source (one of: " + installed + ")");
  if (a.all_projects && !a.project.empty()) return fail("--project and --all-projects exclude each other");
  if (a.json && !a.output.empty()) return fail("--json and --output exclude each other");
  if (!a.output.empty())
    if (const std::string bad = output_file_problem("--output", a.output); !bad.empty()) return fail(bad);
  if (a.max_sessions < 0 || a.threads < 0) return fail("--max-sessions and --threads must be >= 0");
  const auto cfg = harvest_config(a);
  if (!cfg)
    return fail("--since: expected 72h, 7d, 30m, 2w (a decimal number and a unit, at most 100 years), a valid "
                "ISO-8601 time in the past (2026-11-01 or 2026-11-01T08:00:00+02:00), or all; got '" + a.since + "'");
  std::vector<SessionDigest> all;
  std::vector<SkippedFile> skipped;
  if (int rc = harvest_all(a, plugins, *cfg, all, skipped)) return rc;
  return print_digests(a, all, skipped);
}

}  // namespace skillpipe::app
