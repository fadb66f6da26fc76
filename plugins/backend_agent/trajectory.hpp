// trajectory.hpp - one replay's outcome as the record the judges, the gate and the report
// read (records.hpp Trajectory), with every text redacted and capped.
#pragma once

#include <string>

#include "replay_run.hpp"
#include "skillpipe/records.hpp"

namespace skillpipe::backend_agent {

struct TrajectoryArtifacts {
  std::string diff;    // night-relative paths ("" when not written)
  std::string events;
};

struct TrajectoryLimits {
  std::size_t input_cap = 2000;    // bytes kept of each tool input
  std::size_t output_cap = 1000;   // of each tool output
  std::size_t max_calls = 400;     // tool calls kept (the rest are counted in a note)
  std::size_t max_files = 500;
};

Trajectory build_trajectory(const ReplaySettings& s, const ReplayOutcome& o, const std::string& version,
                            const TrajectoryArtifacts& artifacts, const TrajectoryLimits& limits = {});

// How the run ended, in the Trajectory's words; a timeout or cancel overrides the stream.
std::string ended_of(const ReplayOutcome& o);

// The final answer a judge reads: the agent's last message, or why there is none.
std::string answer_of(const ReplayOutcome& o);

}  // namespace skillpipe::backend_agent
