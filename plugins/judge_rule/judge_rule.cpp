// judge_rule - local rule checks (gbrain-evals skillopt-v1 format, extended). No model call.
//
// hard = 1 when every check passes, soft = the fraction that passed; each failed check is
// listed as a requirement in plain words. A task without rule checks scores 0 ("no
// checks") unless the config gives default_checks.
#include <algorithm>
#include <memory>
#include <mutex>
#include <set>

#include <spdlog/spdlog.h>

#include "skillpipe/errors.hpp"
#include "skillpipe/kit/rules.hpp"
#include "skillpipe/kit/task_file.hpp"
#include "skillpipe/plugin.hpp"

namespace skillpipe {
namespace {

const char* const kSchemaJson = R"({
  "$schema": "http://json-schema.org/draft-04/schema#",
  "title": "judge_rule",
  "description": "Local rule checks: contains, not_contains, regex, not_regex, no_refusal, tool_called, section_present, section_contains, max_chars, min_chars, max_words, min_words, starts_with, ends_with, json_valid, json_field_equals, any_of, all_of, none_of; on agentic replays (backend_agent) also skill_invoked, skill_not_invoked, command_ran, command_succeeded, file_changed, file_unchanged, max_tool_calls, check_command.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "default_checks": {"default": [], "type": "array", "items": {"type": "object"},
      "description": "Checks ({op, arg, arg2, case_insensitive, children}) used for tasks that carry none."},
    "extra_checks": {"default": [], "type": "array", "items": {"type": "object"},
      "description": "Checks added to every task's own (a house style, e.g. max_chars)."},
    "unknown_ops": {"default": "pass", "enum": ["pass", "fail"],
      "description": "What an unknown op does: pass (SkillOpt-compatible, default) or fail."}
  }
})";

class JudgeRule : public Judge {
 public:
  void configure(const Config& config, Context&) override {
    default_checks_ = read_checks(config, "default_checks");
    extra_checks_ = read_checks(config, "extra_checks");
    unknown_fail_ = config.get_string("unknown_ops", "pass") == "fail";
    for (const char* key : {"default_checks", "extra_checks"}) {
      const auto report = rules::validate_checks(key[0] == 'd' ? default_checks_ : extra_checks_);
      if (!report.errors.empty()) throw ConfigError(report.errors.front(), std::string("/") + key);
    }
  }

  Verdict judge(const TaskRecord& task, const ReplayResult& replay, Context& ctx) override {
    Verdict v;
    v.task_id = task.id;
    v.variant = replay.variant;
    v.sample = replay.sample;
    const auto checks = checks_for(task);
    const Trajectory* trajectory = replay.trajectory ? &*replay.trajectory : nullptr;
    const auto score = rules::score_checks(checks, replay.response, replay.tools_called, trajectory);
    v.hard = score.hard;
    v.soft = score.soft;
    v.failed_criteria = score.failed_criteria;
    v.rationale = score.rationale;
    if (unknown_fail_) apply_unknown_fail(checks, v);
    if (trajectory) apply_unfinished(*trajectory, v);
    else if (replay.variant != "observed") warn_without_trajectory(task, checks, ctx);
    return v;
  }

  // Trajectory checks (skill_invoked, check_command, ...) read the replay's trajectory; a
  // chat replay has none, so they fail there (judge() warns once per task when that happens).
  bool handles(const TaskRecord& task) const override { return !checks_for(task).empty(); }

  std::vector<std::string> validate(const TaskRecord& task) const override {
    const auto checks = checks_for(task);
    if (checks.empty()) {
      if (task.judge.kind == ReferenceKind::kRule)
        throw RecordError("task " + task.id + ": judge kind is rule but it has no checks", task.id);
      return {"no rule checks: judge_rule scores this task 0"};
    }
    // Whether the replays will carry a trajectory depends on the night's replay backend, which
    // a task's spec does not know: judge() warns when a replay really lacks one.
    auto report = rules::validate_checks(checks);
    if (!report.errors.empty()) {
      std::string msg = "task " + task.id + ": invalid rule judge: ";
      for (std::size_t i = 0; i < report.errors.size(); ++i) msg += (i ? "; " : "") + report.errors[i];
      throw RecordError(msg, task.id);
    }
    return report.warnings;
  }

 private:
  static std::vector<RuleCheck> read_checks(const Config& config, const char* key) {
    const std::string json = config.get_json(key);
    if (json.empty()) return {};
    try {
      return rule_checks_from_json_lenient(json);
    } catch (const RecordError& e) {
      throw ConfigError(e.what(), std::string("/") + key);
    }
  }

  std::vector<RuleCheck> checks_for(const TaskRecord& task) const {
    std::vector<RuleCheck> checks = task.judge.checks.empty() ? default_checks_ : task.judge.checks;
    if (!checks.empty()) checks.insert(checks.end(), extra_checks_.begin(), extra_checks_.end());
    return checks;
  }

  // unknown_ops: fail - an unknown op counts as a failed check instead of a pass.
  static void apply_unknown_fail(const std::vector<RuleCheck>& checks, Verdict& v) {
    int unknown = 0;
    for (const auto& c : checks)
      if (c.op == RuleOp::kUnknown) {
        ++unknown;
        v.failed_criteria.push_back("unknown check \"" + c.unknown_op + "\" cannot be satisfied");
      }
    if (unknown == 0) return;
    const double total = static_cast<double>(checks.size());
    v.soft = std::max(0.0, v.soft - unknown / total);
    v.hard = 0;
    v.rationale += "; " + std::to_string(unknown) + " unknown op(s) counted as failed";
  }

  // An agentic replay that did not finish (out of turns, out of time) is never a success, even
  // when its checks happen to pass: the agent did not complete the task. (Infrastructure
  // failures - the CLI or the model endpoint failing - never reach a judge: backend_agent
  // reports them as replay errors.)
  static void apply_unfinished(const Trajectory& t, Verdict& v) {
    if (t.ended.empty() || t.ended == "completed") return;
    v.hard = 0;
    v.failed_criteria.push_back("the agent must finish the task within its turn and time limits");
    v.rationale += "; the agent's run ended with " + t.ended + ", so it is not a success";
  }

  // A replay without a trajectory (a chat backend) met trajectory checks: they fail, and the
  // user most likely meant to replay with backend_agent. Said once per task, counted per replay.
  void warn_without_trajectory(const TaskRecord& task, const std::vector<RuleCheck>& checks, Context& ctx) {
    if (std::none_of(checks.begin(), checks.end(), [](const RuleCheck& c) { return rules::needs_trajectory(c); }))
      return;
    ctx.count("trajectory_checks_without_trajectory");
    {
      std::lock_guard<std::mutex> lock(warned_mu_);
      if (!warned_.insert(task.id).second) return;
    }
    ctx.logger().warn("task {}: needs a trajectory: its trajectory checks (skill_invoked, command_ran, ...) fail on "
                      "this replay, which has none; replay with an agentic backend (backend_agent)",
                      task.id);
  }

  std::mutex warned_mu_;
  std::set<std::string> warned_;
  std::vector<RuleCheck> default_checks_;
  std::vector<RuleCheck> extra_checks_;
  bool unknown_fail_ = false;
};

}  // namespace
}  // namespace skillpipe

SKILLPIPE_PLUGIN(skillpipe::StageKind::kJudge, "1.0.0",
                 "Local rule checks (gbrain-evals skillopt-v1 compatible): hard = all pass, soft = fraction passed",
                 skillpipe::kSchemaJson, [] { return std::unique_ptr<skillpipe::StageBase>(new skillpipe::JudgeRule); });
