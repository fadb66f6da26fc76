// backend_agent - agentic replay: the real Claude Code or Codex re-solves a replay task with
// tools, in an isolated checkout of the task's repository at its start commit, with the
// documents under test installed where the agent loads them (replay_run.hpp). The agent's
// own event stream becomes the replay's trajectory (tool calls, commands and exit codes,
// skills listed and invoked, files changed, the task's check commands), its own usage and
// cost are charged to the night's budget, and the metered base (cache -> budget -> limiter ->
// retry) makes a resumed night pay for no finished replay twice.
#include <spdlog/spdlog.h>

#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "agent_settings.hpp"
#include "metered_backend.hpp"
#include "request_text.hpp"
#include "skillpipe/backend.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/fields.hpp"
#include "skillpipe/plugin.hpp"
#include "skillpipe/kit/redact.hpp"
#include "skillpipe/store.hpp"
#include "skillpipe/kit/util.hpp"
#include "replay_request.hpp"
#include "trajectory.hpp"
#include "warm_replays.hpp"

namespace skillpipe {
namespace {

namespace fs = std::filesystem;
using namespace backend_agent;
using Outcome = backend_common::AttemptResult::Outcome;

class AgentBackend final : public backend_common::MeteredBackend, public Lookahead {
 public:
  void configure(const Config& c, Context& ctx) override {
    s_ = read_settings(c);
    ReplaySettings& r = s_.replay;
    if (ctx.run().flags.keep_workspaces) r.keep_workspaces = true;
    r.command.binary = resolve_binary(r.command.agent, s_.binary_config);
    r.path = agent_path(c.get_string_list("path"), r.command.binary);
    r.home.auth = plan_auth(r.command.agent, s_.auth);
    configure_metering(s_.meter, ctx);
    decide_confinement(ctx);
    if (!r.command.binary.empty()) check_agent_version(ctx);
    WarmReplays::Hooks hooks;
    hooks.prepare = [this](const ReplayJob& job, const std::function<bool()>& stopping) {
      return prepare_replay(s_.replay, job, stopping);
    };
    if (starts_before_input(r.command.agent))
      hooks.start = [this](PreparedReplay& p) { return start_ahead(s_.replay, p) && p.agent->started(); };
    hooks.min_idle = s_.prewarm_idle_cores;
    warm_ = std::make_unique<WarmReplays>(std::move(hooks), s_.prewarm);
  }

  // The replays coming next are made ready ahead (warm_replays.hpp); those the cache answers
  // never run, so none is made for them. Every announcement is counted, made ready or not, so
  // forget() uncounts exactly what this counted.
  void expect(const std::vector<ChatRequest>& upcoming, Context& ctx) override {
    if (!warm_ || !available(nullptr)) return;
    std::vector<ReplayJob> jobs;
    for (const auto& req : upcoming) {
      if (!req.replay) continue;
      const std::string key = request_key(req);
      std::optional<ReplayJob> job = job_ahead(req, ctx);
      std::lock_guard<std::mutex> lk(ids_mu_);
      Announced& a = warm_ids_[key];
      ++a.batches;
      if (!job) continue;
      a.job_id = job->id;
      jobs.push_back(std::move(*job));
    }
    warm_->expect(std::move(jobs));
  }

  void forget(const std::vector<ChatRequest>& upcoming, Context& ctx) override {
    if (!warm_) return;
    std::vector<std::string> ids;
    {
      std::lock_guard<std::mutex> lk(ids_mu_);
      for (const auto& req : upcoming)
        if (auto it = warm_ids_.find(request_key(req)); it != warm_ids_.end() && --it->second.batches == 0) {
          ids.push_back(it->second.job_id);
          warm_ids_.erase(it);
        }
    }
    std::erase(ids, std::string());  // counted, never made ready
    warm_->forget(ids);
    const WarmReplays::Stats st = warm_->stats();
    ctx.logger().debug("backend_agent: replays made ready ahead {} (agents started {}), used {}, dropped {}, failed {}",
                       st.prepared, st.started, st.taken, st.dropped, st.failed);
  }

  bool available(std::string* why) const override {
    const ReplaySettings& r = s_.replay;
    std::string w;
    if (r.command.binary.empty())
      w = std::string("the ") + (r.command.agent == Agent::kClaude ? "claude" : "codex") +
          " CLI was not found (set `binary`, or install it: npm i -g " +
          (r.command.agent == Agent::kClaude ? "@anthropic-ai/claude-code" : "@openai/codex") + ")";
    else if (!r.home.auth.usable)
      w = "no credentials for the agent: " + r.home.auth.why;
    else if (!unconfined_why_.empty())
      w = unconfined_why_;
    if (why) *why = w;
    return w.empty();
  }

  std::string identity() const override {
    const ReplaySettings& r = s_.replay;
    return std::string("agent:") + to_string(r.command.agent) + "-" + (version_.empty() ? "?" : version_) + ":" +
           (r.command.model.empty() ? "default" : r.command.model);
  }
  bool paid() const override { return true; }

  CostEstimate estimate(const ChatRequest&) const override {
    return {1, s_.estimate.tokens_in, s_.estimate.tokens_out, s_.estimate.cost_usd};
  }

 protected:
  backend_common::PreparedCall prepare(const ChatRequest& redacted, Context& ctx) override {
    if (!redacted.replay)
      throw Error("backend_agent re-solves replay tasks with a real agent; it cannot answer a '" + redacted.purpose +
                  "' request. Give judges, reflection and mining a chat backend (backend_llm, backend_cli).");
    const ReplaySetup& rs = *redacted.replay;
    backend_common::PreparedCall c;
    c.payload = prompt_of(rs.task);
    c.cache_kind = "agent";
    c.cache_material = material(rs, c.payload, redacted.sample, ctx);
    c.est_tokens_in = s_.estimate.tokens_in;
    c.max_tokens_out = s_.estimate.tokens_out;
    c.worst_cost_usd = s_.estimate.cost_usd;
    c.max_attempt_s = s_.replay.timeout_s + s_.replay.check_timeout_s;  // the agent, then its checks
    return c;
  }

  backend_common::AttemptResult call_once(const ChatRequest& redacted, const backend_common::PreparedCall& call,
                                    const backend_common::AttemptLimits& limits, Context& ctx) override;

  double cost_usd(const TokenUsage& usage) const override { return s_.price.set ? s_.price.cost(usage) : 0; }

 private:
  // Everything that shapes a replay's result. The night is part of it: the cache serves a
  // resumed night, never a comparison with an earlier night's replays.
  std::string material(const ReplaySetup& rs, const std::string& prompt, int sample, Context& ctx) const {
    const ReplaySettings& r = s_.replay;
    const StartPoint sp = start_of(rs.task, ctx);
    std::vector<std::string> checks;
    collect_checks(rs.task.judge.checks, checks);
    std::string m = std::string(to_string(r.command.agent)) + "\n" + version_ + "\n" + r.command.model + "\n" +
                    std::to_string(r.command.max_turns) + "\nnight=" + night_of(ctx) + "\ntask=" + rs.task.id +
                    "\nsample=" + std::to_string(sample) + "\ndocs=" +
                    documents_hash(docs_of(rs)) + "\nstart=" +
                    (sp.commit.empty() ? "copy:" + sp.project : sp.commit) + "\nsubdir=" + sp.subdir + "\n";
    for (const auto& x : checks) m += "check=" + x + "\n";
    for (const auto& x : r.setup) m += "setup=" + x + "\n";
    for (const auto& x : r.command.extra_args) m += "arg=" + x + "\n";
    return m + prompt;
  }

  static std::string night_of(Context& ctx) {
    const Store* store = ctx.store();
    return store && !store->night().night_id.empty() ? store->night().night_id : ctx.run().night_id;
  }
  // Where a task's replays start, resolved once per night: its baseline and candidate replays
  // start at one commit even if the project's HEAD moves during the night, and the cache key
  // names the commit the workspace is made at. Throws (uncached) when it cannot be resolved.
  StartPoint start_of(const TaskRecord& t, Context& ctx) const {
    const std::string key =
        night_of(ctx) + "\n" + t.project + "\n" + t.start.commit + "\n" + t.start.branch + "\n" + t.start.at;
    {
      std::lock_guard<std::mutex> lk(starts_mu_);
      if (auto it = starts_.find(key); it != starts_.end()) return it->second;
    }
    const StartPoint sp = resolve_start(t.project, hint_of(t));
    std::lock_guard<std::mutex> lk(starts_mu_);
    return starts_.emplace(key, sp).first->second;
  }
  void decide_confinement(Context& ctx);
  void check_agent_version(Context& ctx);
  std::string write_artifacts(const std::string& id, const ReplayOutcome& o, Context& ctx, TrajectoryArtifacts& a);
  backend_common::AttemptResult classify(const ReplayOutcome& o, const ReplayJob& job, Context& ctx);
  backend_common::AttemptResult answer(const ReplayOutcome& o, const ReplayJob& job, Context& ctx);

  ReplayOutcome replay(const ReplaySettings& s, const ReplayJob& job, int attempt, const std::function<bool()>& cancelled,
                       Context& ctx);
  // The job an announced request's first attempt will run, or none: the cache answers it, or it
  // cannot be made (its call fails the same way and says why).
  std::optional<ReplayJob> job_ahead(const ChatRequest& req, Context& ctx) {
    try {
      const backend_common::PreparedCall call = prepare(req, ctx);
      if (answered_from_cache(call)) return std::nullopt;
      return job_of(*req.replay, call, 0, start_of(req.replay->task, ctx));
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }

  AgentBackendSettings s_;
  std::string version_;
  std::string unconfined_why_;
  mutable std::mutex starts_mu_;
  mutable std::map<std::string, StartPoint> starts_;  // start_of's, per night and task origin
  // An identical request announced by two batches at once (the cache's single-flight runs it
  // once) stays ready until both have forgotten it.
  struct Announced {
    std::string job_id;
    int batches = 0;  // announcements not yet forgotten
  };
  std::mutex ids_mu_;
  std::map<std::string, Announced> warm_ids_;  // by request_key
  std::unique_ptr<WarmReplays> warm_;            // last: its agents die before the settings go
};

void AgentBackend::decide_confinement(Context& ctx) {
  ReplaySettings& r = s_.replay;
  const bool claude = r.command.agent == Agent::kClaude;
  if (s_.confine == ConfineMode::kNone) {
    set_confinement(r, claude ? Confinement::kNone : Confinement::kCodexSandbox);
    if (claude)
      ctx.logger().warn("backend_agent: confine: none - Claude Code replays run without an OS sandbox; their commands "
                        "can change anything your user can");
    return;
  }
  std::string why;
  r.bwrap = find_bwrap(s_.bwrap_config);
  ensure_dir(r.workspace_root);
  if (bwrap_works(r.bwrap, r.workspace_root, &why)) {
    set_confinement(r, Confinement::kBubblewrap);
    return;
  }
  if (!claude && s_.confine == ConfineMode::kAuto) {
    set_confinement(r, Confinement::kCodexSandbox);  // Codex's own workspace-write sandbox confines writes
    ctx.logger().info("backend_agent: {}; Codex replays rely on Codex's own workspace-write sandbox", why);
    return;
  }
  unconfined_why_ = why + ". " +
                    (claude ? "Claude Code's own permission modes cannot keep a replay's commands inside its workspace, "
                              "so skillpipe will not run it unconfined unless you set confine: none"
                            : "confine: bubblewrap was asked for");
}

void AgentBackend::check_agent_version(Context& ctx) {
  AgentHome scratch;
  const std::string dir = s_.replay.workspace_root + "/.version-" + std::to_string(::getpid());
  HomeSpec hs = s_.replay.home;
  hs.auth = {};
  try {
    scratch = create_agent_home(dir, hs);
  } catch (const std::exception& e) {
    ctx.logger().warn("backend_agent: cannot prepare a scratch home to read the CLI version: {}", e.what());
    return;
  }
  std::vector<std::string> env = replay_environment(s_.replay, scratch, false);
  const VersionCheck v = check_version(s_.replay.command, env);
  std::error_code ec;
  fs::remove_all(dir, ec);
  version_ = v.version;
  if (!v.warning.empty()) ctx.logger().warn("backend_agent: {}", v.warning);
}

std::string AgentBackend::write_artifacts(const std::string& id, const ReplayOutcome& o, Context& ctx,
                                          TrajectoryArtifacts& a) {
  Store* store = ctx.store();
  if (!store || store->night().night_id.empty()) return "no open night: the trajectory artifacts were not written";
  const std::string dir = "agentic/" + id + "/";
  try {
    store->write_artifact(dir + "events.jsonl", redact_secrets(o.events));
    a.events = "artifacts/" + dir + "events.jsonl";
    if (!o.changes.diff.empty()) {
      store->write_artifact(dir + "diff.patch", redact_secrets(o.changes.diff));
      a.diff = "artifacts/" + dir + "diff.patch";
    }
  } catch (const std::exception& e) {
    return std::string("the trajectory artifacts could not be written: ") + e.what();
  }
  return {};
}

backend_common::AttemptResult AgentBackend::call_once(const ChatRequest& redacted, const backend_common::PreparedCall& call,
                                                const backend_common::AttemptLimits& limits, Context& ctx) {
  const ReplaySetup& rs = *redacted.replay;
  ReplaySettings s = s_.replay;
  s.timeout_s = std::min(s.timeout_s, std::max(1.0, limits.wall_left_s));  // never past the wall cap
  const ReplayJob job = job_of(rs, call, limits.attempt, start_of(rs.task, ctx));
  backend_common::AttemptResult r;
  ReplayOutcome o;
  try {
    o = replay(s, job, limits.attempt, limits.cancelled, ctx);
  } catch (const Error& e) {
    r.outcome = Outcome::kFail;  // the workspace could not be made: this task cannot be replayed here
    r.message = std::string("replay of task ") + rs.task.id + ": " + e.what();
    return r;
  }
  return classify(o, job, ctx);
}

// A first attempt takes the replay made ready for it, if any; a retry starts afresh.
ReplayOutcome AgentBackend::replay(const ReplaySettings& s, const ReplayJob& job, int attempt,
                                   const std::function<bool()>& cancelled, Context& ctx) {
  std::unique_ptr<PreparedReplay> ready = attempt == 0 && warm_ ? warm_->take(job.id, cancelled) : nullptr;
  if (!ready) return run_replay(s, job, cancelled);
  // An agent that ended while it waited (it crashed, or was killed) is started again.
  if (ready->agent && !ready->agent->waiting()) ready->agent.reset();
  ctx.count(ready->agent ? "agent_prestarted" : "agent_workspace_ready");
  return finish_replay(s, job, *ready, cancelled);
}

// Infrastructure failures (the CLI would not start, the model endpoint failed, the agent
// crashed) are not the agent's answer: they are retried, then reported as replay errors that
// are never scored. Everything else - finished, out of turns, out of time - is judged.
backend_common::AttemptResult AgentBackend::classify(const ReplayOutcome& o, const ReplayJob& job, Context& ctx) {
  backend_common::AttemptResult r;
  const std::string ended = ended_of(o);
  const std::string said = trim(o.run.error + "\n" + o.process.err);
  const std::string shown = truncate_utf8(redact_secrets(said.substr(0, said.find('\n'))), 300);
  if (!o.process.started) {
    r.outcome = Outcome::kFailForGood;
    r.message = "backend_agent cannot start " + s_.replay.command.binary + ": " + o.process.start_error;
    return r;
  }
  if (ended == "interrupted") {
    r.outcome = Outcome::kFail;
    r.message = "the replay was cancelled";
    return r;
  }
  const bool failed = ended == "api_error" || ended == "failed" || ended == "no_result";
  if (!failed) return answer(o, job, ctx);
  switch (backend_common::classify_agent_error(said)) {
    case backend_common::AgentFailure::kAuth:
      r.outcome = Outcome::kFailForGood;
      r.message = "the agent could not authenticate (" + shown + "); check " + s_.replay.home.auth.described;
      return r;
    case backend_common::AgentFailure::kUsageLimit:
      r.outcome = Outcome::kBudgetSpent;
      r.message = "the agent's account is out of quota: " + shown;
      return r;
    case backend_common::AgentFailure::kFatal:
      r.outcome = Outcome::kFailForGood;
      r.message = "the agent CLI refused its command line (" + shown + "); backend_agent is tested with " +
                  tested_version(s_.replay.command.agent);
      return r;
    default:
      r.outcome = Outcome::kRetry;
      r.message = "the agent's run ended with " + ended + " (exit " + std::to_string(o.process.exit_code) + ")" +
                  (shown.empty() ? "" : ": " + shown);
      return r;
  }
}

backend_common::AttemptResult AgentBackend::answer(const ReplayOutcome& o, const ReplayJob& job, Context& ctx) {
  backend_common::AttemptResult r;
  TrajectoryArtifacts a;
  const std::string note = write_artifacts(job.id, o, ctx, a);
  Trajectory t = build_trajectory(s_.replay, o, version_, a);
  if (!note.empty()) t.notes.push_back(note);
  r.response.text = redact_secrets(answer_of(o));
  r.response.model = o.run.model.empty() ? identity() : o.run.model;
  r.response.finish_reason = t.ended;
  r.response.usage = o.run.usage;
  r.usage_reported = o.run.usage_reported;
  if (o.run.cost_usd) {  // Claude Code prices its own usage
    r.response.cost_usd = *o.run.cost_usd;
    r.cost_reported = true;
  }
  ctx.count("agent_tool_calls", static_cast<std::int64_t>(t.tool_calls.size()));
  if (!t.skills_invoked.empty()) ctx.count("agent_skill_loads", static_cast<std::int64_t>(t.skills_invoked.size()));
  if (o.kept) ctx.logger().info("backend_agent: kept the workspace of task replay {} at {}", job.id, o.ws.dir);
  r.response.trajectory = std::move(t);
  return r;
}

}  // namespace
}  // namespace skillpipe

SKILLPIPE_PLUGIN(skillpipe::StageKind::kBackend, "1.0.0",
                 "Agentic replay: the real Claude Code or Codex re-solves each task in an isolated checkout, "
                 "with the documents under test installed where it loads them",
                 skillpipe::backend_agent::kSchemaJson, [] { return std::make_unique<skillpipe::AgentBackend>(); });
