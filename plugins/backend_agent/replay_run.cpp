#include "replay_run.hpp"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/util.hpp"

namespace fs = std::filesystem;

namespace skillpipe::backend_agent {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string real_home() {
  if (const char* h = std::getenv("HOME"); h && *h) return h;
  if (const passwd* pw = ::getpwuid(::getuid())) return pw->pw_dir;
  return {};
}

std::string join_path(const std::vector<std::string>& dirs) {
  std::string p;
  for (const auto& d : dirs) p += (p.empty() ? "" : ":") + d;
  return p.empty() ? "/usr/local/bin:/usr/bin:/bin" : p;
}

// Runs a shell command in the workspace, confined like the agent, with no credentials.
CheckRun run_in_workspace(const ReplaySettings& s, const Workspace& ws, const AgentHome& home, const std::string& cmd,
                          double timeout_s, const std::function<bool()>& cancelled) {
  CheckRun c;
  c.command = cmd;
  CleanProcess p;
  p.argv = confined(s, ws, {"/bin/sh", "-c", cmd});
  p.env = replay_environment(s, home, false);
  p.cwd = ws.cwd;
  p.timeout_s = timeout_s;
  const ProcessOutcome r = run_clean(p, cancelled);
  c.seconds = r.elapsed_s;
  c.timed_out = r.timed_out;
  c.exit_code = r.started && !r.timed_out && !r.cancelled && r.term_signal == 0 ? r.exit_code : -1;
  std::string out = r.started ? r.out + r.err : r.start_error;
  if (r.timed_out) out += "\n[timed out after " + std::to_string(static_cast<int>(timeout_s)) + " s]";
  // Keep the end: a test run's verdict is in its last lines.
  c.output = redacted_tail(out, s.output_cap);
  return c;
}

CleanProcess agent_process(const ReplaySettings& s, const AgentHome& home, const Workspace& ws) {
  CleanProcess p;
  p.argv = confined(s, ws, agent_argv(s.command, ws.cwd, ws.git));
  p.env = replay_environment(s, home, true);
  p.cwd = ws.cwd;
  return p;
}

// Gives the agent its prompt and reads its event stream to the end; the agent may have been
// started ahead (PreparedReplay::agent) or is started now.
void run_agent(const ReplaySettings& s, const ReplayJob& job, PreparedReplay& pr, const std::function<bool()>& cancelled) {
  ReplayOutcome& o = pr.o;
  if (!pr.agent) pr.agent = start_clean(agent_process(s, pr.home, o.ws));
  AgentStreamReader reader(s.command.agent, s.output_cap);
  const bool cap_turns = s.command.agent == Agent::kCodex;  // Claude caps itself (--max-turns)
  auto on_line = [&](std::string_view line) {
    reader.feed(line);
    if (cap_turns && reader.run().turns > s.command.max_turns) {
      o.turn_cap_hit = true;
      return false;
    }
    return true;
  };
  const auto t0 = std::chrono::steady_clock::now();
  o.process = pr.agent->finish(agent_input(s.command.agent, job.prompt), s.timeout_s, on_line, cancelled);
  o.agent_seconds = seconds_since(t0);
  o.events = o.process.out;
  o.run = std::move(reader.run());
  if (o.turn_cap_hit) o.run.end = RunEnd::kMaxTurns;
}

// Codex's stream does not show its skill listing; it lists every skill folder under the
// project's .agents/skills and its own bundled ones, so those are what it listed.
std::vector<std::string> codex_listed_skills(const Workspace& ws, const AgentHome& home) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const std::string& root : {ws.cwd + "/.agents/skills", home.config_dir + "/skills/.system"}) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(root, ec))
      if (fs::exists(e.path() / "SKILL.md", ec)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    out.insert(out.end(), names.begin(), names.end());
  }
  return out;
}

void finish(const ReplaySettings& s, ReplayOutcome& o) {
  if (s.keep_workspaces) {
    o.kept = true;
    atomic_write_file(o.ws.dir + "/KEPT",
                      "Kept by --keep-workspaces. ws/ is the agent's workspace, agent/home its scratch HOME; delete "
                      "this folder when done.\n");
    return;
  }
  std::string why;
  if (!remove_workspace(o.ws, &why)) o.notes.push_back(why);
}

}  // namespace

std::vector<std::string> replay_environment(const ReplaySettings& s, const AgentHome& home, bool with_auth) {
  std::vector<std::string> env{"PATH=" + join_path(s.path), "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "TZ=UTC"};
  for (const auto& kv : home.env) {
    const bool secret = std::find(s.home.auth.env.begin(), s.home.auth.env.end(), kv) != s.home.auth.env.end();
    if (with_auth || !secret) env.push_back(kv);
  }
  env.insert(env.end(), s.pass_env.begin(), s.pass_env.end());
  return env;
}

std::vector<std::string> confined(const ReplaySettings& s, const Workspace& ws, const std::vector<std::string>& argv) {
  if (s.confinement != Confinement::kBubblewrap) {
    // Inside bubblewrap, --die-with-parent does the same.
    return backend_common::dying_with_parent(argv);
  }
  ConfineSpec c;
  c.bwrap = s.bwrap;
  c.real_home = real_home();
  // The start record and snapshot beside them stay read-only: only the tree and the scratch home.
  c.writable = {ws.root, ws.dir + "/agent"};
  c.read_only = s.read_only;
  c.read_only.push_back(install_root_of(s.command.binary));
  // The checkout borrows the repository's objects (alternates): readable, never writable.
  if (!ws.git_common_dir.empty()) c.read_only.push_back(ws.git_common_dir);
  c.hidden = {"/run/user"};
  c.cwd = ws.cwd;
  std::vector<std::string> out = bwrap_prefix(c);
  out.insert(out.end(), argv.begin(), argv.end());
  return out;
}

void set_confinement(ReplaySettings& s, Confinement c) {
  s.confinement = c;
  s.command.codex_sandbox = s.home.codex_sandbox = c != Confinement::kBubblewrap;
}

PreparedReplay::~PreparedReplay() {
  if (used || o.ws.dir.empty()) return;
  agent.reset();  // killed before its workspace goes
  if (!(keep && ran)) remove_workspace(o.ws);  // one that never ran has nothing to inspect
}

std::unique_ptr<PreparedReplay> prepare_replay(const ReplaySettings& s, const ReplayJob& job,
                                               const std::function<bool()>& cancelled) {
  auto pr = std::make_unique<PreparedReplay>();
  ReplayOutcome& o = pr->o;
  const std::string dir = s.workspace_root + "/" + job.id;
  std::error_code ec;
  if (fs::exists(dir, ec)) remove_workspace(Workspace{dir, "", "", "", false, "", "", {}});  // a killed run's leftover
  o.start = job.start ? *job.start : resolve_start(job.project, job.hint);
  if (!o.start.note.empty()) o.notes.push_back(o.start.note);
  o.ws = create_workspace(o.start, dir, s.limits);  // from here on the destructor removes it
  pr->keep = s.keep_workspaces;
  o.installed = install_documents(s.command.agent, o.ws.cwd, job.docs);
  HomeSpec hs = s.home;
  hs.trusted_dirs = {o.ws.root};
  if (o.ws.cwd != o.ws.root) hs.trusted_dirs.push_back(o.ws.cwd);
  pr->home = create_agent_home(dir + "/agent", hs);
  for (const auto& cmd : s.setup) {
    CheckRun r = run_in_workspace(s, o.ws, pr->home, cmd, s.setup_timeout_s, cancelled);
    if (r.exit_code != 0)
      o.notes.push_back("setup command `" + cmd + "` failed (exit " + std::to_string(r.exit_code) + "): " + r.output);
  }
  mark_start(o.ws);
  return pr;
}

bool start_ahead(const ReplaySettings& s, PreparedReplay& pr) {
  if (pr.agent || !starts_before_input(s.command.agent)) return false;
  pr.agent = start_clean(agent_process(s, pr.home, pr.o.ws));
  return true;
}

ReplayOutcome finish_replay(const ReplaySettings& s, const ReplayJob& job, PreparedReplay& pr,
                            const std::function<bool()>& cancelled) {
  ReplayOutcome& o = pr.o;
  pr.ran = true;
  run_agent(s, job, pr, cancelled);
  pr.agent.reset();
  if (s.command.agent == Agent::kCodex && o.run.skills_listed.empty())
    o.run.skills_listed = codex_listed_skills(o.ws, pr.home);
  o.changes = collect_changes(o.ws);
  for (const auto& cmd : job.checks) {
    if (cancelled && cancelled()) break;
    o.checks.push_back(run_in_workspace(s, o.ws, pr.home, cmd, s.check_timeout_s, cancelled));
  }
  pr.used = true;  // finish() below keeps or removes the workspace
  finish(s, o);
  return std::move(o);
}

ReplayOutcome run_replay(const ReplaySettings& s, const ReplayJob& job, const std::function<bool()>& cancelled) {
  const auto t0 = std::chrono::steady_clock::now();
  std::unique_ptr<PreparedReplay> pr = prepare_replay(s, job, cancelled);
  ReplayOutcome o = finish_replay(s, job, *pr, cancelled);
  o.total_seconds = seconds_since(t0);
  return o;
}

}  // namespace skillpipe::backend_agent
