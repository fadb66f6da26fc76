// basic_context.hpp - the Context the host gives each stage (also used by CLI commands
// and tests that drive a plugin directly).
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "host/progress.hpp"
#include "skillpipe/stage.hpp"

namespace skillpipe::host {

// Named services shared by every stage of a run.
struct Services {
  std::map<std::string, Backend*, std::less<>> backends;
  std::map<std::string, Judge*, std::less<>> judges;
  Store* store = nullptr;
  EvaluationService* evaluator = nullptr;
};

// Where a context sends the records its stage skipped: the stage's RecordErrorPolicy. Without
// one (a CLI command driving a plugin directly) a skipped record is logged and counted.
class RecordErrorSink {
 public:
  virtual ~RecordErrorSink() = default;
  virtual void record_error(spdlog::logger& log, std::string_view record_id, std::string_view what) = 0;
};

class BasicContext : public Context {
 public:
  BasicContext(std::string stage_id, RunInfo run, Services* services,
               std::vector<std::string> input_judges = {});
  ~BasicContext() override;

  spdlog::logger& logger() override;
  Progress& progress() override { return progress_; }
  // Ends the stage's progress line (on a TTY) with its one-line summary, or erases it when
  // the caller prints its own.
  void finish_progress(bool summary = true) { progress_.finish(summary); }
  bool cancelled() const override;
  const RunInfo& run() const override { return run_; }
  RunInfo& mutable_run() { return run_; }
  const std::string& stage_id() const override { return stage_id_; }
  void count(std::string_view key, std::int64_t delta = 1) override;
  Backend* backend(std::string_view id) override;
  Judge* judge(std::string_view stage_id) override;
  Store* store() override;
  EvaluationService* evaluator() override;
  std::vector<std::string> input_judges() const override { return input_judges_; }
  void record_error(std::string_view record_id, std::string_view what) override;

  std::map<std::string, std::int64_t> counts() const;
  void set_record_errors(RecordErrorSink* sink) { record_errors_ = sink; }

 private:
  std::string stage_id_;
  RunInfo run_;
  Services* services_;
  std::vector<std::string> input_judges_;
  RecordErrorSink* record_errors_ = nullptr;
  std::shared_ptr<spdlog::logger> logger_;
  TerminalProgress progress_;
  mutable std::mutex mu_;
  std::map<std::string, std::int64_t> counts_;
};

// Set by the SIGINT handler; every context reports it.
void request_cancel();
bool cancel_requested();

}  // namespace skillpipe::host
