// trajectory_checks.cpp - the trajectory ops of the rule language (kit/rules.hpp), evaluated
// on what an agentic replay recorded: the skills the agent invoked, the shell commands it ran
// with their exit codes, the files it changed, its tool calls and the task's check commands
// run in the workspace after it ended.
#include <fnmatch.h>

#include <algorithm>

#include "rule_ops.hpp"
#include "skillpipe/kit/regex.hpp"
#include "skillpipe/kit/rules.hpp"

namespace skillpipe::rules::detail {
namespace {

// The shell tools of the agents backend_agent runs: Claude Code's Bash, Codex's exec_command.
bool is_command(const ToolCallRecord& c) { return c.name == "Bash" || c.name == "exec_command"; }

std::string list_of(const std::vector<std::string>& xs, std::size_t max = 5) {
  if (xs.empty()) return "none";
  std::string out;
  for (std::size_t i = 0; i < xs.size() && i < max; ++i) out += (i ? ", " : "") + q(xs[i]);
  if (xs.size() > max) out += " and " + std::to_string(xs.size() - max) + " more";
  return out;
}

CheckResult skill_invoked(const RuleCheck& c, const Trajectory& t, bool want) {
  const std::string name = lower(trim(c.arg));
  const bool invoked = std::any_of(t.skills_invoked.begin(), t.skills_invoked.end(),
                                   [&](const std::string& s) { return lower(s) == name; });
  const bool listed = std::any_of(t.skills_listed.begin(), t.skills_listed.end(),
                                  [&](const std::string& s) { return lower(s) == name; });
  if (invoked == want) return {true, {}};
  if (invoked) return {false, "it invoked " + q(c.arg)};
  return {false, std::string(listed ? "listed but never invoked" : "not even listed") +
                     "; invoked: " + list_of(t.skills_invoked)};
}

// command_ran / command_succeeded: the first shell command matching the pattern (succeeded:
// one that also exited 0).
CheckResult command_matches(const RuleCheck& c, const Trajectory& t, bool must_succeed) {
  std::string err;
  const auto re = compile_regex(c.arg, c.case_insensitive, &err);
  if (!re) return {false, "invalid check: the pattern " + pat(c.arg) + " does not compile: " + err};
  int matched = 0, commands = 0;
  for (const auto& call : t.tool_calls) {
    if (!is_command(call)) continue;
    ++commands;
    if (!re->search(call.input, &err)) {
      if (!err.empty()) return {false, "the pattern " + pat(c.arg) + " failed: " + err};
      continue;
    }
    ++matched;
    if (!must_succeed || (call.ok && call.exit_code.value_or(0) == 0)) return {true, {}};
  }
  if (matched > 0) return {false, std::to_string(matched) + " matching command(s) ran, none exited 0"};
  return {false, "no such command among the " + std::to_string(commands) + " the agent ran"};
}

// Globs match workspace-relative paths; `*` also crosses `/` (fnmatch without FNM_PATHNAME),
// so "src/*.py" matches "src/a/b.py" too.
CheckResult file_changed(const RuleCheck& c, const Trajectory& t, bool want) {
  const std::string glob = trim(c.arg);
  std::vector<std::string> hits;
  for (const auto& f : t.files_changed)
    if (::fnmatch(glob.c_str(), f.c_str(), 0) == 0) hits.push_back(f);
  if (!hits.empty() == want) return {true, {}};
  if (want) return {false, "changed: " + list_of(t.files_changed)};
  return {false, "it changed " + list_of(hits)};
}

CheckResult max_tool_calls(const RuleCheck& c, const Trajectory& t) {
  const auto n = rules::parse_bound(c.arg);
  if (!n) return {false, "invalid check: " + q(c.arg) + " is not a number of tool calls"};
  const auto made = static_cast<long long>(t.tool_calls.size());
  if (made <= *n) return {true, {}};
  return {false, "it made " + std::to_string(made) + " tool calls"};
}

CheckResult check_command(const RuleCheck& c, const Trajectory& t) {
  const std::string cmd = trim(c.arg);
  const auto it = std::find_if(t.checks.begin(), t.checks.end(), [&](const CheckRecord& r) { return trim(r.command) == cmd; });
  if (it == t.checks.end()) return {false, "the check command did not run (the replay ended before it)"};
  if (it->exit_code == 0) return {true, {}};
  std::string d = it->timed_out ? "it timed out" : it->exit_code ? "exit " + std::to_string(*it->exit_code) : "it did not finish";
  const std::string tail = trim(it->output_excerpt);
  if (!tail.empty()) d += ": " + truncate_utf8(tail.substr(tail.size() > 200 ? tail.size() - 200 : 0), 200);
  return {false, d};
}

}  // namespace

CheckResult eval_trajectory(const RuleCheck& c, const Trajectory& t) {
  switch (c.op) {
    case RuleOp::kSkillInvoked: return skill_invoked(c, t, true);
    case RuleOp::kSkillNotInvoked: return skill_invoked(c, t, false);
    case RuleOp::kCommandRan: return command_matches(c, t, false);
    case RuleOp::kCommandSucceeded: return command_matches(c, t, true);
    case RuleOp::kFileChanged: return file_changed(c, t, true);
    case RuleOp::kFileUnchanged: return file_changed(c, t, false);
    case RuleOp::kMaxToolCalls: return max_tool_calls(c, t);
    default: return check_command(c, t);  // kCheckCommand
  }
}

}  // namespace skillpipe::rules::detail
