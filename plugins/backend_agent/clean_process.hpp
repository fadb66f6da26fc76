// clean_process.hpp - run a program with exactly the environment given (nothing inherited),
// in its own process group, with a timeout that kills the whole group.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "subprocess.hpp"

namespace skillpipe::backend_agent {

struct CleanProcess {
  std::vector<std::string> argv;  // argv[0]: an absolute path, or looked up on this process's PATH
  std::vector<std::string> env;   // the complete environment, "NAME=value"
  std::string cwd;
  std::string stdin_text;
  double timeout_s = 300;
  std::size_t max_output_bytes = 32u << 20;
  // Called with each complete stdout line while the program runs; returning false stops it
  // (the group is killed, ProcessOutcome::stopped is set).
  std::function<bool(std::string_view line)> on_line;
};

using ProcessOutcome = backend_common::ProcessResult;

ProcessOutcome run_clean(const CleanProcess& p, const std::function<bool()>& cancelled = {});

// Starts it now; StartedProcess::finish() gives it p.stdin_text later (subprocess.hpp).
using StartedProcess = backend_common::StartedProcess;
std::unique_ptr<StartedProcess> start_clean(const CleanProcess& p);

// PATH=/usr/local/bin:/usr/bin:/bin, LANG=C.UTF-8, TZ=UTC: the base every child gets.
std::vector<std::string> base_environment();
// The base plus git settings that ignore the user's and the system's git configuration and
// never prompt or page.
std::vector<std::string> git_environment();

}  // namespace skillpipe::backend_agent
