// skillpipe judge - score given responses with a judge, offline.
//
//   skillpipe judge --judge PLUGIN [--set key=value]... --tasks TASKS.jsonl
//                   --responses RESPONSES.jsonl [--json]
//   skillpipe judge --pipeline FILE --judge STAGE_ID [--set stages.<id>.<key>=V]... --tasks ... --responses ...
//
// Responses are JSONL lines {task_id, response, tools_called[, variant, sample]}; a task may
// have several. Tasks are any task file `skillpipe tasks export` writes or the miner reads.
// Without --pipeline no backend is configured, so no model is called: judge_rule and
// judge_exact work here, a judge that needs a backend says so. With --pipeline the judge stage
// and the pipeline's backends are assembled exactly as a night assembles them (no store). Output: one verdict per response (text, or one JSON
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
#include "host/assembly.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/task_file.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe_internal/json_parse.hpp"

namespace skillpipe::app {
namespace {

int fail(const std::string& msg) {
  path_error(msg);
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
    rapidjson::Value value;
    if (!detail::parse_json(parsed, text)) value.CopyFrom(parsed, al);
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

struct JudgeArgs {
  CommonOptions common;
  std::string judge, pipeline, tasks_path, responses_path;
  std::vector<std::string> sets;
  bool json = false;
};

// The judge, assembled like a pipeline's: a one-stage spec made from --judge and --set, or the
// named judge stage of --pipeline with the pipeline's backends. Prints errors; 0 when ready.
int assemble_judge(const JudgeArgs& a, host::PipelineAssembly& as, std::size_t& index) {
  if (a.pipeline.empty()) {
    std::string cfg, err;
    if (!sets_to_json(a.sets, &cfg, &err)) return fail(err);
    host::PipelineSpec spec;
    spec.path = "--judge " + a.judge;
    spec.format = 1;
    host::ComponentSpec c;
    c.id = a.judge;
    c.plugin = a.judge;
    c.config_json = cfg;
    c.observe = false;
    spec.stages.push_back(std::move(c));
    if (as.load(std::move(spec))) as.build(host::AssemblyParts::without_store({StageKind::kJudge}));
    index = 0;
  } else if (as.load(a.pipeline)) {
    const auto idx = as.stage_index(a.judge);
    if (!idx || as.kind(*idx) != StageKind::kJudge) return fail("'" + a.judge + "' is not a judge stage of " + a.pipeline);
    index = *idx;
    as.build(host::AssemblyParts::without_store({StageKind::kJudge}));
  }
  if (!as.ok()) {
    for (const auto& d : as.diagnostics()) diagnostic(d, Prefix::kCommand);
    if (a.pipeline.empty())
      error("without --pipeline no backend is configured and no model is called; to use a "
            "judge that needs one, pass --pipeline FILE --judge STAGE_ID", "--pipeline");
    return as.exit_code();
  }
  if (as.kind(index) != StageKind::kJudge) return fail(a.judge + " is a " + to_string(as.kind(index)) + " plugin, not a judge");
  return 0;
}

// Every response line must parse and name a known task.
int read_responses(const std::string& path, const std::map<std::string, const TaskRecord*>& tasks,
                   std::vector<ReplayResult>& out) {
  std::vector<std::string> problems;
  JsonlStats stats;
  const bool opened = for_each_jsonl_line(
      path,
      [&](std::string_view line, std::int64_t no) {
        const std::string where = path + ":" + std::to_string(no) + ": ";
        try {
          ReplayResult r = record_from_json<ReplayResult>(line);
          if (r.task_id.empty()) problems.push_back(where + "missing task_id");
          else if (!tasks.count(r.task_id)) problems.push_back(where + "unknown task_id '" + r.task_id + "'");
          else out.push_back(std::move(r));
        } catch (const RecordError& e) {
          problems.push_back(where + e.what());
        }
      },
      &stats);
  if (!opened) return fail("cannot read " + path);
  if (stats.torn_tail) problems.push_back(path + ": the last line is cut off");
  for (const auto& p : problems) error(p);
  return problems.empty() ? 0 : 2;
}

// Specs are validated first: one bad spec aborts, naming its task.
int validate_specs(Judge& judge, const TaskFile& tf) {
  std::vector<std::string> spec_errors;
  for (const auto& t : tf.tasks) {
    try {
      for (const auto& w : judge.validate(t)) warning("task " + t.id + ": " + w);
    } catch (const RecordError& e) {
      spec_errors.push_back(e.what());
    }
  }
  for (const auto& e : spec_errors) error(e);
  return spec_errors.empty() ? 0 : 2;
}

struct Tally {
  int judged = 0, passed = 0, errors = 0, skipped = 0;
  double sum_hard = 0, sum_soft = 0;
};

void print_verdict(const Verdict& v, bool json) {
  if (json) {
    std::cout << to_json(v) << "\n";
    return;
  }
  std::printf("%-24s %s  hard %.2f  soft %.3f  %s\n", v.task_id.c_str(), v.hard >= 1.0 ? "PASS" : "FAIL", v.hard,
              v.soft, v.rationale.c_str());
  for (const auto& c : v.failed_criteria) std::printf("    - %s\n", c.c_str());
}

void print_summary(const Tally& t, const std::string& judge, std::size_t responses, bool json) {
  const double n = t.judged > 0 ? t.judged : 1;
  if (json) {
    std::printf("{\"summary\":{\"judge\":%s,\"responses\":%zu,\"judged\":%d,\"passed\":%d,\"pass_rate\":%.6g,"
                "\"mean_hard\":%.6g,\"mean_soft\":%.6g,\"errors\":%d,\"skipped\":%d}}\n",
                json_quote(judge).c_str(), responses, t.judged, t.passed, t.passed / n, t.sum_hard / n, t.sum_soft / n,
                t.errors, t.skipped);
  } else {
    std::printf("\n%d response(s) judged by %s: %d passed, pass rate %.3f, mean hard %.3f, mean soft %.3f", t.judged,
                judge.c_str(), t.passed, t.passed / n, t.sum_hard / n, t.sum_soft / n);
    if (t.errors) std::printf(", %d judge error(s)", t.errors);
    if (t.skipped) std::printf(", %d failed replay(s) skipped", t.skipped);
    std::printf("\n");
  }
  std::fflush(stdout);
}

Tally score(Judge& judge, const std::string& judge_id, const std::vector<ReplayResult>& responses,
            const std::map<std::string, const TaskRecord*>& tasks, Context& ctx, bool json) {
  Tally t;
  for (const auto& r : responses) {
    if (!r.error.empty()) {
      ++t.skipped;  // a failed replay is not an answer
      continue;
    }
    const TaskRecord& task = *tasks.at(r.task_id);
    Verdict v;
    try {
      v = judge.judge(task, r, ctx);
    } catch (const std::exception& e) {
      ++t.errors;
      error("task " + r.task_id + ": " + e.what());
      continue;
    }
    v.task_id = task.id;
    v.judge_id = judge_id;
    v.variant = r.variant;
    v.sample = r.sample;
    ++t.judged;
    t.passed += v.hard >= 1.0;
    t.sum_hard += v.hard;
    t.sum_soft += v.soft;
    print_verdict(v, json);
  }
  return t;
}

}  // namespace

int cmd_judge(const Args& args) {
  JudgeArgs a;
  po::options_description desc("options");
  desc.add_options()("judge", po::value(&a.judge), "judge plugin (e.g. judge_rule), or with --pipeline a judge stage id")(
      "pipeline", po::value(&a.pipeline), "assemble the judge stage and backends of this pipeline file")(
      "set", po::value(&a.sets)->composing(),
      "judge config value KEY=VALUE (with --pipeline: stages.<id>.<key>=VALUE; repeatable)")(
      "tasks", po::value(&a.tasks_path), "task file (JSONL of TaskRecord, or any format the miner reads)")(
      "responses", po::value(&a.responses_path), "JSONL of {task_id, response, tools_called}")(
      "json", po::bool_switch(&a.json), "one Verdict JSON per line, then {\"summary\": ...}");
  add_common_options(desc, a.common);
  po::variables_map vm;
  if (auto rc = parse_command_line(args,
                                   "skillpipe judge [--pipeline FILE] --judge PLUGIN|STAGE [--set key=value]... "
                                   "--tasks TASKS.jsonl --responses RESPONSES.jsonl [--json]",
                                   desc, nullptr, vm, a.common))
    return *rc;
  if (a.judge.empty() || a.tasks_path.empty() || a.responses_path.empty())
    return fail("--judge, --tasks and --responses are required");
  for (const auto& [option, path] : {std::pair{"--tasks", a.tasks_path}, std::pair{"--responses", a.responses_path}})
    if (const std::string bad = input_file_problem(option, path); !bad.empty()) return fail(bad);
  TaskFile tf;
  try {
    tf = read_task_file(a.tasks_path);
  } catch (const Error& e) {
    return fail(e.what());
  }
  std::map<std::string, const TaskRecord*> tasks;
  for (const auto& t : tf.tasks) tasks[t.id] = &t;
  std::vector<ReplayResult> responses;
  if (int rc = read_responses(a.responses_path, tasks, responses)) return rc;

  host::PipelineAssembly as({a.common.plugin_dirs, a.pipeline.empty() ? std::vector<std::string>{} : a.sets, "", "", {}});
  std::size_t index = 0;
  if (int rc = assemble_judge(a, as, index)) return rc;
  auto& judge = static_cast<Judge&>(*as.stage(index));
  const std::string judge_id = as.spec().stages[index].id;
  try {
    if (int rc = validate_specs(judge, tf)) return rc;
    auto ctx = as.context(judge_id);
    const Tally t = score(judge, judge_id, responses, tasks, *ctx, a.json);
    print_summary(t, judge_id, responses.size(), a.json);
    return t.errors > 0 ? 1 : 0;
  } catch (const std::exception& e) {
    error(e.what());
    return 1;
  }
}

}  // namespace skillpipe::app
