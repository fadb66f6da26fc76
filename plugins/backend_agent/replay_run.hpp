// replay_run.hpp - one agentic replay, start to end:
//
//   resolve the start commit -> workspace (detached checkout or copy) -> install the documents
//   -> scratch home -> setup commands -> record the start -> run the agent (confined, timed,
//   turn-capped), reading its event stream as it comes -> collect the changes -> run the
//   task's checks in the workspace -> remove the workspace (unless kept).
//
// Everything here happens in the replay's own directory, so replays run side by side with no
// lock between them.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "agent_command.hpp"
#include "agent_home.hpp"
#include "agent_stream.hpp"
#include "clean_process.hpp"
#include "confinement.hpp"
#include "install_documents.hpp"
#include "workspace.hpp"

namespace skillpipe::backend_agent {

using backend_common::AgentRun;
using backend_common::AgentStreamReader;
using backend_common::RunEnd;

struct ReplaySettings {
  AgentCommandSettings command;
  HomeSpec home;                       // auth, model, endpoint (trusted dirs are added per replay)
  std::string workspace_root;          // replays are created under it
  bool keep_workspaces = false;
  double timeout_s = 900;              // the agent's wall time
  double check_timeout_s = 300;        // per check command
  double setup_timeout_s = 600;        // per setup command
  Confinement confinement = Confinement::kNone;  // decided when the backend is configured
  std::string bwrap;                   // with kBubblewrap
  std::vector<std::string> read_only;  // extra read-only binds (tool dirs under the home)
  std::vector<std::string> path;       // the agent's PATH entries
  std::vector<std::string> pass_env;   // "NAME=value" passed through to the agent and checks
  std::vector<std::string> setup;      // commands run in the workspace before the agent
  WorkspaceLimits limits;
  std::size_t output_cap = 2000;       // bytes kept of each tool result / check output
};

struct ReplayJob {
  std::string id;                      // the replay's directory name (unique in the root)
  std::string prompt;
  std::string project;
  SourceHint hint;
  std::optional<StartPoint> start;     // resolved by the caller; unset: from project and hint
  ReplayDocs docs;
  std::vector<std::string> checks;     // check_command CMDs, run after the agent
};

struct CheckRun {
  std::string command;
  int exit_code = -1;                  // -1: did not run to the end
  bool timed_out = false;
  std::string output;                  // stdout+stderr, capped
  double seconds = 0;
};

struct ReplayOutcome {
  StartPoint start;
  Workspace ws;
  std::vector<std::string> installed;  // document paths, relative to the agent's cwd
  AgentRun run;
  ProcessOutcome process;              // exit code, timeout, stderr of the agent
  bool turn_cap_hit = false;           // Codex: stopped by the runner at max_turns
  Changes changes;
  std::vector<CheckRun> checks;
  std::string events;                  // the agent's raw event stream
  double agent_seconds = 0;
  double total_seconds = 0;
  bool kept = false;
  std::vector<std::string> notes;      // start fallbacks, cleanup problems, untested versions
};

// Throws Error when the workspace cannot be prepared; an agent that fails is an outcome.
// Sets how replays are confined; under skillpipe's bubblewrap Codex runs without its own
// sandbox (AgentCommandSettings::codex_sandbox says why).
void set_confinement(ReplaySettings& s, Confinement c);

ReplayOutcome run_replay(const ReplaySettings& s, const ReplayJob& job, const std::function<bool()>& cancelled = {});

// A replay made ready up to its agent's input, ahead of its call (warm_replays.hpp): the
// workspace with the documents installed, the scratch home, the setup commands run, the start
// recorded and maybe the agent started (start_ahead). One that is dropped unused kills its
// agent and removes its workspace.
struct PreparedReplay {
  PreparedReplay() = default;
  PreparedReplay(const PreparedReplay&) = delete;
  PreparedReplay& operator=(const PreparedReplay&) = delete;
  ~PreparedReplay();

  ReplayOutcome o;                       // start, ws, installed and notes filled
  AgentHome home;
  std::unique_ptr<StartedProcess> agent;  // waiting for its input; null: started by finish_replay
  bool ran = false;                      // finish_replay began: keep_workspaces keeps it on failure
  bool used = false;                     // finish_replay finished it (kept or removed it itself)
  bool keep = false;                     // keep_workspaces
};

// The two halves of run_replay. prepare_replay throws Error when the workspace cannot be made.
std::unique_ptr<PreparedReplay> prepare_replay(const ReplaySettings& s, const ReplayJob& job,
                                               const std::function<bool()>& cancelled = {});
// Starts the agent of a prepared replay, to wait for its prompt; false when the agent reads
// its input before starting up (nothing to gain) or was started already.
bool start_ahead(const ReplaySettings& s, PreparedReplay& pr);
ReplayOutcome finish_replay(const ReplaySettings& s, const ReplayJob& job, PreparedReplay& p,
                            const std::function<bool()>& cancelled = {});

// The agent's environment for one replay: PATH, locale, the scratch home's variables, the
// pass-through variables (auth included only when `with_auth`).
std::vector<std::string> replay_environment(const ReplaySettings& s, const AgentHome& home, bool with_auth);

// argv that runs `argv` confined to the replay's directory (unchanged without bubblewrap).
std::vector<std::string> confined(const ReplaySettings& s, const Workspace& ws, const std::vector<std::string>& argv);

}  // namespace skillpipe::backend_agent
