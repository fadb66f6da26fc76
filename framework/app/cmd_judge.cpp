// skillpipe judge - score given responses with a judge plugin, offline.
//
//   skillpipe judge --judge PLUGIN [--set key=value]... --tasks TASKS.jsonl
//                   --responses RESPONSES.jsonl [--json]
//
// Responses are JSONL lines {task_id, response, tools_called[, variant, sample]}; a task may
// have several. Tasks are any task file `skillpipe tasks export` writes or the miner reads.
// No backend is configured, so no model is called: judge_rule and judge_exact work here, a
// judge that needs a backend says so. Output: one verdict per response (text, or one JSON
// Verdict per line with --json) and a summary (pass rate, mean hard, mean soft; with --json a
// last line {"summary": {...}}). Exit 0 when every response was judged, 1 when a judge
// failed on some, 2 for bad input (unknown task id, invalid judge spec, bad config).
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <iostream>
#include <map>

#include "cli_common.hpp"
#include "host/basic_context.hpp"
#include "host/plugin_registry.hpp"
#include "host/schema_check.hpp"
#include "skillpipe/config.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/task_file.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::app {
namespace {

int fail(const std::string& msg) {
  std::cerr << "skillpipe judge: " << msg << "\n";
  return 2;
}

// "key=value" pairs into a JSON object; VALUE is JSON when it parses as JSON (0.7, true,
// [..], {..}, "text"), else a string. Dotted keys nest: a.b=1 -> {"a":{"b":1}}.
bool sets_to_json(const std::vector<std::string>& sets, std::string* json, std::string* error) {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& al = doc.GetAllocator();
  for (const auto& s : sets) {
    const auto eq = s.find('=');
    if (eq == std::string::npos || eq == 0) {
      *error = "--set '" + s + "' is not KEY=VALUE";
      return false;
    }
    const std::string text = s.substr(eq + 1);
    rapidjson::Document parsed;
    parsed.Parse(text.data(), text.size());
    rapidjson::Value value;
    if (!parsed.HasParseError()) value.CopyFrom(parsed, al);
    else value.SetString(text.c_str(), static_cast<rapidjson::SizeType>(text.size()), al);
    const auto keys = split(s.substr(0, eq), '.');
    rapidjson::Value* cur = &doc;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const rapidjson::Value name(keys[i].c_str(), static_cast<rapidjson::SizeType>(keys[i].size()), al);
      auto it = cur->FindMember(name);
      if (i + 1 == keys.size()) {
        if (it != cur->MemberEnd()) it->value = value;
        else cur->AddMember(rapidjson::Value(name, al), value, al);
      } else {
        if (it == cur->MemberEnd()) {
          cur->AddMember(rapidjson::Value(name, al), rapidjson::Value(rapidjson::kObjectType), al);
          it = cur->FindMember(name);
        } else if (!it->value.IsObject()) {
          it->value.SetObject();
        }
        cur = &it->value;
      }
    }
  }
  rapidjson::StringBuffer sb;
  rapidjson::Writer<rapidjson::StringBuffer> w(sb);
  doc.Accept(w);
  *json = sb.GetString();
  return true;
}

}  // namespace

int cmd_judge(const Args& args) {
  CommonOptions common;
  std::string plugin, tasks_path, responses_path;
  std::vector<std::string> sets;
  bool json = false;
  po::options_description desc("options");
  desc.add_options()("judge", po::value(&plugin), "judge plugin, e.g. judge_rule, judge_exact")(
      "set", po::value(&sets)->composing(), "judge config value KEY=VALUE (repeatable)")(
      "tasks", po::value(&tasks_path), "task file (JSONL of TaskRecord, or any format the miner reads)")(
      "responses", po::value(&responses_path), "JSONL of {task_id, response, tools_called}")(
      "json", po::bool_switch(&json), "one Verdict JSON per line, then {\"summary\": ...}");
  add_common_options(desc, common);
  po::variables_map vm;
  if (auto rc = parse_command_line(args,
                                   "skillpipe judge --judge PLUGIN [--set key=value]... --tasks TASKS.jsonl "
                                   "--responses RESPONSES.jsonl [--json]",
                                   desc, nullptr, vm, common))
    return *rc;
  if (plugin.empty() || tasks_path.empty() || responses_path.empty())
    return fail("--judge, --tasks and --responses are required");
  std::string cfg, err;
  if (!sets_to_json(sets, &cfg, &err)) return fail(err);

  // Tasks, by id.
  TaskFile tf;
  try {
    tf = read_task_file(tasks_path);
  } catch (const Error& e) {
    return fail(e.what());
  }
  std::map<std::string, const TaskRecord*> tasks;
  for (const auto& t : tf.tasks) tasks[t.id] = &t;

  // Responses; every line must parse and name a known task.
  std::vector<ReplayResult> responses;
  std::vector<std::string> problems;
  JsonlStats stats;
  const bool opened = for_each_jsonl_line(
      responses_path,
      [&](std::string_view line, std::int64_t no) {
        try {
          ReplayResult r = record_from_json<ReplayResult>(line);
          if (r.task_id.empty()) problems.push_back(responses_path + ":" + std::to_string(no) + ": missing task_id");
          else if (!tasks.count(r.task_id))
            problems.push_back(responses_path + ":" + std::to_string(no) + ": unknown task_id '" + r.task_id + "'");
          else responses.push_back(std::move(r));
        } catch (const RecordError& e) {
          problems.push_back(responses_path + ":" + std::to_string(no) + ": " + e.what());
        }
      },
      &stats);
  if (!opened) return fail("cannot read " + responses_path);
  if (stats.torn_tail) problems.push_back(responses_path + ": the last line is cut off");
  if (!problems.empty()) {
    for (const auto& p : problems) std::cerr << "skillpipe judge: " << p << "\n";
    return 2;
  }

  // Member order: the judge dies before the registry unloads its library.
  std::unique_ptr<host::PluginRegistry> registry;
  std::shared_ptr<Judge> judge;
  host::Services services;
  int rc = 0;
  try {
    registry = std::make_unique<host::PluginRegistry>(host::plugin_search_dirs(common.plugin_dirs, {}));
    const auto& lp = registry->load(plugin);
    const auto issues = host::check_config(lp.desc->config_schema_json ? lp.desc->config_schema_json : "{}", cfg);
    if (!issues.empty()) return fail(plugin + " config" + issues[0].pointer + ": " + issues[0].message);
    judge = registry->create_as<Judge>(plugin);
    RunInfo run;
    host::BasicContext ctx(plugin, run, &services);
    try {
      judge->configure(Config::parse(cfg), ctx);
    } catch (const ConfigError& e) {
      return fail(plugin + " config" + e.pointer() + ": " + e.what() +
                  " (skillpipe judge configures no backend and calls no model)");
    }
    // Specs are validated first: one bad spec aborts, naming its task.
    std::vector<std::string> spec_errors;
    for (const auto& t : tf.tasks) {
      try {
        for (const auto& w : judge->validate(t)) std::cerr << "warning: task " << t.id << ": " << w << "\n";
      } catch (const RecordError& e) {
        spec_errors.push_back(e.what());
      }
    }
    if (!spec_errors.empty()) {
      for (const auto& e : spec_errors) std::cerr << "skillpipe judge: " << e << "\n";
      return 2;
    }

    int judged = 0, passed = 0, errors = 0, skipped = 0;
    double sum_hard = 0, sum_soft = 0;
    for (const auto& r : responses) {
      if (!r.error.empty()) {
        ++skipped;  // a failed replay is not an answer
        continue;
      }
      const TaskRecord& t = *tasks[r.task_id];
      Verdict v;
      try {
        v = judge->judge(t, r, ctx);
      } catch (const std::exception& e) {
        ++errors;
        std::cerr << "skillpipe judge: task " << r.task_id << ": " << e.what() << "\n";
        continue;
      }
      v.task_id = t.id;
      v.judge_id = plugin;
      v.variant = r.variant;
      v.sample = r.sample;
      ++judged;
      passed += v.hard >= 1.0;
      sum_hard += v.hard;
      sum_soft += v.soft;
      if (json) {
        std::cout << to_json(v) << "\n";
      } else {
        std::printf("%-24s %s  hard %.2f  soft %.3f  %s\n", v.task_id.c_str(), v.hard >= 1.0 ? "PASS" : "FAIL", v.hard,
                    v.soft, v.rationale.c_str());
        for (const auto& c : v.failed_criteria) std::printf("    - %s\n", c.c_str());
      }
    }
    const double n = judged > 0 ? judged : 1;
    if (json) {
      std::printf("{\"summary\":{\"judge\":%s,\"responses\":%zu,\"judged\":%d,\"passed\":%d,\"pass_rate\":%.6g,"
                  "\"mean_hard\":%.6g,\"mean_soft\":%.6g,\"errors\":%d,\"skipped\":%d}}\n",
                  json_quote(plugin).c_str(), responses.size(), judged, passed, passed / n, sum_hard / n, sum_soft / n, errors,
                  skipped);
    } else {
      std::printf("\n%d response(s) judged by %s: %d passed, pass rate %.3f, mean hard %.3f, mean soft %.3f", judged,
                  plugin.c_str(), passed, passed / n, sum_hard / n, sum_soft / n);
      if (errors) std::printf(", %d judge error(s)", errors);
      if (skipped) std::printf(", %d failed replay(s) skipped", skipped);
      std::printf("\n");
    }
    std::fflush(stdout);
    rc = errors > 0 ? 1 : 0;
  } catch (const host::PluginLoadError& e) {
    std::cerr << "skillpipe judge: " << e.what() << "\n";
    rc = 3;
  } catch (const std::exception& e) {
    std::cerr << "skillpipe judge: " << e.what() << "\n";
    rc = 1;
  }
  judge.reset();
  registry.reset();
  return rc;
}

}  // namespace skillpipe::app
