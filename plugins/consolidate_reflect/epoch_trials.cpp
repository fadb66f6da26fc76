// epoch_trials.cpp - one document's step of a night: reflect on the train evidence, merge
// the edits carried from earlier nights, apply, replay the gate set, and act on the gate's
// decision (keep; prune riders of an accepted batch; salvage a rejected batch edit by edit;
// carry a promising edit or reject it).
#include <algorithm>

#include "epoch.hpp"
#include "epoch_state.hpp"
#include "skillpipe/kit/util.hpp"
#include "text_util.hpp"
#include "train_evidence.hpp"

namespace skillpipe::consolidate_reflect {

bool Epoch::evolve(EpochState& st, const DocTrial& t) {
  EpochResult& r = st.r;
  if (t.is_skill ? !st.spec.evolve_skill : !st.spec.evolve_memory) return true;
  if (ctx_.cancelled()) {
    r.cancelled = true;
    return false;
  }
  if (!t.is_skill && !r.accepted_skill.empty()) {
    st.train = eval_.run(st.sp.train, st.skill, st.memory, "train:post_skill", "train", s_.rollouts_k);
    if (budget_stop(st, st.train.raw.budget_stopped, "while replaying the train tasks under the new skill"))
      return false;
  }
  std::vector<Edit> edits;
  bool skip = false;
  if (!propose(st, t, edits, skip)) return false;
  if (skip) return true;
  const ApplyResult ar = apply_edits(t.doc(st), edits, st.spec.apply);
  if (!ar.error.empty())
    r.notes.push_back(t.doc_name + ": skillpipe's markers are damaged (" + ar.error +
                      "); no edit was applied. Fix or remove the markers by hand.");
  std::vector<Edit> applied;
  for (std::size_t i = 0; i < ar.edits.size(); ++i) {
    Edit e = ar.edits[i];
    e.document = t.doc_name;
    if (!ar.why[i].empty())
      r.notes.push_back(t.doc_name + ": the " + to_string(e.op) + " edit was not applied (" + to_string(e.status) +
                        "): " + ar.why[i]);
    (e.status == EditStatus::kApplied ? applied : r.unmatched).push_back(std::move(e));
  }
  if (applied.empty()) return true;
  st.any_applied = true;
  return test_batch(st, t, ar.text, applied);
}

// Tonight's proposals for the document: the reflection's edits plus the edits carried from
// earlier nights (each once). `skip`: no train failure and nothing carried.
bool Epoch::propose(EpochState& st, const DocTrial& t, std::vector<Edit>& edits, bool& skip) {
  EpochResult& r = st.r;
  TrainEvidence col = collect_evidence(st.sp.train, st.train, st.spec.tasks, s_.gate, s_.rollouts_k);
  if (col.unscored > 0)
    r.notes.push_back(std::to_string(col.unscored) + " train task(s) could not be replayed and were left out of the " +
                      t.name + " reflection");
  r.metrics["train.failures." + t.name] = static_cast<double>(col.failed.size());
  if (t.is_skill) {
    TriggerExamples ex = trigger_examples(st.sp.train, st.train.raw.replays, st.spec.skill.name);
    if (ex.stats.agentic > 0 && ex.stats.should > 0) col.evidence.triggering = std::move(ex);
  }
  edits = carried_for(t);
  skip = col.failed.empty() && edits.empty();
  if (skip) return true;
  ReflectOutcome ro;
  if (!col.failed.empty()) {
    st.any_failures = true;
    ro = reflector_.reflect(prompt_for(st, t, std::move(col.evidence)), tags_of(col.failed),
                            st.skill + "\n\n" + st.memory);
  }
  for (auto& n : ro.notes) r.notes.push_back(n);
  if (ro.failed) r.reflect_errors.push_back(t.name + " reflection: " + (ro.notes.empty() ? "failed" : ro.notes.back()));
  if (budget_stop(st, ro.budget_stopped, "during the " + t.name + " reflection")) return false;
  int repeated = 0;
  for (const auto& e : ro.edits)
    for (const auto& old : rejected_before_)
      if (normalize_for_match(old) == normalize_for_match(e.content)) ++repeated;
  if (repeated)
    r.notes.push_back(std::to_string(repeated) + " " + t.name +
                      " edit(s) repeat an edit the gate rejected on an earlier night");
  if (!edits.empty())
    r.notes.push_back(std::to_string(edits.size()) + " " + t.name +
                      " edit(s) carried from an earlier night are re-tested on tonight's samples");
  for (auto& e : ro.edits)  // the optimizer may propose a carried edit again: test it once
    if (std::none_of(edits.begin(), edits.end(), [&](const Edit& c) {
          return normalize_for_match(c.content) == normalize_for_match(e.content);
        }))
      edits.push_back(std::move(e));
  return true;
}

// Earlier nights' promising edits for this document, proposed again.
std::vector<Edit> Epoch::carried_for(const DocTrial& t) const {
  std::vector<Edit> out;
  for (const auto& c : carried_)
    if (c.edit.target == t.target && (c.edit.document.empty() || c.edit.document == t.doc_name)) {
      out.push_back(c.edit);
      out.back().status = EditStatus::kProposed;
    }
  return out;
}

PromptInput Epoch::prompt_for(const EpochState& st, const DocTrial& t, Evidence evidence) const {
  PromptInput in;
  in.target = t.target;
  in.document = t.is_skill ? st.skill : st.memory;
  in.evidence = std::move(evidence);
  in.rejected = rejected_before_;
  for (const auto& x : st.rejected_tonight) in.rejected.push_back(x);
  if (static_cast<int>(in.rejected.size()) > s_.max_rejected)
    in.rejected.erase(in.rejected.begin(), in.rejected.end() - s_.max_rejected);
  in.preferences = s_.preferences;
  in.edit_budget = s_.edit_budget;
  in.max_edit_chars = s_.bounds.max_edit_chars;
  in.max_failures = s_.max_failures;
  in.max_successes = s_.max_successes;
  in.excerpt_chars = s_.excerpt_chars;
  return in;
}

// The applied batch on the gate set, and what the decision does with it.
bool Epoch::test_batch(EpochState& st, const DocTrial& t, const std::string& text, const std::vector<Edit>& applied) {
  Scored trial = replay_gate_set(st, t.skill_with(st, text), t.memory_with(st, text), "trial:" + t.name, "trial");
  if (budget_stop(st, trial.raw.budget_stopped, "during the " + t.name + " trial")) return false;
  GateDecision d = decide(st.current, trial.results, s_.gate, next_alpha(looks_of(applied)), prior_of(applied));
  veto_on_triggers(st.trigger_current, st, d);
  st.r.trials.push_back({t.name, static_cast<int>(applied.size()), d.baseline, d.candidate, d.accept, d.reason});
  st.last_candidate = mean_score(trial.results, s_.gate);
  st.last_decision = d;
  if (d.accept && s_.prune_edits && applied.size() > 1) return prune(st, t, text, std::move(trial), applied);
  if (d.accept) {
    keep(st, t, text, trial, applied);
    return true;
  }
  if (!(s_.salvage_edits && applied.size() > 1)) {
    for (const auto& e : applied) carry_or_reject(st, e, d, applied.size() == 1);
    return true;
  }
  return salvage(st, t, applied);
}

// Leave-one-out: an edit the val score does not need (a rule riding along with a good one) is
// dropped. "Needed" = the batch is strictly better with it than without it. What is left is
// kept only if the gate accepts it on its own replay at the batch's level (no regression
// included, which leave-one-out does not look at); otherwise the tested batch is kept whole.
// Either way something is kept only when the batch passed, so the second test spends no alpha.
bool Epoch::prune(EpochState& st, const DocTrial& t, const std::string& text, Scored batch,
                  const std::vector<Edit>& applied) {
  const GateDecision batch_d = st.last_decision;
  Pruning p{text, batch, applied, {}};
  if (!leave_one_out(st, t, p)) return false;
  if (p.dropped.empty()) {
    keep(st, t, text, batch, applied);
    return true;
  }
  st.trigger_candidate = trigger_stats(st.gate_set, p.scores.raw.replays, st.spec.skill.name);
  GateDecision d = decide(st.current, p.scores.results, s_.gate, batch_d.alpha, prior_of(p.kept));
  veto_on_triggers(st.trigger_current, st, d);
  st.r.trials.push_back({t.name + " (after pruning)", static_cast<int>(p.kept.size()), d.baseline, d.candidate,
                         d.accept, d.reason});
  if (!d.accept) {
    st.r.notes.push_back("pruning left " + std::to_string(p.kept.size()) + " of " + std::to_string(applied.size()) +
                         " " + t.name + " edits, which the gate does not accept on their own (" + d.reason +
                         "); the tested batch is kept whole");
    st.trigger_candidate = trigger_stats(st.gate_set, batch.raw.replays, st.spec.skill.name);
    keep(st, t, text, batch, applied);
    return true;
  }
  for (auto& [e, why] : p.dropped) {
    st.r.notes.push_back("pruned " + t.name + " edit \"" + excerpt(e.content, 80) + "\": val does not need it (" +
                         why + ")");
    reject(st, e, RejectionReason::kNotNeeded, "the kept " + t.name + " edits score as well without it (" + why + ")");
  }
  st.last_candidate = mean_score(p.scores.results, s_.gate);
  st.last_decision = d;
  keep(st, t, p.text, p.scores, p.kept);
  return true;
}

// Drops, one at a time, each edit the kept set scores as well without (false: the budget ran out).
bool Epoch::leave_one_out(EpochState& st, const DocTrial& t, Pruning& p) {
  GateConfig plain = s_.gate;
  plain.no_regression = false;
  plain.mode = "strict";
  plain.min_effect = 0;
  const std::string doc = t.doc(st);
  for (std::size_t i = 0; i < p.kept.size() && p.kept.size() > 1;) {
    std::vector<Edit> others;
    for (std::size_t k = 0; k < p.kept.size(); ++k)
      if (k != i) {
        others.push_back(p.kept[k]);
        others.back().status = EditStatus::kProposed;
      }
    const ApplyResult without = apply_edits(doc, others, st.spec.apply);
    if (without.applied != static_cast<int>(others.size())) {
      ++i;
      continue;
    }
    Scored sc = replay_gate_set(st, t.skill_with(st, without.text), t.memory_with(st, without.text),
                                "prune:" + t.name + ":without" + std::to_string(i + 1), "trial");
    if (budget_stop(st, sc.raw.budget_stopped, "while pruning " + t.name + " edits")) return false;
    const GateDecision needed = decide(sc.results, p.scores.results, plain);
    if (needed.accept) {
      ++i;
      continue;
    }
    p.dropped.emplace_back(p.kept[i], needed.reason);
    p.kept.erase(p.kept.begin() + static_cast<long>(i));
    p.text = without.text;
    p.scores = std::move(sc);
  }
  return true;
}

// A batch can fail because of one bad edit: try each alone, on top of what is kept so far.
bool Epoch::salvage(EpochState& st, const DocTrial& t, const std::vector<Edit>& applied) {
  for (std::size_t i = 0; i < applied.size(); ++i) {
    Edit one = applied[i];
    one.status = EditStatus::kProposed;
    const ApplyResult a1 = apply_edits(t.doc(st), {one}, st.spec.apply);
    if (a1.applied == 0) {
      reject(st, applied[i], RejectionReason::kDoesNotApply,
             "tried alone after its batch was rejected, it no longer applies to the " + t.name + " document");
      continue;
    }
    const std::string label = t.name + ":edit" + std::to_string(i + 1);
    Scored t1 = replay_gate_set(st, t.skill_with(st, a1.text), t.memory_with(st, a1.text), "trial:" + label, "trial");
    if (budget_stop(st, t1.raw.budget_stopped, "while trying " + t.name + " edits one by one")) return false;
    GateDecision d1 =
        decide(st.current, t1.results, s_.gate, next_alpha(looks_of({applied[i]})), prior_of({applied[i]}));
    veto_on_triggers(st.trigger_current, st, d1);
    st.r.trials.push_back({t.name + " (edit " + std::to_string(i + 1) + " alone)", 1, d1.baseline, d1.candidate,
                           d1.accept, d1.reason});
    st.last_candidate = mean_score(t1.results, s_.gate);
    st.last_decision = d1;
    if (d1.accept)
      keep(st, t, a1.text, t1, {applied[i]});
    else
      carry_or_reject(st, applied[i], d1, true);
  }
  return true;
}

void Epoch::keep(EpochState& st, const DocTrial& t, const std::string& text, const Scored& sc,
                 const std::vector<Edit>& edits) {
  st.significance = st.last_decision;
  t.doc(st) = text;
  st.current = sc.results;
  st.trigger_current = trigger_stats(st.gate_set, sc.raw.replays, st.spec.skill.name);
  st.any_accepted = true;
  for (const auto& e : edits) (t.is_skill ? st.r.accepted_skill : st.r.accepted_memory).push_back(e);
}

void Epoch::reject(EpochState& st, Edit e, RejectionReason why, std::string detail) {
  e.status = EditStatus::kRejected;
  e.rejection = why;
  e.rejection_detail = std::move(detail);
  st.rejected_tonight.push_back(e.content);
  st.r.rejected.push_back(std::move(e));
}

// Promising but not yet significant: re-test next night, unless it was carried long enough.
// Its evidence goes along: the earlier nights' strata, plus tonight's when it was tested alone
// (a batch's samples measure the batch, not this edit).
void Epoch::carry_or_reject(EpochState& st, const Edit& e, const GateDecision& d, bool alone) {
  if (!d.promising || looks_of({e}) >= s_.carry_nights) return reject(st, e, d.why, d.reason);
  LedgerEntry evidence{e.target, e.content, 0, {}};
  if (const PriorEvidence* prior = prior_of({e})) {
    evidence.strata = prior->strata;
    evidence.nights = prior->nights;
  }
  if (alone) {
    evidence.strata.insert(evidence.strata.end(), d.strata.begin(), d.strata.end());
    ++evidence.nights;
  }
  st.r.ledger.push_back(std::move(evidence));
  Edit c = e;
  c.status = EditStatus::kCarried;
  c.rejection = d.why;  // why it is not kept yet: too few tasks or not yet significant
  c.rejection_detail = d.reason;
  st.r.carried.push_back(std::move(c));
}

}  // namespace skillpipe::consolidate_reflect
