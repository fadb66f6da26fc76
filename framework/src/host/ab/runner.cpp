#include "host/ab/runner.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "host/ab/arm.hpp"
#include "host/basic_context.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::host::ab {
namespace {

// Scores replays made elsewhere with this arm's judges, in parallel.
std::vector<Verdict> judge_replays(Arm& arm, const std::vector<TaskRecord>& tasks,
                                   const std::vector<ReplayResult>& replays) {
  std::map<std::string, const TaskRecord*> by_id;
  for (const auto& t : tasks) by_id[t.id] = &t;
  BasicContext ctx("ab:" + arm.spec->name, arm.run(), &arm.services(), arm.judge_ids);
  std::vector<std::vector<Verdict>> per(replays.size());
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < replays.size();) {
      const ReplayResult& rr = replays[i];
      auto it = by_id.find(rr.task_id);
      if (it == by_id.end() || !rr.error.empty()) continue;
      for (std::size_t k = 0; k < arm.guarded.size(); ++k) {
        Verdict v = arm.guarded[k]->judge(*it->second, rr, ctx);
        v.task_id = rr.task_id;
        v.judge_id = arm.judge_ids[k];
        v.variant = rr.variant;
        v.sample = rr.sample;
        per[i].push_back(std::move(v));
      }
    }
  };
  std::vector<std::jthread> pool;  // joined however this function is left
  const int n = std::min<int>(arm.parallelism(), static_cast<int>(std::max<std::size_t>(1, replays.size())));
  for (int t = 1; t < n; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  std::vector<Verdict> all;
  for (auto& vs : per)
    for (auto& v : vs) all.push_back(std::move(v));
  return all;
}

// Drops every verdict of a (task, sample) that some judge failed to score, and reports the
// failures as warnings: a sample is scored by all of the arm's judges or not at all.
void drop_failed(Arm& arm, std::vector<Verdict>& verdicts, AbRun& out) {
  std::set<std::pair<std::string, int>> failed;
  std::size_t shown = 0, total = 0;
  for (const auto& g : arm.guarded)
    for (const auto& f : g->failures()) {
      failed.insert({f.task_id, f.sample});
      if (++total <= 20)
        out.warnings.push_back("arm '" + arm.spec->name + "': judging task " + f.task_id + " (sample " +
                               std::to_string(f.sample) + ") failed: " + f.message);
      else
        ++shown;
    }
  if (shown) out.warnings.push_back("arm '" + arm.spec->name + "': " + std::to_string(shown) + " more judge failures");
  std::erase_if(verdicts, [&](const Verdict& v) { return failed.count({v.task_id, v.sample}) > 0; });
}

// Per task: the mean over samples of the mean over judges (as the evaluation service does).
std::vector<ArmTask> aggregate(const std::vector<TaskRecord>& tasks, const std::vector<ReplayResult>& replays,
                               const std::vector<Verdict>& verdicts) {
  using Key = std::pair<std::string, int>;
  std::map<Key, std::vector<const Verdict*>> vs;
  for (const auto& v : verdicts) vs[{v.task_id, v.sample}].push_back(&v);
  std::map<std::string, std::vector<const ReplayResult*>> rs;
  for (const auto& r : replays) rs[r.task_id].push_back(&r);
  std::vector<ArmTask> out;
  for (const auto& t : tasks) {
    ArmTask at;
    double h = 0, s = 0;
    for (const ReplayResult* r : rs[t.id]) {
      auto it = vs.find({t.id, r->sample});
      if (!r->error.empty() || it == vs.end() || it->second.empty()) {
        ++at.errors;
        continue;
      }
      double jh = 0, js = 0;
      for (const Verdict* v : it->second) {
        jh += v->hard;
        js += v->soft;
        at.verdicts.push_back(*v);
      }
      h += jh / static_cast<double>(it->second.size());
      s += js / static_cast<double>(it->second.size());
      ++at.samples;
    }
    if (at.samples > 0) {
      at.hard = h / at.samples;
      at.soft = s / at.samples;
    }
    out.push_back(std::move(at));
  }
  return out;
}

Usage replay_usage(const std::vector<ReplayResult>& replays) {
  Usage u;
  for (const auto& r : replays) {
    u.tokens.input += r.tokens_in;
    u.tokens.output += r.tokens_out;
    u.cost_usd += r.cost_usd;
    ++u.calls;
    if (r.cached) ++u.cached_calls;
  }
  return u;
}

std::string fingerprint(std::vector<ReplayResult> replays) {
  std::sort(replays.begin(), replays.end(), [](const ReplayResult& a, const ReplayResult& b) {
    return std::tie(a.task_id, a.sample) < std::tie(b.task_id, b.sample);
  });
  std::string material;
  for (const auto& r : replays)
    material += r.task_id + '\x1f' + std::to_string(r.sample) + '\x1f' + r.response + '\x1f' + r.error + '\x1e';
  return sha256_hex(material).substr(0, 16);
}

// The documents the arm's replays ran under, as the report names them: path and hash.
void describe_documents(const AbSpec& spec, const Arm& arm, ArmResult& res) {
  res.skill_file = arm.spec->skill_file.value_or(spec.skill_file);
  res.memory_file = arm.spec->memory_file.value_or(spec.memory_file);
  if (!res.skill_file.empty()) res.skill_sha256 = sha256_hex(arm.skill_text);
  if (!res.memory_file.empty()) res.memory_sha256 = sha256_hex(arm.memory_text);
}

}  // namespace

std::vector<TaskRecord> load_tasks(const std::string& path, const std::vector<std::string>& splits,
                                   std::vector<std::string>& errors) {
  std::vector<TaskRecord> out;
  std::set<std::string> ids;
  const bool opened = for_each_jsonl_line(path, [&](std::string_view line, std::int64_t no) {
    try {
      TaskRecord t = record_from_json<TaskRecord>(line);
      if (t.id.empty()) throw RecordError("task without an id");
      if (!splits.empty() && std::find(splits.begin(), splits.end(), to_string(t.split)) == splits.end()) return;
      if (!ids.insert(t.id).second) throw RecordError("duplicate task id '" + t.id + "'");
      out.push_back(std::move(t));
    } catch (const std::exception& e) {
      errors.push_back(path + ":" + std::to_string(no) + ": " + e.what());
    }
  });
  if (!opened)
    errors.push_back(path + ": cannot read the tasks file");
  else if (out.empty() && errors.empty())
    errors.push_back(path + ": no tasks" + (splits.empty() ? "" : " in the chosen splits"));
  return out;
}

std::vector<ReplayResult> load_replays(const std::string& path, const std::string& variant,
                                       std::vector<std::string>& errors) {
  std::vector<ReplayResult> out;
  const bool opened = for_each_jsonl_line(path, [&](std::string_view line, std::int64_t no) {
    try {
      ReplayResult r = record_from_json<ReplayResult>(line);
      if (variant.empty() || r.variant == variant) out.push_back(std::move(r));
    } catch (const std::exception& e) {
      errors.push_back(path + ":" + std::to_string(no) + ": " + e.what());
    }
  });
  if (!opened) errors.push_back(path + ": cannot read the replays file");
  return out;
}

AbRun run_ab(const AbSpec& spec, const RunOptions& opts) {
  AbRun out;
  out.spec = spec;
  if (spec.tasks_file.empty()) {
    out.errors.push_back(spec.path +
                         ": no tasks: set `tasks:` (a JSONL file of tasks every arm is scored on) or pass --tasks");
    out.exit_code = 2;
    return out;
  }
  out.tasks = load_tasks(spec.tasks_file, spec.splits, out.errors);
  std::vector<ReplayResult> file_replays;
  if (!spec.replays_file.empty()) file_replays = load_replays(spec.replays_file, spec.replay_variant, out.errors);
  if (!out.errors.empty()) {
    out.exit_code = 2;
    return out;
  }
  // Set every arm up before anything is spent, so a broken arm costs nothing.
  std::vector<std::unique_ptr<Arm>> arms;
  for (const auto& as : spec.arms) arms.push_back(setup_arm(spec, as, opts, out));
  if (!out.errors.empty()) return out;

  std::vector<std::vector<ReplayResult>> replays(arms.size());
  for (std::size_t i = 0; i < arms.size(); ++i) {
    Arm& arm = *arms[i];
    const auto t0 = std::chrono::steady_clock::now();
    ArmResult res;
    res.name = arm.spec->name;
    res.sets = arm.spec->sets;
    res.judges = arm.judge_labels;
    describe_documents(spec, arm, res);
    std::vector<Verdict> verdicts;
    try {
      if (!spec.replays_file.empty()) {
        replays[i] = file_replays;
        res.replays_from = "file";
      } else {
        res.backend = arm.services().backends[arm.backend_id]->identity();
        for (std::size_t j = 0; j < i; ++j)
          if (arms[j]->replay_signature == arm.replay_signature) {
            replays[i] = replays[j];
            res.replays_from = arms[j]->spec->name;
            break;
          }
      }
      if (spec.replays_file.empty() && res.replays_from.empty()) {
        spdlog::info("[ab] arm '{}': replaying {} task(s) x {} rollout(s) with backend '{}'", res.name,
                     out.tasks.size(), spec.rollouts, arm.backend_id);
        EvalRequest req{out.tasks, arm.skill_text, arm.memory_text, arm.backend_id, arm.judge_ids, spec.rollouts, "ab", ""};
        BasicContext ctx("ab:" + res.name, arm.run(), &arm.services(), arm.judge_ids);
        EvalResult er = arm.assembly->evaluator()->evaluate(req, ctx);
        if (er.budget_stopped) out.warnings.push_back("arm '" + res.name + "': a budget cap stopped the replays early");
        replays[i] = std::move(er.replays);
        verdicts = std::move(er.verdicts);
      } else {
        spdlog::info("[ab] arm '{}': scoring the replays of {} with its judges", res.name,
                     res.replays_from == "file" ? spec.replays_file : "arm '" + res.replays_from + "'");
        verdicts = judge_replays(arm, out.tasks, replays[i]);
      }
      drop_failed(arm, verdicts, out);
    } catch (const std::exception& e) {
      out.errors.push_back("arm '" + res.name + "' failed: " + e.what());
      out.exit_code = 1;
      return out;
    }
    res.tasks = aggregate(out.tasks, replays[i], verdicts);
    res.replay = replay_usage(replays[i]);
    for (const auto& m : arm.metered) {
      const Usage u = m->other();
      res.judging.tokens += u.tokens;
      res.judging.cost_usd += u.cost_usd;
      res.judging.calls += u.calls;
      res.judging.cached_calls += u.cached_calls;
    }
    res.replay_fingerprint = fingerprint(replays[i]);
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    out.arms.push_back(std::move(res));
  }
  return out;
}

}  // namespace skillpipe::host::ab
