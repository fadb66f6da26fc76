// subprocess.hpp - run a program with text on stdin, capture its output, enforce a timeout.
//
// The child runs in its own process group so a timeout (or Ctrl-C) kills everything it
// started, not just the top process. Safe to call from several threads at once.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace skillpipe::backend_common {

struct ProcessSpec {
  std::vector<std::string> argv;          // argv[0] is looked up on PATH unless it has a '/'
  std::string cwd;                        // "" = inherit
  std::string stdin_text;
  std::vector<std::string> env_set;       // "NAME=value", added or replacing
  std::vector<std::string> env_unset;     // names removed from the inherited environment
  bool clear_env = false;                 // inherit nothing: the environment is env_set alone
  double timeout_s = 180;
  std::size_t max_output_bytes = 16u << 20;
  // Called with each complete stdout line as it arrives; returning false stops the program
  // (its group is killed and ProcessResult::stopped is set).
  std::function<bool(std::string_view line)> on_stdout_line;
};

struct ProcessResult {
  bool started = false;
  std::string start_error;                // why it could not start (not found, not executable)
  int exit_code = -1;                     // -1 when killed by a signal
  int term_signal = 0;
  bool timed_out = false;
  bool cancelled = false;
  bool stopped = false;                   // on_stdout_line asked to stop it
  bool output_truncated = false;
  std::string out;
  std::string err;
  double elapsed_s = 0;
};

ProcessResult run_process(const ProcessSpec& spec, const std::function<bool()>& cancelled);

// run_process in two steps, for a program that is slow to start: spawned now with its pipes
// open and nothing written to its stdin (an agent CLI does its start-up while it waits), then
// given its input and supervised to its end by finish(). The timeout counts from finish().
// Destroying one that was never finished kills its process group. Start and finish may run on
// different threads, one at a time; a parent-death signal set by a wrapper (setpriv,
// bubblewrap) follows the thread that started it, so that thread must outlive the process.
class StartedProcess {
 public:
  // spec.stdin_text, timeout_s and on_stdout_line are ignored: finish() takes them.
  explicit StartedProcess(ProcessSpec spec);
  ~StartedProcess();
  StartedProcess(const StartedProcess&) = delete;
  StartedProcess& operator=(const StartedProcess&) = delete;

  bool started() const;
  const std::string& start_error() const;
  // False once it ended on its own while waiting for its input.
  bool waiting();
  ProcessResult finish(const std::string& stdin_text, double timeout_s,
                       std::function<bool(std::string_view line)> on_stdout_line,
                       const std::function<bool()>& cancelled);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The absolute path of `program` on PATH (or `program` itself if it has a '/' and is
// executable); "" when not found.
std::string find_executable(const std::string& program);

// `argv` run under `setpriv --pdeathsig KILL` (util-linux) when setpriv is installed: a child
// in its own process group (for timeouts) outlives a parent killed with SIGKILL, and an agent
// CLI would go on running, and paying, for an answer nobody reads; with the signal it dies with
// its parent. `argv` unchanged without setpriv.
std::vector<std::string> dying_with_parent(std::vector<std::string> argv);

}  // namespace skillpipe::backend_common
