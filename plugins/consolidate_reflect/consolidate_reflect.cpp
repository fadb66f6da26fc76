// consolidate_reflect - the night's consolidator: reflect on replay failures, propose a few
// bounded edits to the skill and the memory document, keep them only when the validation
// gate says they verifiably help, and hand the host proposals to stage for review.
//
// Without a configured, available backend it does nothing costly: it returns a note telling
// the user how to enable the full cycle, and leaves the gate action empty so whatever the
// offline stages drafted stands.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <set>

#include "carry_ledger.hpp"
#include "epoch.hpp"
#include "evaluator.hpp"
#include "fanout.hpp"
#include "night_report.hpp"
#include "reflector.hpp"
#include "settings.hpp"
#include "skillpipe/backend.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/targets.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/plugin.hpp"
#include "skillpipe/store.hpp"
#include "spend_plan.hpp"
#include "text_util.hpp"

namespace skillpipe {
namespace {

using namespace consolidate_reflect;

constexpr const char* kEnableHint =
    "To run the full cycle (replay, reflection, validation gate), define an LLM backend under `backends:` "
    "(for example backend_llm with OPENAI_API_KEY or ANTHROPIC_API_KEY set) and name it in this stage's "
    "`backend:`; `optimizer_backend:` may name a stronger model for reflection.";

class ConsolidateReflect final : public Consolidator {
 public:
  void configure(const Config& config, Context& ctx) override { s_ = parse_settings(config, ctx.run().pipeline_dir); }

  ConsolidateResult consolidate(const ConsolidateInput& input, Context& ctx) override {
    ConsolidateResult out;
    std::string why;
    Backend* replay = nullptr;
    Backend* optimizer = nullptr;
    if (!ready(ctx, replay, optimizer, why)) {
      out.report.notes.push_back("consolidate_reflect did not run: " + why + " " + kEnableHint);
      return out;
    }
    if (input.tasks.empty()) {
      // Nothing was replayed, so there is no verdict to give; whatever other stages did stands.
      out.report.notes.push_back("consolidate_reflect: no tasks were mined tonight, so there was nothing to replay.");
      return out;
    }
    const std::string project = ctx.run().project;
    Usage usage;
    Evaluator evaluator(ctx, s_.backend, usage);
    Reflector reflector(ctx, *optimizer, s_, usage);
    const std::vector<NightReport> past = past_reports(ctx, project);
    Epoch epoch(ctx, s_, evaluator, reflector, rejected_before(past), carried_before(ctx, past));
    GatedDocs docs = plan_documents(input.tasks, project);
    if (!fits_budget(ctx, docs, *replay, *optimizer, out)) return out;
    const std::vector<GroupOutcome> outcomes = run_groups(ctx, epoch, docs);
    fail_if_the_optimizer_failed(outcomes, optimizer->identity());
    pending_ledger_ = CarryLedger{ctx.run().night_id, {}};
    for (const auto& go : outcomes)
      pending_ledger_->edits.insert(pending_ledger_->edits.end(), go.result.ledger.begin(), go.result.ledger.end());
    assemble(out, outcomes, docs.notes, project);
    if (s_.optimizer_backend.empty() || s_.optimizer_backend == s_.backend)
      out.report.attrs["models"] = replay->identity();
    else
      out.report.attrs["models"] = "replay " + replay->identity() + ", reflection " + optimizer->identity();
    out.report.tokens = usage.tokens;
    out.report.cost_usd = usage.cost_usd;
    out.report.llm_calls = usage.calls;
    out.report.cached_calls = usage.cached;
    for (const auto& [phase, secs] : usage.seconds) out.report.timings_s["consolidate." + phase] = secs;
    ctx.count("edits_accepted", static_cast<std::int64_t>(out.report.accepted_edits.size()));
    ctx.count("edits_rejected", static_cast<std::int64_t>(out.report.rejected_edits.size()));
    ctx.count("edits_unmatched", static_cast<std::int64_t>(out.report.unmatched_edits.size()));
    if (s_.evaluate_only) ctx.count("evaluation_only");  // a re-scoring night: `skillpipe report` skips it by default
    return out;
  }

 private:
  // The night's gated documents: the first skill target's skill per group, and the project memory.
  struct GatedDocs {
    GroupPlan plan;
    DocFile memory;
    bool no_skill = false;   // no skill target: the agent sees no managed skill
    bool no_memory = false;  // no memory target, or a night over all projects
    std::string memory_refused;  // why the memory document stays as it is ("" = it may change)
    std::vector<std::string> notes;
  };

  GatedDocs plan_documents(const std::vector<TaskRecord>& tasks, const std::string& project) const {
    GatedDocs d;
    std::optional<Target> skill_target, memory_target;
    for (const Target& t : s_.targets) {
      if (!skill_target && t.kind == DocKind::kSkill) skill_target = t;
      if (!memory_target && t.kind == DocKind::kMemory) memory_target = t;
    }
    d.no_skill = !skill_target;
    if (d.no_skill) skill_target = Target{Agent::kClaude, DocKind::kSkill};
    d.no_memory = !memory_target || project == "all";
    if (!memory_target) memory_target = Target{skill_target->agent, DocKind::kMemory};
    const std::string skill_path =
        live_path_for(*skill_target, s_.skill_name, s_.claude_skill_root, s_.codex_skill_root, project);
    d.plan = plan_groups(tasks, s_, project, *skill_target, skill_path);
    d.notes = d.plan.notes;
    if (project != "all") {
      d.memory = load_document(
          *memory_target, targets::memory_name(memory_target->agent),
          live_path_for(*memory_target, s_.skill_name, s_.claude_skill_root, s_.codex_skill_root, project));
      d.memory_refused = s_.evolve_memory && !d.no_memory ? secret_refusal(d.memory) : std::string();
      if (!d.memory_refused.empty()) d.notes.push_back(d.memory_refused);
    } else if (s_.evolve_memory) {
      d.notes.push_back("A night over all projects has no project memory document; only skills evolve.");
    }
    return d;
  }

  // Plan before spending: forecast the whole night and check it against the caps before the
  // first paid call. False: refused (out says why); with on_over_budget: fit, train tasks that
  // do not fit are dropped from the groups.
  bool fits_budget(Context& ctx, GatedDocs& d, Backend& replay, Backend& optimizer, ConsolidateResult& out) const {
    std::vector<TaskRecord> all;
    std::size_t docs = d.memory.base_text.size();
    for (const auto& g : d.plan.groups) {
      all.insert(all.end(), g.tasks.begin(), g.tasks.end());
      if (auto t = read_file(g.path)) docs = std::max(docs, d.memory.base_text.size() + t->size());
    }
    SpendPlan sp = plan_spend(all, docs, s_, replay, optimizer);
    const std::string before = sp.summary();
    const auto dropped = fit_to_budget(sp, all, docs, s_, replay, optimizer, s_.on_over_budget == "fit");
    ctx.logger().info("spending plan: {}", before);
    out.report.metrics["plan_calls"] = static_cast<double>(sp.calls);
    out.report.metrics["plan_tokens"] = static_cast<double>(sp.tokens);
    out.report.metrics["plan_cost_usd"] = sp.cost_usd;
    if (sp.over && s_.on_over_budget == "run") {
      d.notes.push_back("The spending plan (" + sp.summary() + ") exceeds " + sp.cap +
                        "; running anyway as configured (on_over_budget: run) until a cap stops it.");
    } else if (sp.over) {
      out.report.gate_action = GateAction::kBudgetRefused;
      out.report.gate_reason = "the night's plan (" + sp.summary() + ") exceeds " + sp.cap;
      out.report.notes.push_back("Nothing was replayed: the spending plan exceeds the budget cap " + sp.cap +
                                 ". Raise the cap under the backend's `budget:`, or run the part that fits with "
                                 "--set stages." + ctx.stage_id() + ".on_over_budget=fit.");
      ctx.logger().warn("{}", out.report.gate_reason);
      return false;
    }
    if (!dropped.empty()) {
      const std::set<std::string> drop(dropped.begin(), dropped.end());
      for (auto& g : d.plan.groups) std::erase_if(g.tasks, [&](const TaskRecord& t) { return drop.count(t.id) > 0; });
      d.notes.push_back("To fit the budget the night used " + std::to_string(sp.train) + " of " +
                        std::to_string(sp.train + sp.dropped_train) + " train tasks (" + sp.summary() + ").");
    }
    return true;
  }

  // One epoch per group, in plan order, until cancelled.
  std::vector<GroupOutcome> run_groups(Context& ctx, Epoch& epoch, const GatedDocs& d) const {
    std::vector<GroupOutcome> outcomes;
    for (const auto& g : d.plan.groups) {
      GroupOutcome go;
      go.group = g;
      go.skill = load_document(g.target, g.name, g.path);
      // With no skill target the agent sees no managed skill: replay without a scaffold.
      if (g.managed && d.no_skill && !go.skill.exists) go.skill.text.clear();
      go.memory = d.memory;
      EpochSpec spec;
      spec.group = g.name;
      spec.tasks = g.tasks;
      spec.skill = go.skill;
      spec.memory = d.memory;
      const std::string skill_refused = secret_refusal(go.skill);
      spec.evolve_skill = s_.evolve_skill && !(g.managed && d.no_skill) && skill_refused.empty();
      // A user's own skill is evolved alone: the memory stays read-only for its group.
      spec.evolve_memory = g.managed && s_.evolve_memory && !d.no_memory && d.memory_refused.empty();
      spec.apply.bounds = s_.bounds;
      spec.apply.allow_document_ops = g.managed;
      ctx.logger().info("consolidating {} task(s) for skill '{}'", g.tasks.size(), g.name);
      go.result = epoch.run(spec);
      if (!skill_refused.empty()) go.result.notes.push_back(skill_refused);
      outcomes.push_back(std::move(go));
      if (outcomes.back().result.cancelled || ctx.cancelled()) break;
    }
    return outcomes;
  }

  // The groups' report, proposals and edits into `out` (keeping the spend plan's metrics).
  void assemble(ConsolidateResult& out, const std::vector<GroupOutcome>& outcomes, std::vector<std::string> notes,
                const std::string& project) const {
    const auto plan_metrics = out.report.metrics;
    out.report = build_report(outcomes, s_);
    for (const auto& [k, v] : plan_metrics) out.report.metrics[k] = v;
    for (const auto& go : outcomes) {
      for (auto& p : build_proposals(go, s_, project, notes)) out.proposals.push_back(std::move(p));
      for (const auto* list : {&go.result.accepted, &go.result.rejected, &go.result.unmatched})
        for (const auto& e : *list) {
          Edit x = e;
          if (list == &go.result.accepted) x.status = EditStatus::kApplied;
          out.edits.push_back(std::move(x));
        }
    }
    for (auto& n : notes) out.report.notes.push_back(n);
    out.report.counts["proposals"] = static_cast<std::int64_t>(out.proposals.size());
  }

  bool ready(Context& ctx, Backend*& replay, Backend*& optimizer, std::string& why) const {
    if (s_.backend.empty()) {
      why = "no `backend` is configured for it.";
      return false;
    }
    replay = ctx.backend(s_.backend);
    if (!replay) {
      why = "backend '" + s_.backend + "' is not defined in this pipeline.";
      return false;
    }
    std::string detail;
    if (!replay->available(&detail)) {
      why = "backend '" + s_.backend + "' is not available" + (detail.empty() ? "." : " (" + detail + ").");
      return false;
    }
    const std::string opt_id = s_.optimizer_backend.empty() ? s_.backend : s_.optimizer_backend;
    optimizer = ctx.backend(opt_id);
    if (!optimizer) {
      why = "optimizer backend '" + opt_id + "' is not defined in this pipeline.";
      return false;
    }
    detail.clear();
    if (optimizer != replay && !optimizer->available(&detail)) {
      why = "optimizer backend '" + opt_id + "' is not available" + (detail.empty() ? "." : " (" + detail + ").");
      return false;
    }
    if (!ctx.evaluator()) {
      why = "the host offers no evaluation service.";
      return false;
    }
    if (ctx.input_judges().empty()) {
      why = "no judge stage is among its inputs, so replays cannot be scored.";
      return false;
    }
    return true;
  }

  // This project's earlier nights' reports, oldest first ({} without a store or on error).
  static std::vector<NightReport> past_reports(Context& ctx, const std::string& project) {
    Store* store = ctx.store();
    if (!store) return {};
    try {
      return store->past_reports(project);
    } catch (const std::exception& e) {
      ctx.logger().warn("cannot read earlier nights' reports: {}", e.what());
      return {};
    }
  }

  // Contents of edits the gate rejected on earlier nights, newest last. Carried edits are not
  // rejections: they are re-tested, not shown to the optimizer as failures.
  std::vector<std::string> rejected_before(const std::vector<NightReport>& past) const {
    std::vector<std::string> out;
    if (s_.max_rejected == 0) return out;
    std::set<std::string> seen;
    for (auto it = past.rbegin(); it != past.rend() && static_cast<int>(out.size()) < s_.max_rejected; ++it)
      for (const auto& e : it->rejected_edits)
        if (e.status != EditStatus::kCarried && !e.content.empty() &&
            seen.insert(normalize_for_match(e.content)).second)
          out.push_back(e.content);
    std::reverse(out.begin(), out.end());
    return out;
  }

  // The carried edits' evidence goes to the store only once the night's output is durable.
  void finish(Context& ctx) override {
    if (!pending_ledger_ || !ctx.store()) return;
    ctx.store()->put_state(ledger_key(ctx.stage_id()), ledger_to_json(*pending_ledger_));
    pending_ledger_.reset();
  }

  // The ledger of the latest night's carried evidence ({} when absent or unreadable: the
  // evidence then restarts, which is conservative).
  static CarryLedger load_ledger(Context& ctx) {
    Store* store = ctx.store();
    if (!store) return {};
    const auto text = store->get_state(ledger_key(ctx.stage_id()));
    if (!text) return {};
    try {
      return ledger_from_json(*text);
    } catch (const std::exception& e) {
      ctx.logger().warn("{}; carried edits are re-tested on tonight's evidence only", e.what());
      return {};
    }
  }

  // The edits the latest night carried, with how many consecutive nights carried each and the
  // evidence they gathered.
  static std::vector<CarriedEdit> carried_before(Context& ctx, const std::vector<NightReport>& past) {
    std::vector<CarriedEdit> out;
    if (past.empty()) return out;
    auto carried_in = [](const NightReport& r, const Edit& e) {
      for (const auto& x : r.rejected_edits)
        if (x.status == EditStatus::kCarried && x.target == e.target &&
            normalize_for_match(x.content) == normalize_for_match(e.content))
          return true;
      return false;
    };
    for (const auto& e : past.back().rejected_edits) {
      if (e.status != EditStatus::kCarried) continue;
      int looks = 1;
      for (auto it = past.rbegin() + 1; it != past.rend() && carried_in(*it, e); ++it) ++looks;
      out.push_back({e, looks, {}});
    }
    if (out.empty()) return out;
    const CarryLedger ledger = load_ledger(ctx);
    for (auto& c : out)
      if (auto prior = prior_for(ledger, past.back().night_id, c.edit)) c.prior = std::move(*prior);
    return out;
  }

  // An optimizer that cannot answer fails the stage (exit 1) instead of ending as an empty
  // night; replays and usable replies are kept, so running the command again resumes.
  static void fail_if_the_optimizer_failed(const std::vector<GroupOutcome>& outcomes, const std::string& optimizer) {
    std::vector<std::string> why;
    for (const auto& go : outcomes)
      if (go.result.action == GateAction::kFailed) why.push_back(go.group.name + ": " + go.result.reason);
    if (why.empty()) return;
    throw Error("the optimizer " + optimizer + " failed, so the night cannot propose anything (" + join(why, "; ") +
                "). Check the optimizer backend (optimizer_backend, else backend) and run the same command "
                "again; finished replays are not repeated.");
  }

  Settings s_;
  std::optional<CarryLedger> pending_ledger_;  // tonight's carried evidence, written by finish()
};

}  // namespace
}  // namespace skillpipe

SKILLPIPE_PLUGIN(skillpipe::StageKind::kConsolidator, "1.0.0",
                 "Reflects on replay failures, proposes bounded skill/memory edits, keeps them only if they beat "
                 "the baseline on val",
                 skillpipe::consolidate_reflect::kSchemaJson,
                 [] { return std::unique_ptr<skillpipe::StageBase>(new skillpipe::ConsolidateReflect); });
