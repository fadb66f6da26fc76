#include "host/ab/arm.hpp"

#include <map>

#include "skillpipe/kit/util.hpp"

namespace skillpipe::host::ab {

ChatResponse UsageMeter::complete(const ChatRequest& request, Context& ctx) {
  ChatResponse r = inner_->complete(request, ctx);
  if (request.purpose != "replay") {
    std::lock_guard<std::mutex> lock(mu_);
    other_.tokens += r.usage;
    other_.cost_usd += r.cost_usd;
    ++other_.calls;
    if (r.cached) ++other_.cached_calls;
  }
  return r;
}

Usage UsageMeter::other() const {
  std::lock_guard<std::mutex> lock(mu_);
  return other_;
}

Verdict GuardedJudge::judge(const TaskRecord& task, const ReplayResult& replay, Context& ctx) {
  try {
    return inner_->judge(task, replay, ctx);
  } catch (const std::exception& e) {
    std::lock_guard<std::mutex> lock(mu_);
    failures_.push_back({task.id, replay.sample, e.what()});
  }
  Verdict v;
  v.task_id = task.id;
  v.rationale = "judge failed";
  return v;
}

std::vector<GuardedJudge::Failure> GuardedJudge::failures() const {
  std::lock_guard<std::mutex> lock(mu_);
  return failures_;
}

namespace {

std::string read_doc(const std::string& path, const std::string& what, std::vector<std::string>& errors) {
  if (path.empty()) return {};
  auto text = read_file(path);
  if (!text) errors.push_back(path + ": cannot read the " + what + " file");
  return text.value_or("");
}

// The judges the arm scores with (the experiment's, else every judge stage) and the backend
// that replays (the experiment's, else the pipeline's only one).
std::vector<Diagnostic> choose_scorers(const AbSpec& spec, const PipelineAssembly& as, Arm& arm) {
  std::vector<Diagnostic> diags;
  const PipelineSpec& ps = as.spec();
  arm.judge_ids = spec.judges;
  if (arm.judge_ids.empty())
    for (std::size_t i = 0; i < ps.stages.size(); ++i)
      if (as.kind(i) == StageKind::kJudge) arm.judge_ids.push_back(ps.stages[i].id);
  for (const auto& id : arm.judge_ids)
    if (const auto i = as.stage_index(id); !i || as.kind(*i) != StageKind::kJudge)
      diags.push_back({ps.path, {}, "", "'" + id + "' is not a judge stage of the pipeline", false});
  if (arm.judge_ids.empty())
    diags.push_back({ps.path, {}, "/stages", "the pipeline has no judge stage to score with", false});
  arm.backend_id = spec.backend;
  if (arm.backend_id.empty() && spec.replays_file.empty()) {
    if (ps.backends.size() == 1)
      arm.backend_id = ps.backends[0].id;
    else
      diags.push_back({ps.path, {}, "/backends",
                       ps.backends.empty() ? "the pipeline defines no backend to replay the tasks with"
                                           : "the pipeline defines several backends; name the one that replays with "
                                             "`backend:`",
                       false});
  }
  bool defined = arm.backend_id.empty();
  for (const auto& b : ps.backends) defined = defined || b.id == arm.backend_id;
  if (!defined) diags.push_back({ps.path, {}, "/backends", "backend '" + arm.backend_id + "' is not defined", false});
  return diags;
}

// Puts a meter in front of every backend and a guard in front of every scoring judge.
void decorate(Arm& arm) {
  Services& services = arm.services();
  for (auto& [id, backend] : services.backends) {
    arm.metered.push_back(std::make_unique<UsageMeter>(backend));
    backend = arm.metered.back().get();
  }
  for (const auto& id : arm.judge_ids) {
    const std::size_t i = *arm.assembly->stage_index(id);
    arm.guarded.push_back(std::make_unique<GuardedJudge>(static_cast<Judge*>(arm.assembly->stage(i))));
    services.judges[id] = arm.guarded.back().get();
    arm.judge_labels.push_back(id + " (" + arm.assembly->spec().stages[i].plugin + ")");
  }
}

}  // namespace

std::unique_ptr<Arm> setup_arm(const AbSpec& spec, const ArmSpec& as, const RunOptions& opts, AbRun& out) {
  auto arm = std::make_unique<Arm>();
  arm->spec = &as;
  const std::string who = "arm '" + as.name + "': ";
  std::vector<std::string> overrides = spec.sets;
  overrides.insert(overrides.end(), as.sets.begin(), as.sets.end());
  overrides.insert(overrides.end(), opts.sets.begin(), opts.sets.end());
  arm->assembly = std::make_unique<PipelineAssembly>(
      AssemblyOptions{opts.plugin_dirs, std::move(overrides), opts.project, opts.store_root, {}});
  PipelineAssembly& assembly = *arm->assembly;
  auto fail = [&](const std::vector<std::string>& errors, int code) -> std::unique_ptr<Arm> {
    for (const auto& e : locate_at_arm(spec, as, errors)) out.errors.push_back(e.starts_with(spec.path) ? e : who + e);
    out.exit_code = std::max(out.exit_code, code);
    return nullptr;
  };
  if (!assembly.load(spec.pipeline)) return fail(assembly.errors(), assembly.exit_code());
  if (const auto diags = choose_scorers(spec, assembly, *arm); !diags.empty()) {
    std::vector<std::string> errors;
    for (const auto& d : diags) errors.push_back(d.format());
    return fail(errors, 2);
  }
  AssemblyParts parts;
  parts.stages = [&ids = arm->judge_ids](const ComponentSpec& s, StageKind) {
    return std::find(ids.begin(), ids.end(), s.id) != ids.end();
  };
  if (!assembly.build(parts)) return fail(assembly.errors(), assembly.exit_code());
  decorate(*arm);

  std::vector<std::string> doc_errors;
  arm->skill_text = read_doc(as.skill_file.value_or(spec.skill_file), "skill", doc_errors);
  arm->memory_text = read_doc(as.memory_file.value_or(spec.memory_file), "memory", doc_errors);
  if (!doc_errors.empty()) return fail(doc_errors, 2);
  if (!arm->backend_id.empty()) {
    const PipelineSpec& ps = assembly.spec();
    const auto b = std::find_if(ps.backends.begin(), ps.backends.end(),
                                [&](const ComponentSpec& c) { return c.id == arm->backend_id; });
    arm->replay_signature = sha256_hex(b->plugin + "\n" + b->config_json + "\n" +
                                       arm->services().backends[arm->backend_id]->identity() + "\n" +
                                       assembly.attempt_template() + "\n" + arm->skill_text + "\n" +
                                       arm->memory_text + "\n" + std::to_string(spec.rollouts));
  }
  return arm;
}

}  // namespace skillpipe::host::ab
