// experiment_agentic.hpp - the agentic proof experiment (`skillpipe experiment --agentic`):
// does a learned skill make the real Claude Code or Codex better at a project's own work, and
// does the gate tell a skill that triggers from one that never does?
//
//   1. The fixture (pipelines/agentic_experiment/): a small git repository whose test
//      (tests/check.sh) passes only after the project's own generator ran (sh tools/regen.sh,
//      which the agent cannot know), reviewed tasks split train/val/test - regen tasks the
//      skill should trigger on and browse tasks from another cluster it should not - and two
//      seeds of the skill: one with the description skillpipe gives a new skill ("Use it for
//      every task in this project"), which the agent never matches to a task, and one whose
//      description is about release notes. Neither body says anything about the generator.
//   2. One night per seed (pipelines/agentic_experiment.yaml, each in its own store): the
//      real CLI replays every task in an isolated checkout with the seed installed where it
//      loads skills, judge_rule runs the task's check, reflection proposes edits, the
//      candidate is replayed on val and the gate decides; test is scored once. For the
//      learned seed the optimizer sees the regen tasks the skill was not invoked on and
//      proposes a set_description edit and a rule naming the generator; for the other, a
//      rule only (an optimizer that leaves the description alone).
//   3. Measured: pass rates, tool calls and time per replay from the night's replays and
//      verdicts; trigger recall (the skill invoked on the tasks it should) and precision (of
//      its invocations, how many were on those tasks) as the gate measured them.
// It proves the claim when the learned seed's baseline fails the regen checks and never
// triggers, the gate accepts the learned description and rule, val and test improve, and the
// candidate triggers on every regen task and on no browse task, on val and on test; and the
// never-matching seed with a body-only edit is never invoked, gains nothing and is not accepted.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "skillpipe/records.hpp"

namespace skillpipe::app::agentic_experiment {

struct Options {
  Agent agent = Agent::kClaude;
  std::string binary;        // "" = the pipeline's (the CLI on PATH)
  std::string model_server;  // "" = the agents' real endpoints; else a loopback scripted model server
  std::string fixture;       // "" = <pipelines>/agentic_experiment
  std::string pipeline;      // "" = <pipelines>/agentic_experiment.yaml
  std::string store;         // "" = $SKILLPIPE_STORE, else ~/.skillpipe
  std::vector<std::string> plugin_dirs;
  std::vector<std::string> sets;
};

// One kind of replay of a night: train, baseline (val), candidate (val), baseline_test,
// candidate_test. Pass rates and costs are counted from the night's replays and verdicts; the
// trigger numbers are the gate's own (metrics trigger.<skill>.{recall,precision,invoked}.<role>,
// consolidate_reflect's trigger_stats), absent for train, which the gate does not measure.
struct RoleStats {
  std::string role;
  int replays = 0;
  double passed = 0;  // sum of hard verdicts
  int tool_calls = 0;
  double seconds = 0;  // summed replay wall time
  double cost_usd = 0;
  std::optional<double> recall, precision;  // the gate's; precision n/a when never invoked
  std::optional<int> invoked;               // replays where the agent invoked the skill
  std::optional<double> pass_rate() const;
};

struct Arm {
  std::string name;         // learned | never-matching
  std::string description;  // the seed's frontmatter description
  std::string learned_description;  // what an accepted set_description edit made it ("" = none)
  std::string store, night_id, night_dir;
  std::string gate_action, gate_reason;
  std::optional<double> baseline_val, candidate_val, baseline_test, candidate_test;
  std::vector<RoleStats> roles;
  std::vector<std::string> accepted;  // accepted edits' content (a set_description's: the new description)
  const RoleStats* role(const std::string& r) const;
};

struct Result {
  int exit_code = 0;  // non-zero: a night failed to run
  std::vector<std::string> errors;
  std::string agent, skill, fixture, pipeline, project;
  std::vector<Arm> arms;
  double seconds = 0;
  // Every part of the claim that did not hold, in words ("" = proven).
  std::vector<std::string> unproven() const;
};

Result run(const Options& o);
std::string result_json(const Result& r);
std::string result_text(const Result& r);

}  // namespace skillpipe::app::agentic_experiment
