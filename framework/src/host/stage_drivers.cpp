#include "host/stage_drivers.hpp"

#include <spdlog/spdlog.h>

#include "host/stage_outputs.hpp"
#include "skillpipe/errors.hpp"

namespace skillpipe::host {

std::int64_t StageOutput::size() const {
  return static_cast<std::int64_t>((digests ? digests->size() : 0) + tasks.size() + verdicts.size() +
                                   consolidated.proposals.size());
}

RecordErrorPolicy::RecordErrorPolicy(std::string stage_id, std::string on_error, long long max_errors)
    : stage_id_(std::move(stage_id)), fail_fast_(on_error == "fail"), max_errors_(max_errors) {}

void RecordErrorPolicy::record_error(spdlog::logger& log, std::string_view record_id, std::string_view what) {
  std::int64_t n = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    n = ++errors_;
  }
  if (record_id.empty())
    log.warn("skipped a record: {}", what);
  else
    log.warn("skipped {}: {}", record_id, what);
  if (fail_fast_)
    throw Error("stage '" + stage_id_ + "': " + (record_id.empty() ? std::string("a record") : std::string(record_id)) +
                " could not be processed (on_record_error: fail): " + std::string(what));
  if (n > max_errors_)
    throw Error("stage '" + stage_id_ + "': " + std::to_string(n) +
                " record errors (circuit breaker: max_record_errors=" + std::to_string(max_errors_) +
                "); the input looks systematically broken");
}

std::int64_t RecordErrorPolicy::errors() const {
  std::lock_guard<std::mutex> lock(mu_);
  return errors_;
}

namespace {

class HarvestDriver final : public StageDriver {
 public:
  StageOutput run(const StageCall& c) const override {
    StageOutput out;
    DigestWriter writer(c.ctx.store(), c.spec.id);
    static_cast<Harvester&>(c.stage).harvest(writer, c.ctx);
    out.digests = writer.close();
    out.digest_parts = writer.parts();
    return out;
  }
};

class MineDriver final : public StageDriver {
 public:
  StageOutput run(const StageCall& c) const override {
    StageOutput out;
    out.tasks = static_cast<Miner&>(c.stage).mine(*c.input.digests, c.ctx);
    return out;
  }
};

// A judge node checks every task's judge spec when the tasks arrive, and (with `observe`)
// scores what the user's agent actually did - the observed solution - which gives the night an
// observed baseline. Replays reach judges through the evaluation service, not through here.
class JudgeDriver final : public StageDriver {
 public:
  StageOutput run(const StageCall& c) const override {
    StageOutput out;
    auto& judge = static_cast<Judge&>(c.stage);
    for (const auto& task : c.input.tasks) {
      if (c.ctx.cancelled()) break;
      try {
        // Tasks this judge does not handle are another judge's; their "no checks" warnings
        // would only be noise.
        if (!judge.handles(task)) continue;
        for (const auto& w : judge.validate(task)) {
          c.ctx.logger().warn("task {}: {}", task.id, w);
          c.ctx.count("spec_warnings");
        }
        if (!c.spec.observe || task.attempted_solution.empty()) continue;
        out.verdicts.push_back(observe(judge, task, c));
      } catch (const RecordError& e) {
        c.ctx.record_error("task " + task.id, e.what());
      }
    }
    return out;
  }

 private:
  static Verdict observe(Judge& judge, const TaskRecord& task, const StageCall& c) {
    ReplayResult observed;
    observed.task_id = task.id;
    observed.variant = "observed";
    observed.response = task.attempted_solution;
    Verdict v = judge.judge(task, observed, c.ctx);
    v.task_id = task.id;
    v.judge_id = c.spec.id;
    v.variant = "observed";
    return v;
  }
};

class ConsolidateDriver final : public StageDriver {
 public:
  StageOutput run(const StageCall& c) const override {
    StageOutput out;
    out.is_consolidator = true;
    out.consolidated = static_cast<Consolidator&>(c.stage).consolidate(c.input, c.ctx);
    return out;
  }
};

}  // namespace

const StageDriver& driver_for(StageKind kind) {
  static const HarvestDriver harvest;
  static const MineDriver mine;
  static const JudgeDriver judge;
  static const ConsolidateDriver consolidate;
  switch (kind) {
    case StageKind::kHarvester: return harvest;
    case StageKind::kMiner: return mine;
    case StageKind::kJudge: return judge;
    case StageKind::kConsolidator: return consolidate;
    default: break;
  }
  throw Error(std::string("no stage driver for a ") + to_string(kind));
}

}  // namespace skillpipe::host
