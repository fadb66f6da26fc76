// progress.hpp - the live progress line of long work (harvest, replays, judging): count,
// bytes, rate and ETA, redrawn in place on a terminal, and one readable summary line when
// the work ends. Drawn only when stderr is a TTY and the command prints for a person: under
// --json, --log-format json or in cron nothing is drawn, so logs never fill with bars.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>

#include "skillpipe/stage.hpp"

namespace skillpipe::host {

// Whether progress lines may be drawn in this process. Defaults to "stderr is a TTY";
// commands switch it off for --json and JSON logs.
void set_progress_display(bool enabled);
bool progress_display_enabled();

// "1.5 KiB", "214.7 MiB"; "0:09", "1:02:03".
std::string human_bytes(std::int64_t bytes);
std::string human_duration(double seconds);

class TerminalProgress : public Progress {
 public:
  using Clock = std::function<std::int64_t()>;  // milliseconds, monotonic
  // Draws to `out` when `enabled` (default: progress_display_enabled() at construction).
  explicit TerminalProgress(std::string label, std::FILE* out = stderr, Clock clock = {}, int enabled = -1);
  ~TerminalProgress() override;
  void set_total(std::int64_t total) override;
  void advance(std::int64_t n = 1) override;
  void set_unit(std::string_view unit) override;
  void set_total_bytes(std::int64_t bytes) override;
  void advance_bytes(std::int64_t bytes) override;
  // Ends the current phase: erases the live line and prints one summary line (unless
  // `summary` is false), once.
  void finish(bool summary = true);
  // The live line as it would be drawn now (without the carriage return), for tests.
  std::string line() const;
  // The summary of the current phase, e.g. "harvest: 968 sessions, 214.7 MiB in 17.7 s (12.1 MiB/s)".
  std::string summary() const;

 private:
  void draw(bool force);
  std::string line_locked(std::int64_t now, bool bar) const;

  std::string label_;
  std::FILE* out_;
  Clock clock_;
  bool enabled_;
  std::string unit_ = "items";
  std::atomic<std::int64_t> total_{0}, done_{0}, total_bytes_{0}, bytes_{0};
  mutable std::mutex mu_;
  std::int64_t start_ms_ = 0;
  std::int64_t last_draw_ms_ = -1;
  bool drawn_ = false;  // a live line is on the screen
  bool active_ = false;  // a phase started and was not finished
};

}  // namespace skillpipe::host
