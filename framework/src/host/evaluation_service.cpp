#include "host/evaluation_service.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <regex>
#include <thread>

#include "skillpipe/backend.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/store.hpp"

namespace skillpipe::host {

const char* const kDefaultAttemptTemplate =
    "You are a coding agent. Follow the skill and the project memory below.\n\n"
    "## Skill\n{{skill}}\n\n## Project memory\n{{memory}}\n\n{{task_system}}";

HostEvaluationService::HostEvaluationService(Services* services, std::string attempt_template, int parallelism)
    : services_(services), attempt_template_(std::move(attempt_template)), parallelism_(std::max(1, parallelism)) {}

// One evaluation: the request, its backend and judges, and what the workers share.
struct Batch {
  Batch(const EvalRequest& r, Backend& be) : req(r), backend(be) {}
  const EvalRequest& req;
  Backend& backend;
  std::vector<Judge*> judges;
  std::vector<std::string> judge_ids;
  int rollouts = 1;
  // Which night draws these samples: backends key their response cache on it, so a resumed
  // night reuses its own answers while a later night replays baseline and candidate afresh
  // (a cached baseline is never compared with a fresh candidate).
  std::string draw;
  std::vector<ReplayResult> replays;          // by job = task * rollouts + sample
  std::vector<std::vector<Verdict>> verdicts;  // by job
  std::atomic<std::size_t> next{0};
  std::atomic<bool> budget_stop{false};
  // Hand-off: every independent prompt of the batch is handed off in one round, then the
  // night stops (exit 4) and resumes when the answers are in.
  std::optional<HandoffPending> handoff;
  std::mutex mu;

  std::size_t jobs() const { return req.tasks.size() * static_cast<std::size_t>(rollouts); }
  void hand_off(const HandoffPending& e) {
    std::lock_guard<std::mutex> lock(mu);
    if (!handoff) handoff.emplace(e);
  }
};

namespace {

// The judges that score `task`: those that handle it, or - when none claims it - all of them,
// as a single judge would.
std::vector<std::size_t> route(const std::vector<Judge*>& judges, const TaskRecord& task) {
  std::vector<std::size_t> out;
  for (std::size_t k = 0; k < judges.size(); ++k)
    if (judges[k]->handles(task)) out.push_back(k);
  if (out.empty())
    for (std::size_t k = 0; k < judges.size(); ++k) out.push_back(k);
  return out;
}

// Per task: mean over samples of the mean over judges. A failed replay is an error, never a
// zero score; a cached answer counts as a call, not as spending.
void aggregate(Batch& b, EvalResult& result) {
  double sum_hard = 0, sum_soft = 0;
  int scored_tasks = 0;
  for (std::size_t t = 0; t < b.req.tasks.size(); ++t) {
    TaskScore ts;
    ts.task_id = b.req.tasks[t].id;
    double h = 0, s = 0;
    for (int k = 0; k < b.rollouts; ++k) {
      const std::size_t job = t * static_cast<std::size_t>(b.rollouts) + static_cast<std::size_t>(k);
      const auto& rr = b.replays[job];
      if (rr.task_id.empty()) continue;  // never ran (budget or cancel)
      if (!rr.cached) {
        result.tokens.input += rr.tokens_in;
        result.tokens.output += rr.tokens_out;
        result.cost_usd += rr.cost_usd;
      }
      ++result.calls;
      if (rr.cached) ++result.cached_calls;
      if (!rr.error.empty()) {
        ++ts.errors;
        continue;
      }
      double jh = 0, js = 0;
      for (const auto& v : b.verdicts[job]) {
        jh += v.hard;
        js += v.soft;
        for (const auto& c : v.failed_criteria)
          if (std::find(ts.failed_criteria.begin(), ts.failed_criteria.end(), c) == ts.failed_criteria.end())
            ts.failed_criteria.push_back(c);
        result.verdicts.push_back(v);
      }
      const double nj = static_cast<double>(std::max<std::size_t>(1, b.verdicts[job].size()));
      h += jh / nj;
      s += js / nj;
      ++ts.samples;
    }
    if (ts.samples > 0) {
      ts.hard = h / ts.samples;
      ts.soft = s / ts.samples;
      sum_hard += ts.hard;
      sum_soft += ts.soft;
      ++scored_tasks;
    }
    result.errors += ts.errors;
    result.per_task.push_back(std::move(ts));
  }
  if (scored_tasks > 0) {
    result.mean_hard = sum_hard / scored_tasks;
    result.mean_soft = sum_soft / scored_tasks;
  }
}

// Replays and verdicts go into the night, for the report and for inspection.
void persist(const EvalResult& result, Context& ctx) {
  Store* store = ctx.store();
  if (!store || store->night().night_id.empty()) return;
  std::vector<std::string> lines;
  for (const auto& r : result.replays) lines.push_back(to_json(r));
  store->append("replays", lines);
  lines.clear();
  for (const auto& v : result.verdicts) lines.push_back(to_json(v));
  store->append("verdicts", lines);
}

}  // namespace

ChatRequest HostEvaluationService::attempt_request(const EvalRequest& req, const TaskRecord& task, int sample,
                                                   int rollouts, const std::string& draw) const {
  ChatRequest creq;
  creq.purpose = "replay";
  creq.sample = sample;
  creq.temperature = rollouts > 1 ? 0.7 : 0.0;
  // Task text comes from redacted digests; the skill and memory are redacted too, since a
  // user may have pasted a key into CLAUDE.md.
  const std::string system =
      render_template(attempt_template_, {{"skill", redact_secrets(req.skill_text)},
                                          {"memory", redact_secrets(req.memory_text)},
                                          {"task_system", task.system.empty() ? "" : "## Output contract\n" + task.system}});
  std::string user = task.intent;
  if (!task.context_excerpt.empty()) user += "\n\nContext:\n" + task.context_excerpt;
  creq.messages = {{"system", system}, {"user", redact_secrets(user)}};
  creq.meta = {{"task_id", task.id},
               {"tags", join(task.tags, ",")},
               {"reference", task.reference},
               {"purpose", "replay"},
               {"variant", req.variant},
               {"draw", draw}};
  // An agentic backend re-solves the task itself, with these documents installed where its
  // agent loads them (redacted like the prompt above).
  creq.replay = ReplaySetup{task, req.skill_name, redact_secrets(req.skill_text), redact_secrets(req.memory_text)};
  return creq;
}

namespace {

// One replay through the backend; a failure is recorded in the result, never thrown.
ReplayResult replay(Batch& b, const ChatRequest& creq, const TaskRecord& task, int sample, Context& ctx) {
  ReplayResult rr;
  rr.task_id = task.id;
  rr.variant = b.req.variant;
  rr.sample = sample;
  try {
    ChatResponse resp = b.backend.complete(creq, ctx);
    rr.response = resp.text;
    rr.tokens_in = resp.usage.input;
    rr.tokens_out = resp.usage.output;
    rr.latency_ms = resp.latency_ms;
    rr.cost_usd = resp.cost_usd;
    rr.cached = resp.cached;
    rr.trajectory = resp.trajectory;
  } catch (const BudgetExceeded& e) {
    b.budget_stop.store(true);
    rr.error = std::string("budget: ") + e.what();
  } catch (const HandoffPending& e) {
    b.hand_off(e);
    rr.error = "handoff";
  } catch (const std::exception& e) {
    rr.error = redact_secrets(e.what());  // a backend's words may quote a URL or a server
    ctx.logger().warn("replay of task {} (sample {}) failed: {}", task.id, sample, rr.error);
  }
  return rr;
}

// The verdicts of the judges that score the task. A judge that cannot score (an LLM grader's
// endpoint failed, twice unreadable) makes the sample an error, not a zero; a judge's budget
// stop ends the run like a replay's.
std::vector<Verdict> judge(Batch& b, const TaskRecord& task, ReplayResult& rr, Context& ctx) {
  std::vector<Verdict> vs;
  try {
    for (std::size_t k : route(b.judges, task)) {
      Verdict v = b.judges[k]->judge(task, rr, ctx);
      v.task_id = task.id;
      v.judge_id = b.judge_ids[k];
      v.variant = b.req.variant;
      v.sample = rr.sample;
      vs.push_back(std::move(v));
    }
  } catch (const BudgetExceeded& e) {
    b.budget_stop.store(true);
    rr.error = std::string("budget (judge): ") + e.what();
    vs.clear();
  } catch (const HandoffPending& e) {
    b.hand_off(e);
    rr.error = "handoff";
    vs.clear();
  } catch (const std::exception& e) {
    rr.error = "judge: " + redact_secrets(e.what());
    vs.clear();
    ctx.logger().warn("judging task {} (sample {}) failed: {}", task.id, rr.sample, rr.error);
  }
  return vs;
}

}  // namespace

// Tells a backend with a Lookahead the batch's requests, in the order the workers take them,
// and that they will not come any more once the workers stopped (however they stopped).
class HostEvaluationService::Foresight {
 public:
  Foresight(const HostEvaluationService& svc, Batch& b, Context& ctx)
      : ahead_(dynamic_cast<Lookahead*>(&b.backend)), ctx_(ctx) {
    if (!ahead_) return;
    for (std::size_t job = 0; job < b.jobs(); ++job) {
      const int sample = static_cast<int>(job % static_cast<std::size_t>(b.rollouts));
      upcoming_.push_back(svc.attempt_request(b.req, b.req.tasks[job / static_cast<std::size_t>(b.rollouts)], sample,
                                              b.rollouts, b.draw));
    }
    try {
      ahead_->expect(upcoming_, ctx_);
    } catch (const std::exception& e) {  // getting ready is an optimisation: the calls still come
      ctx_.logger().warn("evaluation: the backend could not get ready for the batch: {}", e.what());
    }
  }
  ~Foresight() {
    if (!ahead_) return;
    try {
      ahead_->forget(upcoming_, ctx_);
    } catch (const std::exception& e) {
      ctx_.logger().warn("evaluation: the backend could not release what it made ready: {}", e.what());
    }
  }
  Foresight(const Foresight&) = delete;
  Foresight& operator=(const Foresight&) = delete;

  // The request a worker sends for `job`: the one the backend was told about, so what it made
  // ready is what comes, and the request is rendered once. Null without a Lookahead.
  const ChatRequest* request(std::size_t job) const { return job < upcoming_.size() ? &upcoming_[job] : nullptr; }

 private:
  Lookahead* ahead_;
  Context& ctx_;
  std::vector<ChatRequest> upcoming_;
};

void HostEvaluationService::work(Batch& b, const Foresight& ahead, Context& ctx) const {
  while (true) {
    const std::size_t job = b.next.fetch_add(1);
    if (job >= b.jobs() || b.budget_stop.load() || ctx.cancelled()) return;
    const TaskRecord& task = b.req.tasks[job / static_cast<std::size_t>(b.rollouts)];
    const int sample = static_cast<int>(job % static_cast<std::size_t>(b.rollouts));
    const ChatRequest* told = ahead.request(job);
    ReplayResult rr = told ? replay(b, *told, task, sample, ctx)
                           : replay(b, attempt_request(b.req, task, sample, b.rollouts, b.draw), task, sample, ctx);
    std::vector<Verdict> vs;
    if (rr.error.empty()) vs = judge(b, task, rr, ctx);
    {
      std::lock_guard<std::mutex> lock(b.mu);
      b.replays[job] = std::move(rr);
      b.verdicts[job] = std::move(vs);
    }
    ctx.progress().advance();
  }
}

EvalResult HostEvaluationService::evaluate(const EvalRequest& req, Context& ctx) {
  Backend* backend = ctx.backend(req.backend_id);
  if (!backend) throw Error("evaluation: backend '" + req.backend_id + "' is not configured");
  Batch b(req, *backend);
  b.judge_ids = req.judge_ids.empty() ? ctx.input_judges() : req.judge_ids;
  for (const auto& id : b.judge_ids) {
    Judge* j = ctx.judge(id);
    if (!j) throw Error("evaluation: judge '" + id + "' is not a judge stage of this pipeline");
    b.judges.push_back(j);
  }
  if (b.judges.empty()) throw Error("evaluation: no judge is wired into stage '" + ctx.stage_id() + "'");
  b.rollouts = std::max(1, req.rollouts);
  b.draw = ctx.store() ? ctx.store()->night().night_id : std::string();
  b.replays.resize(b.jobs());
  b.verdicts.resize(b.jobs());
  const auto t0 = std::chrono::steady_clock::now();
  ctx.progress().set_total(static_cast<std::int64_t>(b.jobs()));
  ctx.progress().set_unit("replays");  // each judged too
  const int n_threads = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(parallelism_),
                                                               std::max<std::size_t>(1, b.jobs())));
  {
    const Foresight ahead(*this, b, ctx);
    // jthread: if starting a thread or this thread's share throws, the others are joined
    // before the batch they use goes away (a std::thread would terminate the program).
    std::vector<std::jthread> threads;
    for (int i = 1; i < n_threads; ++i) threads.emplace_back([&] { work(b, ahead, ctx); });
    work(b, ahead, ctx);
    for (auto& t : threads) t.join();
  }
  if (b.handoff) throw *b.handoff;

  EvalResult result;
  aggregate(b, result);
  result.replays = std::move(b.replays);
  std::erase_if(result.replays, [](const ReplayResult& r) { return r.task_id.empty(); });  // never ran
  result.budget_stopped = b.budget_stop.load();
  result.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  persist(result, ctx);  // a resumed night gets the answers from the response cache
  return result;
}

}  // namespace skillpipe::host
