// ab/arm.hpp - one arm of an A/B experiment: its pipeline assembled as far as scoring needs
// (store, backends, the judges it scores with, the evaluation service), with every backend
// metered and every judge guarded.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "host/ab/runner.hpp"
#include "host/assembly.hpp"
#include "skillpipe/backend.hpp"

namespace skillpipe::host::ab {

// Forwards to a configured backend and meters the calls that are not replays, so an arm's
// judging cost is known apart from its replays. It passes a Lookahead on when the backend has
// one (an agent backend keeps starting its CLIs ahead inside an arm).
class UsageMeter final : public Backend, public Lookahead {
 public:
  explicit UsageMeter(Backend* inner) : inner_(inner), ahead_(dynamic_cast<Lookahead*>(inner)) {}
  void expect(const std::vector<ChatRequest>& upcoming, Context& ctx) override {
    if (ahead_) ahead_->expect(upcoming, ctx);
  }
  void forget(const std::vector<ChatRequest>& upcoming, Context& ctx) override {
    if (ahead_) ahead_->forget(upcoming, ctx);
  }
  bool available(std::string* why) const override { return inner_->available(why); }
  std::string identity() const override { return inner_->identity(); }
  bool paid() const override { return inner_->paid(); }
  CostEstimate estimate(const ChatRequest& r) const override { return inner_->estimate(r); }
  BudgetState budget() const override { return inner_->budget(); }
  ChatResponse complete(const ChatRequest& request, Context& ctx) override;
  Usage other() const;

 private:
  Backend* inner_;
  Lookahead* ahead_;
  mutable std::mutex mu_;
  Usage other_;
};

// Forwards to a configured judge and turns an exception into a recorded failure, so one task
// a judge cannot score costs that task's score, not the run (the evaluation service calls
// judges on worker threads, where an escaping exception would end the process).
class GuardedJudge final : public Judge {
 public:
  struct Failure {
    std::string task_id;
    int sample = 0;
    std::string message;
  };

  explicit GuardedJudge(Judge* inner) : inner_(inner) {}
  Verdict judge(const TaskRecord& task, const ReplayResult& replay, Context& ctx) override;
  std::vector<std::string> validate(const TaskRecord& task) const override { return inner_->validate(task); }
  std::vector<Failure> failures() const;

 private:
  Judge* inner_;
  mutable std::mutex mu_;
  std::vector<Failure> failures_;
};

struct Arm {
  const ArmSpec* spec = nullptr;
  std::unique_ptr<PipelineAssembly> assembly;
  // After the assembly, so they die first: the assembly's services point at them.
  std::vector<std::unique_ptr<UsageMeter>> metered;
  std::vector<std::unique_ptr<GuardedJudge>> guarded;  // parallel to judge_ids
  std::vector<std::string> judge_ids;
  std::vector<std::string> judge_labels;               // "stage_id (plugin)"
  std::string backend_id;                              // "" with a replays file
  std::string replay_signature;                        // arms with the same one share replays
  std::string skill_text, memory_text;

  Services& services() { return assembly->services(); }
  const RunInfo& run() const { return assembly->run(); }
  int parallelism() const { return assembly->parallelism(); }
};

// Assembles arm `as`; on any problem appends "arm '<name>': ..." errors to `out` (and its
// exit code) and returns nullptr. Nothing is spent here.
std::unique_ptr<Arm> setup_arm(const AbSpec& spec, const ArmSpec& as, const RunOptions& opts, AbRun& out);

}  // namespace skillpipe::host::ab
