#include "experiment_agentic.hpp"

#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <sstream>

#include "experiment_protocol.hpp"
#include "host/project.hpp"
#include "host/runner.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/task_file.hpp"
#include "skillpipe/kit/util.hpp"

extern char** environ;
namespace fs = std::filesystem;

namespace skillpipe::app::agentic_experiment {
namespace {

// git with a fixed identity and date, so the fixture's commit is the same on every machine.
void git(const std::string& dir, std::vector<std::string> args) {
  args.insert(args.begin(), {"git", "-C", dir});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e) env_s.emplace_back(*e);
  for (const char* kv : {"GIT_AUTHOR_NAME=skillpipe", "GIT_AUTHOR_EMAIL=experiment@skillpipe.invalid",
                         "GIT_COMMITTER_NAME=skillpipe", "GIT_COMMITTER_EMAIL=experiment@skillpipe.invalid",
                         "GIT_AUTHOR_DATE=2026-11-20T10:00:00Z", "GIT_COMMITTER_DATE=2026-11-20T10:00:00Z"})
    env_s.emplace_back(kv);
  std::vector<char*> envp;
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  pid_t pid = 0;
  if (posix_spawnp(&pid, "git", nullptr, nullptr, argv.data(), envp.data()) != 0)
    throw Error("the agentic experiment needs git (Debian package git) to make its fixture repository");
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw Error("git " + args[3] + " failed in the fixture repository " + dir);
}

std::string frontmatter_field(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (starts_with(line, key + ":")) return trim(line.substr(key.size() + 1));
  return {};
}

std::string read_fixture_file(const std::string& path) {
  auto t = read_file(path);
  if (!t) throw Error("the agentic experiment's fixture file " + path + " cannot be read (is the fixture folder complete?)");
  return *t;
}

// consolidate_reflect's variants by role: train (train, train:post_skill), baseline (val),
// baseline_test, candidate_test (final_test) and candidate (trial:*, prune:*, final on val).
std::string role_of(const std::string& variant) {
  if (variant == "baseline" || variant == "baseline_test") return variant;
  if (starts_with(variant, "train")) return "train";
  if (ends_with(variant, "_test")) return "candidate_test";
  return "candidate";
}

template <class T>
std::vector<T> read_lines(const std::string& path) {
  std::vector<T> out;
  auto text = read_file(path);
  if (!text) return out;
  std::istringstream in(*text);
  for (std::string line; std::getline(in, line);) {
    if (trim(line).empty()) continue;
    out.emplace_back();
    from_json(line, out.back());
  }
  return out;
}

// The night's replays and verdicts, grouped by role.
std::vector<RoleStats> measure(const std::string& night_dir) {
  std::map<std::string, RoleStats> by;
  std::map<std::pair<std::string, std::string>, std::vector<double>> hard;  // (variant, task) -> samples
  for (const auto& v : read_lines<Verdict>(night_dir + "/streams/verdicts.jsonl"))
    hard[{v.variant, v.task_id}].push_back(v.hard);
  for (const auto& r : read_lines<ReplayResult>(night_dir + "/streams/replays.jsonl")) {
    RoleStats& s = by[role_of(r.variant)];
    s.role = role_of(r.variant);
    ++s.replays;
    auto h = hard.find({r.variant, r.task_id});
    if (h != hard.end() && !h->second.empty()) s.passed += h->second.front();
    if (r.trajectory) s.tool_calls += static_cast<int>(r.trajectory->tool_calls.size());
    s.seconds += r.latency_ms / 1000.0;
    s.cost_usd += r.cost_usd;
  }
  std::vector<RoleStats> out;
  for (const char* role : {"train", "baseline", "candidate", "baseline_test", "candidate_test"})
    if (by.count(role)) out.push_back(by[role]);
  return out;
}

// The gate's trigger metrics (trigger.<skill>.<what>.<role>) onto the roles it measured.
void add_trigger_metrics(std::vector<RoleStats>& roles, const std::map<std::string, double>& metrics,
                         const std::string& skill) {
  for (auto& s : roles) {
    auto get = [&](const char* what) -> std::optional<double> {
      const auto it = metrics.find("trigger." + skill + "." + what + "." + s.role);
      return it == metrics.end() ? std::nullopt : std::optional<double>(it->second);
    };
    s.recall = get("recall");
    s.precision = get("precision");
    if (const auto n = get("invoked")) s.invoked = static_cast<int>(*n);
  }
}

struct Setup {
  std::string dir, tasks_file, skill_text, never_text;
};

// A fresh experiment folder: the fixture repository committed, the tasks pointed at it.
Setup set_up(const Options& o, Result& r) {
  const std::string pdir = experiment::pipelines_dir();
  r.fixture = o.fixture.empty() ? pdir + "/agentic_experiment" : fs::absolute(expand_path(o.fixture)).string();
  r.pipeline = o.pipeline.empty() ? pdir + "/agentic_experiment.yaml" : fs::absolute(expand_path(o.pipeline)).string();
  if (!fs::is_regular_file(r.pipeline)) throw Error("pipeline file " + r.pipeline + " does not exist");
  if (!fs::is_directory(r.fixture + "/repo"))
    throw Error("the agentic experiment's fixture " + r.fixture + " has no repo/ folder (the repository the agent works in)");
  Setup s;
  s.skill_text = read_fixture_file(r.fixture + "/skill.md");
  s.never_text = read_fixture_file(r.fixture + "/skill_never_matches.md");
  r.skill = frontmatter_field(s.skill_text, "name");
  if (r.skill.empty() || frontmatter_field(s.never_text, "name") != r.skill)
    throw Error(r.fixture + ": skill.md and skill_never_matches.md must both name the same skill in their frontmatter");
  const std::string base = host::default_store_root(o.store) + "/experiments/agentic-" + r.agent + "-" +
                           std::to_string(now_ms());
  s.dir = base;
  for (int i = 2; fs::exists(s.dir); ++i) s.dir = base + "-" + std::to_string(i);
  r.project = s.dir + "/repo";
  fs::create_directories(s.dir);
  fs::copy(r.fixture + "/repo", r.project, fs::copy_options::recursive);
  git(r.project, {"init", "-q", "-b", "main"});
  git(r.project, {"add", "-A"});
  git(r.project, {"commit", "-qm", "fixture: the schema gained fields; generated/ is stale"});
  TaskFile tf = read_task_file(r.fixture + "/tasks.jsonl");
  for (auto& t : tf.tasks) t.project = r.project;
  s.tasks_file = s.dir + "/tasks.jsonl";
  atomic_write_file(s.tasks_file, task_file_text(tf.tasks, tf.meta, tf.reviewed));
  return s;
}

// The overrides every night of this experiment shares.
std::vector<std::string> night_sets(const Options& o, const Result& r, const Setup& s) {
  const bool claude = o.agent == Agent::kClaude;
  std::vector<std::string> sets = {"stages.tasks.tasks_file=" + s.tasks_file, "backends.agent.agent=" + r.agent,
                                   "stages.night.skill_name=" + r.skill,
                                   std::string("stages.night.targets=[") + (claude ? "claude_skill]" : "codex_skill]")};
  if (!o.binary.empty()) sets.push_back("backends.agent.binary=" + o.binary);
  if (!o.model_server.empty()) {
    // One loopback server speaks both APIs: Anthropic Messages at its root, OpenAI under /v1.
    sets.push_back("backends.agent.base_url=" + o.model_server + (claude ? "" : "/v1"));
    sets.push_back("backends.optimizer.base_url=" + o.model_server);
  }
  sets.insert(sets.end(), o.sets.begin(), o.sets.end());
  return sets;
}

Arm run_arm(const Options& o, Result& r, const Setup& s, const std::string& name, const std::string& seed) {
  Arm a;
  a.name = name;
  a.description = frontmatter_field(seed, "description");
  a.store = s.dir + "/store-" + name;
  // Each seed lives where the agent's user-level skills live in a home of its own
  // (<experiment>/home-<seed>/.claude/skills or .agents/skills), so `skillpipe adopt` run with
  // that HOME finds it under a default skill root and can install the night's proposal there.
  const std::string root =
      s.dir + "/home-" + name + (o.agent == Agent::kClaude ? "/.claude/skills" : "/.agents/skills");
  atomic_write_file(root + "/" + r.skill + "/SKILL.md", seed);
  host::RunOptions ro;
  ro.plugin_dirs = o.plugin_dirs;
  ro.overrides = night_sets(o, r, s);
  const std::string agent = o.agent == Agent::kClaude ? "claude" : "codex";
  ro.overrides.push_back("stages.night." + agent + "_skill_root=" + root);
  // The store stages a proposal as adoptable only under a skill root it knows.
  ro.overrides.push_back("store." + agent + "_skill_roots=[" + root + "]");
  ro.project = r.project;
  ro.store_root = a.store;
  const host::RunOutcome out = host::run_pipeline(r.pipeline, ro);
  if (out.exit_code != 0) {
    r.exit_code = out.exit_code;
    r.errors.push_back("the " + name + " night failed (exit " + std::to_string(out.exit_code) + ")");
    r.errors.insert(r.errors.end(), out.errors.begin(), out.errors.end());
  }
  const NightReport& rep = out.report;
  a.night_id = rep.night_id;
  a.night_dir = out.night_dir;
  a.gate_action = rep.gate_action ? to_string(*rep.gate_action) : "none";
  a.gate_reason = rep.gate_reason;
  a.baseline_val = rep.baseline_val;
  a.candidate_val = rep.candidate_val;
  a.baseline_test = rep.baseline_test;
  a.candidate_test = rep.candidate_test;
  for (const auto& e : rep.accepted_edits) {
    a.accepted.push_back(e.content);
    if (e.op == EditOp::kSetDescription) a.learned_description = e.content;
  }
  if (!a.night_dir.empty()) a.roles = measure(a.night_dir);
  add_trigger_metrics(a.roles, rep.metrics, r.skill);
  return a;
}

}  // namespace

Result run(const Options& o) {
  const auto t0 = std::chrono::steady_clock::now();
  Result r;
  r.agent = o.agent == Agent::kClaude ? "claude" : "codex";
  const Setup s = set_up(o, r);
  const std::pair<const char*, const std::string*> seeds[] = {{"learned", &s.skill_text},
                                                               {"never-matching", &s.never_text}};
  for (const auto& [name, seed] : seeds) {
    r.arms.push_back(run_arm(o, r, s, name, *seed));
    if (r.exit_code != 0) break;
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace skillpipe::app::agentic_experiment
