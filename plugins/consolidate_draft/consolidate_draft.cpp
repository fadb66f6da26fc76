// consolidate_draft - the offline consolidator: ready patterns become reviewed skill drafts.
//
// It is what a night does without an LLM key: take mine_patterns' ready patterns, draft a
// SKILL.md (or an append to a matching existing skill) from their evidence, run the safety
// review, and hand the drafts to the store for staging ("draft", or "quarantined" with the
// reasons). Drafts are never replayed or gated; the notes say so, and say the night ran
// offline only when the pipeline's replay backend (`replay_backend`) cannot replay. It also runs the skill lifecycle (lifecycle.hpp): profiles, decay, archiving.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "draft_state.hpp"
#include "drafter.hpp"
#include "lifecycle.hpp"
#include "pattern_view.hpp"
#include "skillpipe/backend.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/plugin.hpp"
#include "skillpipe/store.hpp"

namespace skillpipe {
namespace {

const char* const kSchemaJson = R"({
  "$schema": "http://json-schema.org/draft-04/schema#",
  "title": "consolidate_draft",
  "description": "Offline consolidator: drafts skills from ready patterns, safety-reviews them, runs the skill lifecycle.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "targets": {"type": "array", "minItems": 1, "uniqueItems": true,
      "items": {"enum": ["claude_skill", "codex_skill"]},
      "description": "Where drafts are proposed (default: the pattern's agents). Without it, a pattern gets one draft per agent whose sessions succeeded at it: claude_skill for Claude Code, codex_skill for Codex."},
    "claude_skill_roots": {"type": "array", "items": {"type": "string"},
      "description": "Claude Code skill roots, \"{project}\" = the night's project (default [~/.claude/skills, {project}/.claude/skills])."},
    "codex_skill_roots": {"type": "array", "items": {"type": "string"},
      "description": "Codex skill roots (default [~/.agents/skills, {project}/.agents/skills])."},
    "scope": {"default": "project", "enum": ["project", "user"],
      "description": "Where a new skill goes when all of its sessions ran in the night's project: the project's skill root (default) or the user's. Patterns from other or several projects always go to the user's root."},
    "backend": {"default": null, "type": "string",
      "description": "Backend id for an LLM drafter; without it (or when unavailable) drafts come from the template."},
    "replay_backend": {"default": null, "type": "string",
      "description": "Backend id the pipeline's replay-and-gate stage replays on (nightly: target). The notes say the night ran offline only when it is unavailable; without it they say this pipeline has no replay-and-gate stage."},
    "max_drafts": {"type": "integer", "minimum": 0,
      "description": "Patterns drafted per night (default 5); the rest wait for the next night."},
    "match_threshold": {"type": "number", "minimum": 0, "maximum": 1,
      "description": "Share of a pattern's label words an existing skill must contain to be appended to (default 0.6)."},
    "quarantine_severity": {"enum": ["low", "medium", "high"],
      "description": "Safety findings at or above this severity quarantine a draft (default medium)."},
    "max_skill_bytes": {"type": "integer", "minimum": 256,
      "description": "Size limit of a drafted SKILL.md (default 32768)."},
    "max_skill_lines": {"type": "integer", "minimum": 10,
      "description": "Line limit of a drafted SKILL.md (default 800)."},
    "lifecycle": {"default": {}, 
      "type": "object", "additionalProperties": false,
      "description": "Skill profiles and archiving of unused evolved skills.",
      "properties": {
        "enabled": {"type": "boolean", "description": "Track skills and run transitions (default true)."},
        "half_life_days": {"type": "number", "minimum": 0.1, "description": "Retention half-life (default 14)."},
        "cold_after_days": {"type": "number", "minimum": 0, "description": "Idle days before an evolved skill may go cold (default 30)."},
        "archive_after_days": {"type": "number", "minimum": 0, "description": "Idle days before a cold skill may be archived (default 60)."},
        "cold_score": {"type": "number", "minimum": 0, "maximum": 1, "description": "Retention below which it goes cold (default 0.3)."},
        "archive_score": {"type": "number", "minimum": 0, "maximum": 1, "description": "Retention below which it is archived (default 0.1)."},
        "archive": {"type": "boolean", "description": "Remove a skill the lifecycle archives from the agent's skill root during the night, its text saved in the store first (default false: the night only reports it). The removal does not go through adoption, so skillpipe rollback cannot undo it; the night's note gives the command that restores it."}
      }
    }
  }
})";

constexpr const char* kHowToEnable =
    "To enable the full replay-and-gate cycle, set ANTHROPIC_API_KEY or OPENAI_API_KEY (or OPENAI_BASE_URL) and "
    "run `skillpipe run nightly` again (see README.md).";

// What the night did besides drafting, as far as this stage can know it: whether the
// pipeline's replay backend (the one its replay-and-gate stage uses) can replay at all.
// The drafts themselves are never replayed or gated; their proposals say so.
std::string cycle_note(Context& ctx, const std::string& replay_backend, std::size_t drafts) {
  const std::string made = drafts == 0 ? "" : "Tonight's " + std::to_string(drafts) + " skill draft(s) come from "
                                                 "your own sessions only and were not replayed or gated. ";
  if (replay_backend.empty())
    return made + "This pipeline has no replay-and-gate stage. " + kHowToEnable;
  Backend* b = ctx.backend(replay_backend);
  std::string why;
  if (b && b->available(&why)) {
    if (drafts == 0) return "";
    return made + "The replay-and-gate stage on backend \"" + replay_backend + "\" measures the mined tasks; its "
           "own notes say what it replayed and decided.";
  }
  return "This night ran offline (backend \"" + replay_backend + "\": " + (why.empty() ? "not configured" : why) +
         "): patterns and skill drafts come from your own sessions only; nothing was replayed or gated. " +
         kHowToEnable;
}

class ConsolidateDraft final : public Consolidator {
 public:
  void configure(const Config& c, Context& ctx) override {
    if (c.has("targets")) s_.targets = targets::targets_from_config(c, "targets");
    if (c.has("claude_skill_roots")) s_.roots.roots[Agent::kClaude] = c.get_string_list("claude_skill_roots");
    if (c.has("codex_skill_roots")) s_.roots.roots[Agent::kCodex] = c.get_string_list("codex_skill_roots");
    s_.scope = c.get_string("scope", "project");
    backend_id_ = c.get_string("backend", "");
    replay_backend_ = c.get_string("replay_backend", "");
    max_drafts_ = static_cast<int>(c.get_int("max_drafts", 5));
    s_.match_threshold = c.get_double("match_threshold", 0.6);
    s_.quarantine_severity = c.get_string("quarantine_severity", "medium");
    s_.safety.max_bytes = static_cast<std::size_t>(c.get_int("max_skill_bytes", 32768));
    s_.safety.max_lines = static_cast<std::size_t>(c.get_int("max_skill_lines", 800));
    const Config lc = c.get_object("lifecycle");
    life_.enabled = lc.get_bool("enabled", true);
    life_.half_life_days = lc.get_double("half_life_days", 14);
    life_.cold_after_days = lc.get_double("cold_after_days", 30);
    life_.archive_after_days = lc.get_double("archive_after_days", 60);
    life_.cold_score = lc.get_double("cold_score", 0.3);
    life_.archive_score = lc.get_double("archive_score", 0.1);
    life_.archive = lc.get_bool("archive", false);
    if (life_.archive_after_days < life_.cold_after_days)
      throw ConfigError("lifecycle.archive_after_days must not be less than cold_after_days",
                        "/lifecycle/archive_after_days");
    if (!backend_id_.empty() && !ctx.backend(backend_id_))
      throw ConfigError("backend \"" + backend_id_ + "\" is not defined in the pipeline", "/backend");
    if (!replay_backend_.empty() && !ctx.backend(replay_backend_))
      throw ConfigError("replay_backend \"" + replay_backend_ + "\" is not defined in the pipeline",
                        "/replay_backend");
  }

  ConsolidateResult consolidate(const ConsolidateInput& in, Context& ctx) override {
    ConsolidateResult res;
    NightReport& rep = res.report;
    Store* store = ctx.store();
    const std::string project = ctx.run().project;
    const std::string night = store ? store->night().night_id : ctx.run().night_id;
    rep.gate_action = GateAction::kOffline;
    rep.attrs["mode"] = "offline";

    Backend* llm = pick_backend(ctx, rep);
    consolidate_draft::DraftState state = load_drafts(store, rep);
    std::map<Target, std::vector<consolidate_draft::ExistingSkill>> catalog;
    for (const auto& t : all_targets()) catalog[t] = consolidate_draft::scan_skills(s_.roots, t, project);

    std::vector<consolidate_draft::PatternView> patterns;
    for (const auto& t : in.tasks) {
      consolidate_draft::PatternView p;
      std::string why;
      if (consolidate_draft::read_pattern(t, p, &why)) patterns.push_back(std::move(p));
    }
    consolidate_draft::NameClaims claims;
    int ready = 0, drafted = 0, quarantined = 0, not_ready_noted = 0, not_ready = 0;
    for (const auto& p : patterns) {
      if (ctx.cancelled()) break;
      if (!p.ready) {
        ++not_ready;
        if (not_ready_noted++ < 15)
          rep.notes.push_back("pattern `" + p.label + "` (" + p.id + "): not ready: " + p.readiness);
        continue;
      }
      ++ready;
      consolidate_draft::DraftRecord* prev = state.find(p.id);
      if (held_back(p, prev, night, drafted, rep)) continue;
      consolidate_draft::PatternDraft d = consolidate_draft::draft_pattern(p, s_, catalog, llm, project, night, prev, claims, ctx);
      rep.notes.insert(rep.notes.end(), d.notes.begin(), d.notes.end());
      if (d.record.targets.empty()) continue;  // nothing drafted (no root, or it waits): not remembered
      ++drafted;
      rep.tokens += d.usage;
      rep.cost_usd += d.cost_usd;
      rep.llm_calls += d.llm_calls;
      rep.cached_calls += d.cached_calls;
      for (auto& prop : d.proposals) {
        quarantined += prop.status == ProposalStatus::kQuarantined;
        res.proposals.push_back(std::move(prop));
      }
      if (prev)
        *prev = d.record;
      else
        state.drafts.push_back(d.record);
    }
    if (not_ready_noted > 15)
      rep.notes.push_back("… and " + std::to_string(not_ready_noted - 15) + " more patterns not ready");
    if (store) store->put_state(consolidate_draft::kDraftsKey, consolidate_draft::drafts_to_json(state));

    rep.counts["patterns_seen"] = static_cast<std::int64_t>(patterns.size());
    rep.counts["patterns_ready"] = ready;
    rep.counts["drafts"] = static_cast<std::int64_t>(res.proposals.size());
    rep.counts["drafts_quarantined"] = quarantined;
    summarize(in, patterns, ready, not_ready, res, rep);

    if (store && life_.enabled) run_lifecycle(*store, in, state, catalog, ctx, rep);
    if (auto n = cycle_note(ctx, replay_backend_, res.proposals.size()); !n.empty()) rep.notes.push_back(n);
    return res;
  }

 private:
  // A ready pattern not drafted tonight: drafted before from the same evidence, or over
  // max_drafts. Says why in the report.
  bool held_back(const consolidate_draft::PatternView& p, const consolidate_draft::DraftRecord* prev,
                 const std::string& night, int drafted, NightReport& rep) const {
    const std::string who = "pattern `" + p.label + "` (" + p.id + "): ";
    if (prev && prev->evidence_sig == p.evidence_sig && prev->night != night) {
      if (prev->status == ProposalStatus::kQuarantined) {
        rep.notes.push_back(who + "its draft was quarantined on night " + prev->night +
                            "; not drafted again until new evidence arrives");
        ++rep.counts["drafts_held_in_quarantine"];
      } else {
        rep.notes.push_back(who + "already drafted on night " + prev->night +
                            " with the same evidence; adopt it from that night if you want it");
        ++rep.counts["drafts_unchanged"];
      }
      return true;
    }
    if (drafted < max_drafts_) return false;
    rep.notes.push_back(who + "ready, deferred (max_drafts = " + std::to_string(max_drafts_) + " per night)");
    ++rep.counts["drafts_deferred"];
    return true;
  }

  // The skill folders the lifecycle watches (the agents drafts can target).
  std::vector<Target> all_targets() const { return {{Agent::kClaude, DocKind::kSkill}, {Agent::kCodex, DocKind::kSkill}}; }

  Backend* pick_backend(Context& ctx, NightReport& rep) {
    if (backend_id_.empty()) return nullptr;
    Backend* b = ctx.backend(backend_id_);
    std::string why;
    if (!b || !b->available(&why)) {
      rep.notes.push_back("LLM drafter: backend \"" + backend_id_ + "\" is not available (" +
                          (why.empty() ? "not configured" : why) + "); drafts come from the template");
      return nullptr;
    }
    rep.attrs["drafter"] = b->identity();
    return b;
  }

  consolidate_draft::DraftState load_drafts(Store* store, NightReport& rep) {
    if (!store) return {};
    const auto text = store->get_state(consolidate_draft::kDraftsKey);
    if (!text || text->empty()) return {};
    try {
      return consolidate_draft::parse_drafts(*text);
    } catch (const Error& e) {
      store->put_state(std::string(consolidate_draft::kDraftsKey) + ".corrupt", *text);
      rep.notes.push_back(std::string(e.what()) + "; draft history starts over (the old state is kept)");
      return {};
    }
  }

  void summarize(const ConsolidateInput& in, const std::vector<consolidate_draft::PatternView>& patterns, int ready,
                 int not_ready, const ConsolidateResult& res, NightReport& rep) {
    char buf[256];
    if (patterns.empty()) {
      std::snprintf(buf, sizeof buf, "%zu sessions, %zu tasks: no recurring successful work found yet",
                    in.digests->size(), in.tasks.size());
      rep.gate_reason = std::string("offline: ") + buf;
      rep.notes.insert(rep.notes.begin(),
                       "No skill drafts tonight: no pattern of similar, successful sessions was found yet. A pattern "
                       "needs repeated sessions with the same kind of request that ended well (praise at the end, or "
                       "a clean finish with few tool errors).");
      return;
    }
    // The thresholds the miner judged readiness against (its defaults when unknown).
    PatternInfo thresholds;
    thresholds.min_successes = 2;
    thresholds.min_success_ratio = 0.7;
    for (const auto& t : in.tasks)
      if (t.pattern && t.pattern->min_successes > 0) {
        thresholds = *t.pattern;
        break;
      }
    char ratio[32];
    std::snprintf(ratio, sizeof ratio, "%.2f", thresholds.min_success_ratio);
    std::snprintf(buf, sizeof buf, "%d ready of %zu patterns, %zu draft(s) for review (no replay, no gate)", ready,
                  patterns.size(), res.proposals.size());
    rep.gate_reason = std::string("offline: ") + buf;
    if (ready == 0) {
      rep.notes.insert(rep.notes.begin(), "No skill drafts tonight: " + std::to_string(not_ready) +
                                              (not_ready == 1 ? " pattern is" : " patterns are") +
                                              " not ready. A pattern is ready with at least " +
                                              std::to_string(thresholds.min_successes) +
                                              " successful sessions and a success ratio of at least " +
                                              ratio + "; the reasons per pattern follow.");
    } else if (!res.proposals.empty()) {
      rep.notes.insert(rep.notes.begin(),
                       "Review tonight's drafts with `skillpipe status`; adopt one with `skillpipe adopt --skill NAME "
                       "--allow-unverified` (drafts are not verified by a replay gate). Quarantined drafts list their "
                       "safety findings and cannot be adopted.");
    }
  }

  void run_lifecycle(Store& store, const ConsolidateInput& in, const consolidate_draft::DraftState& state,
                     const std::map<Target, std::vector<consolidate_draft::ExistingSkill>>& catalog, Context& ctx,
                     NightReport& rep) {
    std::vector<consolidate_draft::ExistingSkill> live;
    for (const auto& [t, v] : catalog) live.insert(live.end(), v.begin(), v.end());
    std::vector<consolidate_draft::StagedDraft> staged;
    for (const auto& d : state.drafts)
      for (const auto& t : d.targets) staged.push_back({t.target, t.name, t.sha256, d.night});
    const bool dry = ctx.run().flags.dry_run;
    const auto r = consolidate_draft::run_lifecycle(store, live, all_targets(), *in.digests, staged, life_, dry, ctx);
    rep.notes.insert(rep.notes.end(), r.notes.begin(), r.notes.end());
    for (const auto& [k, v] : r.counts) rep.counts[k] += v;
  }

  consolidate_draft::DraftSettings s_;
  consolidate_draft::Settings life_;
  std::string backend_id_;
  std::string replay_backend_;
  int max_drafts_ = 5;
};

}  // namespace
}  // namespace skillpipe

SKILLPIPE_PLUGIN(skillpipe::StageKind::kConsolidator, "1.0.0",
                 "Offline drafts: skills from ready patterns, safety-reviewed, staged for review; skill lifecycle",
                 skillpipe::kSchemaJson,
                 [] { return std::unique_ptr<skillpipe::StageBase>(new skillpipe::ConsolidateDraft); });
