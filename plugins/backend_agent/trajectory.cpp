#include "trajectory.hpp"

#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::backend_agent {
namespace {

std::string clean(std::string_view text, std::size_t cap) { return redacted_head(text, cap); }

std::string start_words(const StartPoint& sp) {
  std::string s = to_string(sp.how);
  if (!sp.commit.empty()) s += " " + sp.commit.substr(0, 12);
  if (!sp.note.empty()) s += ": " + sp.note;
  return s;
}

ToolCallRecord call_record(const backend_common::AgentCall& c, const TrajectoryLimits& l) {
  ToolCallRecord r;
  r.name = c.name;
  // A shell call's record shows the command as the model wrote it; the rule language's
  // command ops match that.
  r.input = clean(c.command.empty() ? c.input : c.command, l.input_cap);
  r.ok = c.done ? c.ok : false;
  r.exit_code = c.exit_code;
  r.output_excerpt = clean(c.done ? c.output : std::string("(no result: the run ended first)"), l.output_cap);
  return r;
}

void add_checks(Trajectory& t, const ReplayOutcome& o, const TrajectoryLimits& l) {
  for (const auto& c : o.checks) {
    CheckRecord r;
    r.command = c.command;
    if (c.exit_code >= 0) r.exit_code = c.exit_code;
    r.timed_out = c.timed_out;
    r.output_excerpt = redacted_tail(c.output, l.output_cap);  // a check's verdict is in its last lines
    r.seconds = c.seconds;
    t.checks.push_back(std::move(r));
  }
  if (t.checks.empty()) return;
  const CheckRecord* shown = &t.checks.back();
  for (const auto& c : t.checks)
    if (c.exit_code != 0) {
      shown = &c;
      break;
    }
  t.check_exit_code = shown->exit_code;
  t.check_output_excerpt = shown->output_excerpt;
}

}  // namespace

std::string ended_of(const ReplayOutcome& o) {
  if (o.process.timed_out) return "timeout";
  if (o.process.cancelled) return "interrupted";
  if (o.turn_cap_hit) return "max_turns";
  if (o.run.end == backend_common::RunEnd::kNoResult && o.process.started && o.process.exit_code != 0) return "failed";
  return backend_common::to_string(o.run.end);
}

std::string answer_of(const ReplayOutcome& o) {
  if (!o.run.final_text.empty()) return o.run.final_text;
  const std::string e = ended_of(o);
  if (e == "completed") return "(the agent ended without a final message)";
  return "(no final answer: the run ended with " + e + (o.run.error.empty() ? "" : ": " + o.run.error) + ")";
}

Trajectory build_trajectory(const ReplaySettings& s, const ReplayOutcome& o, const std::string& version,
                            const TrajectoryArtifacts& artifacts, const TrajectoryLimits& l) {
  Trajectory t;
  t.agent = to_string(s.command.agent);
  t.agent_version = o.run.agent_version.empty() ? version : o.run.agent_version;
  t.workspace_commit = o.ws.commit;
  for (std::size_t i = 0; i < o.run.calls.size() && i < l.max_calls; ++i) t.tool_calls.push_back(call_record(o.run.calls[i], l));
  if (o.run.calls.size() > l.max_calls)
    t.notes.push_back(std::to_string(o.run.calls.size() - l.max_calls) + " more tool calls are in the event stream only");
  for (std::size_t i = 0; i < o.changes.files.size() && i < l.max_files; ++i) t.files_changed.push_back(o.changes.files[i]);
  t.diff_artifact = artifacts.diff;
  t.events_artifact = artifacts.events;
  t.skills_listed = o.run.skills_listed;
  t.skills_invoked = o.run.skills_invoked;
  add_checks(t, o, l);
  t.turns = o.run.turns;
  t.ended = ended_of(o);
  t.confinement = to_string(s.confinement);
  t.start = start_words(o.start);
  for (const auto& n : o.notes) t.notes.push_back(clean(n, 1000));
  if (!o.ws.left_out.empty())  // a replay that failed for want of them says why
    t.notes.push_back(clean("credential files were not copied into the workspace: " + join(o.ws.left_out, ", "), 1000));
  if (!o.run.permission_denials.empty()) {
    std::string d;
    for (const auto& x : o.run.permission_denials) d += (d.empty() ? "" : ", ") + x;
    t.notes.push_back("the agent was refused: " + d);
  }
  return t;
}

}  // namespace skillpipe::backend_agent
