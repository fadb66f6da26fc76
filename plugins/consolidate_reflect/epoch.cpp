#include "epoch.hpp"

#include <algorithm>
#include <cmath>

#include "epoch_state.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"
#include "text_util.hpp"

namespace skillpipe::consolidate_reflect {
namespace {

// Every replay failed with an error (none was scored): the backend is broken (unreachable,
// refusing, misconfigured), not the documents. That fails the night with the backend's own
// words instead of publishing a night that measured nothing.
void fail_if_backend_broken(const EvalResult& raw) {
  if (raw.budget_stopped) return;
  const std::string* first = nullptr;
  for (const auto& rr : raw.replays) {
    if (rr.task_id.empty()) continue;  // never ran
    if (rr.error.empty()) return;
    if (!first) first = &rr.error;
  }
  if (!first) return;
  throw Error("every replay of the baseline failed, so nothing could be measured; the replay backend said: " +
              *first);
}

// The decision's numbers, for the report (the interval a statistical gate computed, ...).
void record_decision(std::map<std::string, double>& m, const GateDecision& d) {
  if (d.ci) {
    m["gate.ci_low"] = d.ci->low;
    m["gate.ci_high"] = d.ci->high;
    m["gate.mean_delta"] = d.ci->mean;
  }
  if (d.p_value) m["gate.p_value"] = *d.p_value;
  m["gate.effect"] = d.effect.mean;
  m["gate.effect_low"] = d.effect.low;
  m["gate.effect_high"] = d.effect.high;
  m["gate.n"] = d.n;
  if (d.alpha > 0) m["gate.alpha"] = d.alpha;
  m["gate.improved"] = d.improved;
  m["gate.regressed"] = d.regressed;
  m["gate.unchanged"] = d.unchanged;
}

std::vector<TaskDelta> deltas_from(const GateDecision& d, Split split) {
  std::vector<TaskDelta> out;
  for (const auto& ch : d.changes) {
    if (!ch.before || !ch.after) continue;
    out.push_back({ch.task_id, split, *ch.before, *ch.after});
  }
  return out;
}

}  // namespace

EpochResult Epoch::run(const EpochSpec& spec) {
  EpochState st(spec);
  run_phases(st);
  report_triggers(st);
  return std::move(st.r);
}

void Epoch::run_phases(EpochState& st) {
  const EpochSpec& spec = st.spec;
  if (!plan_splits(st) || !score_baseline(st) || !replay_train(st)) return;
  for (const EditTarget target : {EditTarget::kSkill, EditTarget::kMemory}) {
    const bool is_skill = target == EditTarget::kSkill;
    const DocTrial t{target, is_skill, is_skill ? "skill" : "memory", is_skill ? spec.skill.name : spec.memory.name};
    if (!evolve(st, t)) return;
  }
  EpochResult& r = st.r;
  for (const auto& e : r.accepted_skill) r.accepted.push_back(e);
  for (const auto& e : r.accepted_memory) r.accepted.push_back(e);
  if (!r.reflect_errors.empty()) {
    // An optimizer that cannot answer is a failure, never an empty night.
    r.action = GateAction::kFailed;
    r.reason = "the optimizer failed: " + join(r.reflect_errors, "; ");
    return;
  }
  if (!st.any_accepted) {
    finish_rejected(st);
    return;
  }
  if (confirm_final(st)) score_test(st);
}

bool Epoch::budget_stop(EpochState& st, bool stopped, const std::string& when) {
  if (!stopped) return false;
  st.r.action = GateAction::kBudgetStopped;
  st.r.reason = "the budget ran out " + when;
  return true;
}

Scored Epoch::replay_gate_set(EpochState& st, const std::string& skill, const std::string& memory,
                              const std::string& variant, const std::string& phase, int first_sample) {
  Scored sc = eval_.run(st.gate_set, skill, memory, variant, phase, s_.gate.samples, first_sample);
  (variant == "baseline" ? st.trigger_base : st.trigger_candidate) =
      trigger_stats(st.gate_set, sc.raw.replays, st.spec.skill.name);
  return sc;
}

// Agentic replays show whether the gated skill triggers where it should: the gate's decision
// and the report say so next to the scores (metrics trigger.<skill>.{recall,precision,invoked}.
// <side>, side = baseline, candidate, baseline_test, candidate_test).
void Epoch::report_triggers(EpochState& st) {
  const auto& base = st.trigger_base;
  if (!base || base->agentic == 0) return;  // chat replays: nothing to say about triggering
  EpochResult& r = st.r;
  if (base->should == 0) {
    r.notes.push_back("Trigger recall and precision of skill " + base->skill + " were not measured: no " +
                      to_string(st.gate_split) + " task is marked as one it should trigger on (a trigger:" +
                      base->skill + " tag, a cluster with such a task, or a skill hint)");
    return;
  }
  const std::string key = "trigger." + base->skill + ".";
  auto record = [&](const std::optional<TriggerStats>& t, const std::string& side) {
    if (!t || t->agentic == 0) return;
    if (auto v = t->recall()) r.metrics[key + "recall." + side] = *v;
    if (auto v = t->precision()) r.metrics[key + "precision." + side] = *v;
    r.metrics[key + "invoked." + side] = t->triggered + t->false_triggers;
  };
  record(base, "baseline");
  // The held-out split, for reading only: the gate decided on the gate split.
  record(st.trigger_base_test, "baseline_test");
  record(st.trigger_candidate_test, "candidate_test");
  std::string line = "Trigger of skill " + base->skill + " on " + to_string(st.gate_split) + " (agentic replays): " +
                     "baseline " + base->text();
  if (const auto& cand = st.trigger_candidate; cand && cand->agentic > 0) {
    record(cand, "candidate");
    line += "; candidate " + cand->text();
    if (!r.reason.empty()) r.reason += "; trigger " + base->text() + " -> " + cand->text();
  } else if (!r.reason.empty()) {
    r.reason += "; trigger " + base->text();
  }
  r.notes.push_back(line);
}

void Epoch::veto_on_triggers(const std::optional<TriggerStats>& before, const EpochState& st, GateDecision& d) const {
  if (!s_.gate.no_regression || s_.gate.regression != "any" || !before || !st.trigger_candidate) return;
  const std::string why = trigger_regression(*before, *st.trigger_candidate);
  if (why.empty()) return;
  if (!(d.accept || d.promising)) {  // rejected already: the trigger regression is said too
    d.reason += "; also the " + why;
    return;
  }
  d.accept = false;
  d.promising = false;
  d.why = RejectionReason::kTriggerRegression;
  d.reason += "; not accepted: no-regression covers triggering, and the " + why;
}

bool Epoch::plan_splits(EpochState& st) {
  EpochResult& r = st.r;
  r.skill_text = st.spec.skill.text;
  r.memory_text = st.spec.memory.text;
  st.sp = split_tasks(st.spec.tasks);
  Splits& sp = st.sp;
  r.notes = sp.notes;
  r.metrics["tasks.train"] = static_cast<double>(sp.train.size());
  r.metrics["tasks.val"] = static_cast<double>(sp.val.size());
  r.metrics["tasks.test"] = static_cast<double>(sp.test.size());
  if (sp.train.empty() && sp.val.empty()) {
    r.action = GateAction::kNoEdits;
    r.reason = sp.test.empty() ? "no tasks to learn from" : "only test tasks; nothing to learn from";
    return false;
  }
  st.gate_set = sp.val;
  if (!sp.leak.empty()) {
    r.unverified = true;
    if (sp.val.empty()) {
      st.gate_set = sp.train;
      st.gate_split = Split::kTrain;
    }
    r.notes.push_back("Not validated: " + sp.leak + ". The gate ran on " + to_string(st.gate_split) +
                      " as a proxy, so anything it keeps is staged as an unverified suggestion.");
  }
  if (sp.train.empty()) {
    sp.train = sp.val;
    r.unverified = true;
    r.notes.push_back("Not validated: there is no train split, so val doubled as train.");
  }
  return true;
}

bool Epoch::score_baseline(EpochState& st) {
  EpochResult& r = st.r;
  const EpochSpec& spec = st.spec;
  st.base = replay_gate_set(st, spec.skill.text, spec.memory.text, "baseline", "baseline");
  st.trigger_current = st.trigger_base;
  if (budget_stop(st, st.base.raw.budget_stopped, "while scoring the baseline")) return false;
  r.baseline_val = mean_score(st.base.results, s_.gate);
  if (!r.baseline_val) fail_if_backend_broken(st.base.raw);
  if (!r.baseline_val) {
    r.action = GateAction::kReject;
    r.reason = std::string("no ") + to_string(st.gate_split) +
               " task could be scored under the current documents (every replay failed)";
    return false;
  }
  if (!st.sp.test.empty()) {
    st.base_test = eval_.run(st.sp.test, spec.skill.text, spec.memory.text, "baseline_test", "test", s_.gate.samples);
    if (budget_stop(st, st.base_test.raw.budget_stopped, "while scoring the held-out test split")) return false;
    st.trigger_base_test = trigger_stats(st.sp.test, st.base_test.raw.replays, spec.skill.name);
    r.baseline_test = mean_score(st.base_test.results, s_.gate);
  }
  if (s_.evaluate_only) {
    r.candidate_val = r.baseline_val;
    r.candidate_test = r.baseline_test;
    r.action = GateAction::kNoEdits;
    r.reason = "evaluation only";
    return false;
  }
  if (!spec.evolve_skill && !spec.evolve_memory) {
    r.action = GateAction::kNoEdits;
    r.reason = "both documents are frozen (evolve_skill and evolve_memory are false)";
    return false;
  }
  if (ctx_.cancelled()) {
    r.cancelled = true;
    return false;
  }
  return true;
}

// Train replay (reused when it is the same replay the baseline already did).
bool Epoch::replay_train(EpochState& st) {
  const EpochSpec& spec = st.spec;
  const bool same = st.gate_split == Split::kTrain && s_.rollouts_k == s_.gate.samples;
  st.train = same ? st.base
                  : eval_.run(st.sp.train, spec.skill.text, spec.memory.text, "train", "train", s_.rollouts_k);
  if (budget_stop(st, st.train.raw.budget_stopped, "while replaying the train tasks")) return false;
  st.skill = spec.skill.text;
  st.memory = spec.memory.text;
  st.current = st.base.results;
  return true;
}

// Nothing was accepted: the night reports the last decision it made.
void Epoch::finish_rejected(EpochState& st) {
  EpochResult& r = st.r;
  if (!r.carried.empty())
    r.notes.push_back(std::to_string(r.carried.size()) +
                      " promising edit(s) are not yet significant and are carried to the next night");
  r.candidate_val = st.last_candidate;
  r.deltas = deltas_from(st.last_decision, st.gate_split);
  if (st.any_applied) record_decision(r.metrics, st.last_decision);
  if (!st.any_applied) {
    r.action = GateAction::kNoEdits;
    r.reason = !st.any_failures ? "every train task already passes under the current documents"
                                : "no proposed edit changed a document (see the unmatched edits and notes)";
  } else {
    r.action = r.unverified ? GateAction::kRejectUnverified : GateAction::kReject;
    r.reason = st.last_decision.reason;
  }
  r.candidate_test = r.baseline_test;
}

// Final: the candidate pair against the original baseline, on fresh samples. The significance
// was claimed (and its alpha spent) when each edit was accepted; this confirms the pair is
// better and hurts no task. The response cache keys a replay by night, task, sample and
// documents, so samples 0..k-1 of documents a trial replayed tonight would be that trial's own;
// the final replay is scored on samples k..2k-1 instead. With k = 1 (temperature 0) a second
// sample would be drawn at another temperature, so there it stays a re-check of sample 0.
bool Epoch::confirm_final(EpochState& st) {
  EpochResult& r = st.r;
  const GateConfig& gate = s_.gate;
  Scored final_sc;
  if (s_.final_replay) {
    final_sc = replay_gate_set(st, st.skill, st.memory, "final", "final", s_.gate.samples > 1 ? s_.gate.samples : 0);
    if (budget_stop(st, final_sc.raw.budget_stopped, "during the final replay")) return false;
  } else {
    final_sc.results = st.current;
  }
  GateConfig confirm = gate;
  confirm.mode = "strict";
  GateDecision fd = decide(st.base.results, final_sc.results, confirm);
  if (s_.final_replay) veto_on_triggers(st.trigger_base, st, fd);
  r.candidate_val = mean_score(final_sc.results, gate);
  r.deltas = deltas_from(fd, st.gate_split);
  record_decision(r.metrics, fd);
  const auto& sig = st.significance;
  if (sig) {  // the test that accepted, with the level it was held to
    if (sig->ci) {
      r.metrics["gate.ci_low"] = sig->ci->low;
      r.metrics["gate.ci_high"] = sig->ci->high;
    }
    if (sig->p_value) r.metrics["gate.p_value"] = *sig->p_value;
    if (gate.mode == "statistical") r.metrics["gate.alpha"] = sig->alpha;
  }
  if (!fd.accept) {
    for (auto e : r.accepted) {
      e.status = EditStatus::kRejected;
      e.rejection = RejectionReason::kFinalReplay;
      e.rejection_detail = "final replay: " + fd.reason;
      r.rejected.push_back(std::move(e));
    }
    r.accepted.clear();
    r.accepted_skill.clear();
    r.accepted_memory.clear();
    r.skill_text = st.spec.skill.text;
    r.memory_text = st.spec.memory.text;
    r.action = GateAction::kReject;
    r.reason = "final replay: " + fd.reason;
    r.candidate_test = r.baseline_test;
    return false;
  }
  r.skill_text = st.skill;
  r.memory_text = st.memory;
  r.action = r.unverified ? GateAction::kRejectUnverified : GateAction::kAccept;
  r.reason = fd.reason;
  if (sig && gate.mode == "statistical") {
    // Say where significance was claimed; the final replay only confirmed it.
    static const std::string kStrict = "; strict mode: no significance is claimed";
    std::string confirmed = fd.reason;
    if (const auto at = confirmed.find(kStrict); at != std::string::npos) confirmed.erase(at, kStrict.size());
    r.reason = sig->reason + "; confirmed by the final replay: " + confirmed;
  }
  if (r.unverified)
    r.reason =
        "not validated (" + st.sp.leak + "); on the " + to_string(st.gate_split) + " proxy: " + fd.reason;
  return true;
}

// The held-out test split under the documents the night ends with, next to its baseline. It
// decides nothing, so a budget that runs out here leaves the accepted night as it is; only the
// partial test score is not reported (it would cover other tasks than the baseline's).
void Epoch::score_test(EpochState& st) {
  if (st.sp.test.empty()) return;
  Scored after_test = eval_.run(st.sp.test, st.skill, st.memory, "final_test", "test", s_.gate.samples);
  if (after_test.raw.budget_stopped) {
    st.r.candidate_test.reset();
    st.r.notes.push_back("the budget ran out while scoring the held-out test split under the new documents; "
                         "their test score is not reported");
    return;
  }
  st.trigger_candidate_test = trigger_stats(st.sp.test, after_test.raw.replays, st.spec.skill.name);
  st.r.candidate_test = mean_score(after_test.results, s_.gate);
  const GateDecision td = decide(st.base_test.results, after_test.results, s_.gate);
  for (auto& d : deltas_from(td, Split::kTest)) st.r.deltas.push_back(d);
}

double Epoch::next_alpha(int looks) {
  ++candidates_;
  const double alpha = 1 - s_.gate.confidence;
  return std::ldexp(alpha, -candidates_ - std::max(0, looks));
}

int Epoch::looks_of(const std::vector<Edit>& edits) const {
  int looks = 0;
  for (const auto& e : edits)
    for (const auto& c : carried_)
      if (c.edit.target == e.target && normalize_for_match(c.edit.content) == normalize_for_match(e.content))
        looks = std::max(looks, c.looks);
  return looks;
}

const PriorEvidence* Epoch::prior_of(const std::vector<Edit>& edits) const {
  if (edits.size() != 1) return nullptr;
  for (const auto& c : carried_)
    if (c.edit.target == edits[0].target && !c.prior.strata.empty() &&
        normalize_for_match(c.edit.content) == normalize_for_match(edits[0].content))
      return &c.prior;
  return nullptr;
}

}  // namespace skillpipe::consolidate_reflect
