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

EvalResult HostEvaluationService::evaluate(const EvalRequest& req, Context& ctx) {
  EvalResult result;
  Backend* backend = ctx.backend(req.backend_id);
  if (!backend) throw Error("evaluation: backend '" + req.backend_id + "' is not configured");
  std::vector<std::string> judge_ids = req.judge_ids.empty() ? ctx.input_judges() : req.judge_ids;
  std::vector<Judge*> judges;
  for (const auto& id : judge_ids) {
    Judge* j = ctx.judge(id);
    if (!j) throw Error("evaluation: judge '" + id + "' is not a judge stage of this pipeline");
    judges.push_back(j);
  }
  if (judges.empty()) throw Error("evaluation: no judge is wired into stage '" + ctx.stage_id() + "'");

  const int rollouts = std::max(1, req.rollouts);
  const std::size_t n_jobs = req.tasks.size() * static_cast<std::size_t>(rollouts);
  result.replays.resize(n_jobs);
  std::vector<std::vector<Verdict>> verdicts(n_jobs);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> budget_stop{false};
  // Hand-off: every independent prompt of this batch is handed off in one round, then the
  // night stops (exit 4) and resumes when the answers are in.
  std::optional<HandoffPending> handoff;
  std::mutex mu;
  const auto t0 = std::chrono::steady_clock::now();
  ctx.progress().set_total(static_cast<std::int64_t>(n_jobs));
  // Which night draws these samples: backends key their response cache on it, so a resumed
  // night reuses its own answers while a later night replays baseline and candidate afresh
  // (a cached baseline is never compared with a fresh candidate).
  const std::string draw = ctx.store() ? ctx.store()->night().night_id : std::string();

  auto work = [&] {
    while (true) {
      const std::size_t job = next.fetch_add(1);
      if (job >= n_jobs || budget_stop.load() || ctx.cancelled()) return;
      const TaskRecord& task = req.tasks[job / static_cast<std::size_t>(rollouts)];
      const int sample = static_cast<int>(job % static_cast<std::size_t>(rollouts));
      ChatRequest creq;
      creq.purpose = "replay";
      creq.sample = sample;
      creq.temperature = rollouts > 1 ? 0.7 : 0.0;
      // Task text comes from redacted digests; the skill and memory are redacted too, since a
      // user may have pasted a key into CLAUDE.md.
      const std::string system = render_template(
          attempt_template_, {{"skill", redact_secrets(req.skill_text)},
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
      ReplayResult rr;
      rr.task_id = task.id;
      rr.variant = req.variant;
      rr.sample = sample;
      try {
        ChatResponse resp = backend->complete(creq, ctx);
        rr.response = resp.text;
        rr.tokens_in = resp.usage.input;
        rr.tokens_out = resp.usage.output;
        rr.latency_ms = resp.latency_ms;
        rr.cost_usd = resp.cost_usd;
        rr.cached = resp.cached;
        rr.trajectory = resp.trajectory;
      } catch (const BudgetExceeded& e) {
        budget_stop.store(true);
        rr.error = std::string("budget: ") + e.what();
      } catch (const HandoffPending& e) {
        std::lock_guard<std::mutex> lock(mu);
        if (!handoff) handoff.emplace(e);
        rr.error = "handoff";
      } catch (const std::exception& e) {
        rr.error = e.what();
        ctx.logger().warn("replay of task {} (sample {}) failed: {}", task.id, sample, e.what());
      }
      std::vector<Verdict> vs;
      if (rr.error.empty()) {
        // A judge that cannot score (an LLM grader's endpoint failed, twice unreadable) makes
        // the sample an error, not a zero; a judge's budget stop ends the run like a replay's.
        try {
          std::vector<std::size_t> route;
          for (std::size_t k = 0; k < judges.size(); ++k)
            if (judges[k]->handles(task)) route.push_back(k);
          if (route.empty())  // nobody claims it: every judge scores it, as a single judge would
            for (std::size_t k = 0; k < judges.size(); ++k) route.push_back(k);
          for (std::size_t k : route) {
            Verdict v = judges[k]->judge(task, rr, ctx);
            v.task_id = task.id;
            v.judge_id = judge_ids[k];
            v.variant = req.variant;
            v.sample = sample;
            vs.push_back(std::move(v));
          }
        } catch (const BudgetExceeded& e) {
          budget_stop.store(true);
          rr.error = std::string("budget (judge): ") + e.what();
          vs.clear();
        } catch (const HandoffPending& e) {
          std::lock_guard<std::mutex> lock(mu);
          if (!handoff) handoff.emplace(e);
          rr.error = "handoff";
          vs.clear();
        } catch (const std::exception& e) {
          rr.error = std::string("judge: ") + e.what();
          vs.clear();
          ctx.logger().warn("judging task {} (sample {}) failed: {}", task.id, sample, e.what());
        }
      }
      {
        std::lock_guard<std::mutex> lock(mu);
        result.replays[job] = std::move(rr);
        verdicts[job] = std::move(vs);
      }
      ctx.progress().advance();
    }
  };
  const int n_threads = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(parallelism_), std::max<std::size_t>(1, n_jobs)));
  std::vector<std::thread> threads;
  for (int i = 1; i < n_threads; ++i) threads.emplace_back(work);
  work();
  for (auto& t : threads) t.join();
  if (handoff) throw *handoff;

  // Aggregate per task: mean over samples of the mean over judges. A failed replay is an
  // error, never a zero score.
  double sum_hard = 0, sum_soft = 0;
  int scored_tasks = 0;
  for (std::size_t t = 0; t < req.tasks.size(); ++t) {
    TaskScore ts;
    ts.task_id = req.tasks[t].id;
    double h = 0, s = 0;
    for (int k = 0; k < rollouts; ++k) {
      const std::size_t job = t * static_cast<std::size_t>(rollouts) + static_cast<std::size_t>(k);
      const auto& rr = result.replays[job];
      if (rr.task_id.empty()) continue;  // never ran (budget or cancel)
      // A cached answer cost nothing tonight: it counts as a call, not as spending.
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
      for (const auto& v : verdicts[job]) {
        jh += v.hard;
        js += v.soft;
        for (const auto& c : v.failed_criteria)
          if (std::find(ts.failed_criteria.begin(), ts.failed_criteria.end(), c) == ts.failed_criteria.end())
            ts.failed_criteria.push_back(c);
        result.verdicts.push_back(v);
      }
      const double nj = static_cast<double>(std::max<std::size_t>(1, verdicts[job].size()));
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
  // Drop replays that never ran.
  std::erase_if(result.replays, [](const ReplayResult& r) { return r.task_id.empty(); });
  if (scored_tasks > 0) {
    result.mean_hard = sum_hard / scored_tasks;
    result.mean_soft = sum_soft / scored_tasks;
  }
  result.budget_stopped = budget_stop.load();
  result.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();

  // Persist for the report and for inspection; a resumed night gets answers from the cache.
  if (Store* store = ctx.store(); store && !store->night().night_id.empty()) {
    std::vector<std::string> lines;
    for (const auto& r : result.replays) lines.push_back(to_json(r));
    store->append("replays", lines);
    lines.clear();
    for (const auto& v : result.verdicts) lines.push_back(to_json(v));
    store->append("verdicts", lines);
  }
  return result;
}

}  // namespace skillpipe::host
