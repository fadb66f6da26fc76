// skillpipe experiment --persona researcher|programmer [--nights N] [--assert-improves]
//   [--fixture FILE] [--pipeline FILE] [--store DIR] [--set K=V...] [--json]
// skillpipe experiment --agentic --agent claude|codex [--model-server URL] [--binary PATH]
//   [--assert-improves] [--store DIR] [--set K=V...] [--json]
// Reproduces SkillOpt-Sleep's deterministic proof experiment as ordinary nights (see
// experiment_protocol.hpp); --agentic runs the agentic proof experiment with the real agent
// CLI instead (experiment_agentic.hpp). Exit: 0 ok; 1 with --assert-improves when val did not improve
// or a harmful rule was accepted (or the probe never exercised the gate); a night's own
// exit code when it failed to run.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <iostream>

#include "cli_common.hpp"
#include "experiment_agentic.hpp"
#include "experiment_protocol.hpp"
#include "skillpipe/errors.hpp"

namespace skillpipe::app {
namespace {

struct AgenticArgs {
  bool on = false;
  std::string agent = "claude", model_server, binary;
};

int run_agentic(const AgenticArgs& a, const experiment::Options& o, bool assert_improves, bool json) {
  agentic_experiment::Options ao;
  if (a.agent != "claude" && a.agent != "codex") {
    error("--agent must be claude or codex (got '" + a.agent + "')", "--agent");
    return 2;
  }
  ao.agent = a.agent == "claude" ? Agent::kClaude : Agent::kCodex;
  ao.model_server = a.model_server;
  ao.binary = a.binary;
  ao.fixture = o.fixture;
  ao.pipeline = o.pipeline;
  ao.store = o.store;
  ao.plugin_dirs = o.plugin_dirs;
  ao.sets = o.sets;
  agentic_experiment::Result r;
  try {
    r = agentic_experiment::run(ao);
  } catch (const Error& e) {
    error(e.what());
    return 2;
  }
  std::cout << (json ? agentic_experiment::result_json(r) : agentic_experiment::result_text(r));
  for (const auto& e : r.errors) listed_error(e);
  if (r.exit_code != 0) return r.exit_code;
  if (!assert_improves) return 0;
  const auto why = r.unproven();
  if (why.empty()) {
    plain(Level::kInfo, "PASS: the learned skill triggers and helps on val and test; the never-matching one gains nothing");
    return 0;
  }
  std::string msg;
  for (const auto& w : why) msg += (msg.empty() ? "" : "; ") + w;
  plain(Level::kError, "FAIL: " + msg);
  return 1;
}

}  // namespace

int cmd_experiment(const Args& args) {
  CommonOptions common;
  experiment::Options o;
  bool assert_improves = false, json = false, no_probe = false;
  AgenticArgs agentic;
  po::options_description desc("options");
  desc.add_options()("persona", po::value(&o.persona)->default_value("researcher"),
                     "persona of the fixture (researcher, programmer, ...)")(
      "nights", po::value(&o.nights)->default_value(4), "most nights to run (stops early at a perfect val score)")(
      "assert-improves", po::bool_switch(&assert_improves),
      "exit 1 unless val improved and no harmful rule was ever accepted")(
      "fixture", po::value(&o.fixture), "persona file (default: the pipelines folder's experiment_personas.json); with --agentic the fixture folder (default: agentic_experiment)")(
      "pipeline", po::value(&o.pipeline), "pipeline file (default: the fixture's `pipeline`, else experiment.yaml)")(
      "store", po::value(&o.store), "store directory (default: $SKILLPIPE_STORE, else ~/.skillpipe)")(
      "set", po::value(&o.sets)->composing(),
      "extra override for every night, e.g. stages.consolidate.gate_no_regression=true")(
      "no-probe", po::bool_switch(&no_probe), "skip the gate-safety probe")(
      "agentic", po::bool_switch(&agentic.on),
      "the agentic proof experiment: the real agent CLI on a fixture repository (docs/agentic.md)")(
      "agent", po::value(&agentic.agent)->default_value("claude"), "--agentic: claude or codex")(
      "model-server", po::value(&agentic.model_server),
      "--agentic: a loopback model server for the agent and the optimizer (build/bin/scripted_model_server)")(
      "binary", po::value(&agentic.binary), "--agentic: the agent CLI (default: claude / codex on PATH)")("json", po::bool_switch(&json),
                                                                            "print the result as JSON on stdout");
  add_common_options(desc, common);
  po::variables_map vm;
  const char* usage =
      "skillpipe experiment --persona NAME [--nights N] [--assert-improves] [--fixture FILE] [--store DIR] [--json]\n"
      "       skillpipe experiment --agentic --agent claude|codex [--model-server URL] [--assert-improves] [--json]";
  if (auto rc = parse_command_line(args, usage, desc, nullptr, vm, common)) return *rc;
  if (o.nights < 1 || o.nights > 1000) {
    error("--nights must be between 1 and 1000 (got " + std::to_string(o.nights) + ")", "--nights");
    return 2;
  }
  std::string bad;
  if (!o.store.empty()) bad = store_dir_problem("--store", o.store);
  if (bad.empty() && !o.fixture.empty() && !agentic.on) bad = input_file_problem("--fixture", o.fixture);
  if (!bad.empty()) {
    path_error(bad);
    return 2;
  }
  o.plugin_dirs = common.plugin_dirs;
  o.probe = !no_probe;
  // The nights' own progress lines would bury the result; --log-level brings them back.
  if (vm["log-level"].defaulted()) spdlog::default_logger()->set_level(spdlog::level::warn);
  if (agentic.on) return run_agentic(agentic, o, assert_improves, json);
  experiment::Result r;
  try {
    r = experiment::run_experiment(o);
  } catch (const Error& e) {
    error(e.what());
    return 2;
  }
  if (json)
    std::cout << experiment::result_json(r);
  else
    std::cout << experiment::result_text(r);
  for (const auto& e : r.errors) listed_error(e);
  if (r.exit_code != 0) return r.exit_code;
  if (assert_improves) {
    std::vector<std::string> why;
    if (!r.improved()) why.push_back("the val score did not improve");
    if (!r.harmful_blocked) why.push_back("a harmful rule was accepted");
    if (o.probe && !r.probes.empty() && !r.probe_exercised)
      why.push_back("the gate-safety probe never saw the harmful rule proposed");
    if (!why.empty()) {
      std::string msg;
      for (const auto& w : why) msg += (msg.empty() ? "" : "; ") + w;
      plain(Level::kError, "FAIL: " + msg);
      return 1;
    }
    plain(Level::kInfo, "PASS: the nights improved val and the gate blocked every harmful rule");
  }
  return 0;
}

}  // namespace skillpipe::app
