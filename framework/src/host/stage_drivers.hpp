// stage_drivers.hpp - how the host runs one stage of each kind, and the record-error policy
// every kind shares.
//
// A driver hands the plugin its inputs, calls the kind's method and collects the output; the
// runner around it resumes, persists, finishes and accounts the same way for every kind.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "host/basic_context.hpp"
#include "host/pipeline_spec.hpp"
#include "skillpipe/stage.hpp"

namespace skillpipe::host {

// What one stage produced, whichever kind it is.
struct StageOutput {
  std::shared_ptr<const DigestStream> digests;  // a harvester's (null: none)
  std::size_t digest_parts = 0;        // the parts its DigestWriter wrote to the store
  std::vector<TaskRecord> tasks;
  std::vector<Verdict> verdicts;       // a judge's verdicts on the tasks' observed solutions
  ConsolidateResult consolidated;
  bool is_consolidator = false;
  std::int64_t size() const;           // records out, for the run summary
};

// A stage's `on_record_error` (skip | fail) and `max_record_errors`, applied the same way to
// every kind. A skipped record - reported by the plugin through Context::record_error, or a
// RecordError from one judge call - is logged and counted; with `fail`, or past the circuit
// breaker, the stage fails (Error). Thread-safe: judges report from worker threads.
class RecordErrorPolicy final : public RecordErrorSink {
 public:
  RecordErrorPolicy(std::string stage_id, std::string on_error, long long max_errors);
  void record_error(spdlog::logger& log, std::string_view record_id, std::string_view what) override;
  std::int64_t errors() const;

 private:
  std::string stage_id_;
  bool fail_fast_;
  long long max_errors_;
  mutable std::mutex mu_;
  std::int64_t errors_ = 0;
};

// One stage's run: its spec, its plugin object, what flows in, and its context (which applies
// the stage's record-error policy).
struct StageCall {
  const ComponentSpec& spec;
  StageBase& stage;
  const ConsolidateInput& input;
  BasicContext& ctx;
};

class StageDriver {
 public:
  virtual ~StageDriver() = default;
  virtual StageOutput run(const StageCall& call) const = 0;
};

// The driver for a stage kind (harvester, miner, judge, consolidator).
const StageDriver& driver_for(StageKind kind);

}  // namespace skillpipe::host
