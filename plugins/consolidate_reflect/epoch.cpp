#include "epoch.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"
#include "task_splits.hpp"
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

constexpr std::size_t kMaxContrasts = 6;

std::string tags_of(const std::vector<const TaskRecord*>& tasks) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto* t : tasks)
    for (const auto& tag : t->tags)
      if (seen.insert(tag).second) out.push_back(tag);
  return join(out, ",");
}

const TaskRecord* by_id(const std::vector<TaskRecord>& tasks, const std::string& id) {
  for (const auto& t : tasks)
    if (t.id == id) return &t;
  return nullptr;
}

struct Collected {
  Evidence evidence;
  std::vector<const TaskRecord*> failed;
  int unscored = 0;
};

Collected collect(const std::vector<TaskRecord>& train, const Scored& sc, const std::vector<TaskRecord>& all,
                  const GateConfig& gate, int rollouts) {
  Collected c;
  for (const auto& r : sc.results) {
    const TaskRecord* t = by_id(train, r.task_id);
    if (!t) continue;
    if (!r.scored) {
      ++c.unscored;
      continue;
    }
    if (r.hard < 1.0 - 1e-9) {
      c.failed.push_back(t);
      Evidence::Failure f;
      f.task_id = t->id;
      f.intent = t->intent;
      const int s = first_failing_sample(sc.raw, t->id);
      f.response = response_of(sc.raw, t->id, s);
      f.why = why_failed(sc.raw, t->id, s);
      f.tags = t->tags;
      c.evidence.failures.push_back(std::move(f));
      for (const auto& ts : sc.raw.per_task)
        if (ts.task_id == t->id) add_criteria(c.evidence.criteria, ts.failed_criteria);
    } else {
      c.evidence.successes.push_back({t->intent, response_of(sc.raw, t->id)});
    }
  }
  for (const auto& t : all)
    if (!t.system.empty()) {
      c.evidence.contract = t.system;
      break;
    }
  if (rollouts > 1) {
    struct Spread {
      double spread;
      Evidence::Contrast c;
    };
    std::vector<Spread> spreads;
    for (const auto& t : train) {
      int best = -1, worst = -1;
      double best_s = 0, worst_s = 0;
      for (int k = 0; k < rollouts; ++k) {
        double h = 0, so = 0;
        if (!sample_scores(sc.raw, t.id, k, h, so)) continue;
        const double v = accuracy_score(h, so, gate);
        if (best < 0 || v > best_s) {
          best = k;
          best_s = v;
        }
        if (worst < 0 || v < worst_s) {
          worst = k;
          worst_s = v;
        }
      }
      if (best < 0 || best_s - worst_s <= 1e-9) continue;
      Evidence::Contrast ct{t.intent,
                            response_of(sc.raw, t.id, best),
                            response_of(sc.raw, t.id, worst),
                            why_failed(sc.raw, t.id, worst),
                            best_s,
                            worst_s};
      spreads.push_back({best_s - worst_s, std::move(ct)});
    }
    std::stable_sort(spreads.begin(), spreads.end(),
                     [](const Spread& a, const Spread& b) { return a.spread > b.spread; });
    for (std::size_t i = 0; i < spreads.size() && i < kMaxContrasts; ++i) c.evidence.contrasts.push_back(spreads[i].c);
  }
  return c;
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
  EpochResult r;
  r.skill_text = spec.skill.text;
  r.memory_text = spec.memory.text;
  Splits sp = split_tasks(spec.tasks);
  r.notes = sp.notes;
  const GateConfig& gate = s_.gate;
  r.metrics["tasks.train"] = static_cast<double>(sp.train.size());
  r.metrics["tasks.val"] = static_cast<double>(sp.val.size());
  r.metrics["tasks.test"] = static_cast<double>(sp.test.size());
  if (sp.train.empty() && sp.val.empty()) {
    r.action = GateAction::kNoEdits;
    r.reason = sp.test.empty() ? "no tasks to learn from" : "only test tasks; nothing to learn from";
    return r;
  }
  std::vector<TaskRecord> gate_set = sp.val;
  Split gate_split = Split::kVal;
  if (!sp.leak.empty()) {
    r.unverified = true;
    if (sp.val.empty()) {
      gate_set = sp.train;
      gate_split = Split::kTrain;
    }
    r.notes.push_back("Not validated: " + sp.leak + ". The gate ran on " + to_string(gate_split) +
                      " as a proxy, so anything it keeps is staged as an unverified suggestion.");
  }
  if (sp.train.empty()) {
    sp.train = sp.val;
    r.unverified = true;
    r.notes.push_back("Not validated: there is no train split, so val doubled as train.");
  }

  // Baseline.
  Scored base = eval_.run(gate_set, spec.skill.text, spec.memory.text, "baseline", "baseline", s_.gate.samples);
  if (base.raw.budget_stopped) {
    r.action = GateAction::kBudgetStopped;
    r.reason = "the budget ran out while scoring the baseline";
    return r;
  }
  r.baseline_val = mean_score(base.results, gate);
  if (!r.baseline_val) fail_if_backend_broken(base.raw);
  if (!r.baseline_val) {
    r.action = GateAction::kReject;
    r.reason = std::string("no ") + to_string(gate_split) +
               " task could be scored under the current documents (every replay failed)";
    return r;
  }
  Scored base_test;
  if (!sp.test.empty()) {
    base_test = eval_.run(sp.test, spec.skill.text, spec.memory.text, "baseline_test", "test", s_.gate.samples);
    r.baseline_test = mean_score(base_test.results, gate);
  }
  if (s_.evaluate_only) {
    r.candidate_val = r.baseline_val;
    r.candidate_test = r.baseline_test;
    r.action = GateAction::kNoEdits;
    r.reason = "evaluation only";
    return r;
  }
  if (!spec.evolve_skill && !spec.evolve_memory) {
    r.action = GateAction::kNoEdits;
    r.reason = "both documents are frozen (evolve_skill and evolve_memory are false)";
    return r;
  }
  if (ctx_.cancelled()) {
    r.cancelled = true;
    return r;
  }

  // Train replay (reused when it is the same replay the baseline already did).
  const bool same = gate_split == Split::kTrain && s_.rollouts_k == s_.gate.samples;
  Scored train = same ? base : eval_.run(sp.train, spec.skill.text, spec.memory.text, "train", "train", s_.rollouts_k);
  if (train.raw.budget_stopped) {
    r.action = GateAction::kBudgetStopped;
    r.reason = "the budget ran out while replaying the train tasks";
    return r;
  }

  std::string skill = spec.skill.text, memory = spec.memory.text;
  std::vector<TaskResult> current = base.results;
  std::optional<double> last_candidate;
  GateDecision last_decision;
  std::optional<GateDecision> significance;  // the last accepting trial: where significance was claimed
  bool any_applied = false, any_accepted = false, any_failures = false;
  std::vector<std::string> rejected_tonight;

  for (const EditTarget target : {EditTarget::kSkill, EditTarget::kMemory}) {
    const bool is_skill = target == EditTarget::kSkill;
    if (is_skill ? !spec.evolve_skill : !spec.evolve_memory) continue;
    if (ctx_.cancelled()) {
      r.cancelled = true;
      return r;
    }
    const std::string name = is_skill ? "skill" : "memory";
    const std::string doc_name = is_skill ? spec.skill.name : spec.memory.name;
    if (!is_skill && !r.accepted_skill.empty()) {
      train = eval_.run(sp.train, skill, memory, "train:post_skill", "train", s_.rollouts_k);
      if (train.raw.budget_stopped) {
        r.action = GateAction::kBudgetStopped;
        r.reason = "the budget ran out while replaying the train tasks under the new skill";
        return r;
      }
    }
    Collected col = collect(sp.train, train, spec.tasks, gate, s_.rollouts_k);
    if (col.unscored > 0)
      r.notes.push_back(std::to_string(col.unscored) +
                        " train task(s) could not be replayed and were left out of the " + name + " reflection");
    r.metrics["train.failures." + name] = static_cast<double>(col.failed.size());
    std::vector<Edit> carried_in;  // earlier nights' promising edits for this document
    for (const auto& c : carried_)
      if (c.edit.target == target && (c.edit.document.empty() || c.edit.document == doc_name)) {
        carried_in.push_back(c.edit);
        carried_in.back().status = EditStatus::kProposed;
      }
    if (col.failed.empty() && carried_in.empty()) continue;
    if (!col.failed.empty()) any_failures = true;

    PromptInput in;
    in.target = target;
    in.document = is_skill ? skill : memory;
    in.evidence = std::move(col.evidence);
    in.rejected = rejected_before_;
    for (const auto& x : rejected_tonight) in.rejected.push_back(x);
    if (static_cast<int>(in.rejected.size()) > s_.max_rejected)
      in.rejected.erase(in.rejected.begin(), in.rejected.end() - s_.max_rejected);
    in.preferences = s_.preferences;
    in.edit_budget = s_.edit_budget;
    in.max_edit_chars = s_.bounds.max_edit_chars;
    in.max_failures = s_.max_failures;
    in.max_successes = s_.max_successes;
    in.excerpt_chars = s_.excerpt_chars;
    ReflectOutcome ro;
    if (!col.failed.empty()) ro = reflector_.reflect(in, tags_of(col.failed), skill + "\n\n" + memory);
    for (auto& n : ro.notes) r.notes.push_back(n);
    if (ro.failed) r.reflect_errors.push_back(name + " reflection: " + (ro.notes.empty() ? "failed" : ro.notes.back()));
    if (ro.budget_stopped) {
      r.action = GateAction::kBudgetStopped;
      r.reason = "the budget ran out during the " + name + " reflection";
      return r;
    }
    int repeated = 0;
    for (const auto& e : ro.edits)
      for (const auto& old : rejected_before_)
        if (normalize_for_match(old) == normalize_for_match(e.content)) ++repeated;
    if (repeated)
      r.notes.push_back(std::to_string(repeated) + " " + name +
                        " edit(s) repeat an edit the gate rejected on an earlier night");

    if (!carried_in.empty())
      r.notes.push_back(std::to_string(carried_in.size()) + " " + name +
                        " edit(s) carried from an earlier night are re-tested on tonight's samples");
    for (auto& e : ro.edits)  // the optimizer may propose a carried edit again: test it once
      if (std::none_of(carried_in.begin(), carried_in.end(), [&](const Edit& c) {
            return normalize_for_match(c.content) == normalize_for_match(e.content);
          }))
        carried_in.push_back(std::move(e));
    const std::string& doc = is_skill ? skill : memory;
    ApplyResult ar = apply_edits(doc, carried_in, spec.apply);
    if (!ar.error.empty())
      r.notes.push_back(doc_name + ": skillpipe's markers are damaged (" + ar.error +
                        "); no edit was applied. Fix or remove the markers by hand.");
    std::vector<Edit> applied;
    for (auto& e : ar.edits) {
      e.document = doc_name;
      if (e.status == EditStatus::kApplied)
        applied.push_back(e);
      else
        r.unmatched.push_back(e);
    }
    if (applied.empty()) continue;
    any_applied = true;

    Scored trial =
        eval_.run(gate_set, is_skill ? ar.text : skill, is_skill ? memory : ar.text, "trial:" + name, "trial",
                  s_.gate.samples);
    if (trial.raw.budget_stopped) {
      r.action = GateAction::kBudgetStopped;
      r.reason = "the budget ran out during the " + name + " trial";
      return r;
    }
    GateDecision d = decide(current, trial.results, gate, next_alpha(looks_of(applied)));
    r.trials.push_back({name, static_cast<int>(applied.size()), d.baseline, d.candidate, d.accept, d.reason});
    last_candidate = mean_score(trial.results, gate);
    last_decision = d;
    auto keep = [&](const std::string& text, const Scored& sc, const std::vector<Edit>& edits) {
      significance = last_decision;
      (is_skill ? skill : memory) = text;
      current = sc.results;
      any_accepted = true;
      for (const auto& e : edits) (is_skill ? r.accepted_skill : r.accepted_memory).push_back(e);
    };
    auto reject = [&](Edit e) {
      e.status = EditStatus::kRejected;
      rejected_tonight.push_back(e.content);
      r.rejected.push_back(std::move(e));
    };
    // Promising but not yet significant: re-test next night, unless it was carried long enough.
    auto carry_or_reject = [&](const Edit& e, const GateDecision& dec) {
      if (!dec.promising || looks_of({e}) >= s_.carry_nights) return reject(e);
      Edit c = e;
      c.status = EditStatus::kCarried;
      r.carried.push_back(std::move(c));
    };
    if (d.accept && s_.prune_edits && applied.size() > 1) {
      // Leave-one-out: an edit the val score does not need (a rule riding along with a good
      // one) is dropped. "Needed" = the batch is strictly better with it than without it.
      GateConfig plain = gate;
      plain.no_regression = false;
      plain.mode = "strict";
      plain.min_effect = 0;
      std::vector<Edit> kept = applied;
      std::string text = ar.text;
      Scored scores = trial;
      for (std::size_t i = 0; i < kept.size() && kept.size() > 1;) {
        std::vector<Edit> others;
        for (std::size_t k = 0; k < kept.size(); ++k)
          if (k != i) {
            others.push_back(kept[k]);
            others.back().status = EditStatus::kProposed;
          }
        ApplyResult without = apply_edits(doc, others, spec.apply);
        if (without.applied != static_cast<int>(others.size())) {
          ++i;
          continue;
        }
        Scored t = eval_.run(gate_set, is_skill ? without.text : skill, is_skill ? memory : without.text,
                             "prune:" + name + ":without" + std::to_string(i + 1), "trial", s_.gate.samples);
        if (t.raw.budget_stopped) {
          r.action = GateAction::kBudgetStopped;
          r.reason = "the budget ran out while pruning " + name + " edits";
          return r;
        }
        const GateDecision needed = decide(t.results, scores.results, plain);
        if (needed.accept) {
          ++i;
          continue;
        }
        r.notes.push_back("pruned " + name + " edit \"" + excerpt(kept[i].content, 80) + "\": val does not need it (" +
                          needed.reason + ")");
        reject(kept[i]);
        kept.erase(kept.begin() + static_cast<long>(i));
        text = without.text;
        scores = std::move(t);
      }
      keep(text, scores, kept);
      continue;
    }
    if (d.accept) {
      keep(ar.text, trial, applied);
      continue;
    }
    if (!(s_.salvage_edits && applied.size() > 1)) {
      for (auto& e : applied) carry_or_reject(e, d);
      continue;
    }
    // Salvage: a batch can fail because of one bad edit; try each alone.
    for (std::size_t i = 0; i < applied.size(); ++i) {
      Edit one = applied[i];
      one.status = EditStatus::kProposed;
      const std::string& now = is_skill ? skill : memory;
      ApplyResult a1 = apply_edits(now, {one}, spec.apply);
      if (a1.applied == 0) {
        reject(applied[i]);
        continue;
      }
      Scored t1 = eval_.run(gate_set, is_skill ? a1.text : skill, is_skill ? memory : a1.text,
                            "trial:" + name + ":edit" + std::to_string(i + 1), "trial", s_.gate.samples);
      if (t1.raw.budget_stopped) {
        r.action = GateAction::kBudgetStopped;
        r.reason = "the budget ran out while trying " + name + " edits one by one";
        return r;
      }
      GateDecision d1 = decide(current, t1.results, gate, next_alpha(looks_of({applied[i]})));
      r.trials.push_back(
          {name + " (edit " + std::to_string(i + 1) + " alone)", 1, d1.baseline, d1.candidate, d1.accept, d1.reason});
      last_candidate = mean_score(t1.results, gate);
      last_decision = d1;
      if (d1.accept)
        keep(a1.text, t1, {applied[i]});
      else
        carry_or_reject(applied[i], d1);
    }
  }
  for (const auto& e : r.accepted_skill) r.accepted.push_back(e);
  for (const auto& e : r.accepted_memory) r.accepted.push_back(e);
  if (!r.reflect_errors.empty()) {
    // An optimizer that cannot answer is a failure, never an empty night.
    r.action = GateAction::kFailed;
    r.reason = "the optimizer failed: " + join(r.reflect_errors, "; ");
    return r;
  }

  if (!any_accepted) {
    if (!r.carried.empty())
      r.notes.push_back(std::to_string(r.carried.size()) +
                        " promising edit(s) are not yet significant and are carried to the next night");
    r.candidate_val = last_candidate;
    r.deltas = deltas_from(last_decision, gate_split);
    if (any_applied) record_decision(r.metrics, last_decision);
    if (!any_applied) {
      r.action = GateAction::kNoEdits;
      r.reason = !any_failures ? "every train task already passes under the current documents"
                               : "no proposed edit changed a document (see the unmatched edits and notes)";
    } else {
      r.action = r.unverified ? GateAction::kRejectUnverified : GateAction::kReject;
      r.reason = last_decision.reason;
    }
    r.candidate_test = r.baseline_test;
    return r;
  }

  // Final: the candidate pair against the original baseline.
  Scored final_sc;
  if (s_.final_replay) {
    final_sc = eval_.run(gate_set, skill, memory, "final", "final", s_.gate.samples);
    if (final_sc.raw.budget_stopped) {
      r.action = GateAction::kBudgetStopped;
      r.reason = "the budget ran out during the final replay";
      return r;
    }
  } else {
    final_sc.results = current;
  }
  // The final replay confirms on fresh samples that the pair is better and hurts no task; the
  // significance was claimed (and its alpha spent) when each edit was accepted.
  GateConfig confirm = gate;
  confirm.mode = "strict";
  GateDecision fd = decide(base.results, final_sc.results, confirm);
  r.candidate_val = mean_score(final_sc.results, gate);
  r.deltas = deltas_from(fd, gate_split);
  record_decision(r.metrics, fd);
  if (significance) {  // the test that accepted, with the level it was held to
    if (significance->ci) {
      r.metrics["gate.ci_low"] = significance->ci->low;
      r.metrics["gate.ci_high"] = significance->ci->high;
    }
    if (significance->p_value) r.metrics["gate.p_value"] = *significance->p_value;
    if (gate.mode == "statistical") r.metrics["gate.alpha"] = significance->alpha;
  }
  if (!fd.accept) {
    for (auto e : r.accepted) {
      e.status = EditStatus::kRejected;
      r.rejected.push_back(std::move(e));
    }
    r.accepted.clear();
    r.accepted_skill.clear();
    r.accepted_memory.clear();
    r.skill_text = spec.skill.text;
    r.memory_text = spec.memory.text;
    r.action = GateAction::kReject;
    r.reason = "final replay: " + fd.reason;
    r.candidate_test = r.baseline_test;
    return r;
  }
  r.skill_text = skill;
  r.memory_text = memory;
  r.action = r.unverified ? GateAction::kRejectUnverified : GateAction::kAccept;
  r.reason = fd.reason;
  if (significance && gate.mode == "statistical") {
    // Say where significance was claimed; the final replay only confirmed it.
    std::string confirmed = fd.reason;
    if (const auto at = confirmed.find("; strict mode: no significance is claimed"); at != std::string::npos)
      confirmed.erase(at, std::string("; strict mode: no significance is claimed").size());
    r.reason = significance->reason + "; confirmed by the final replay: " + confirmed;
  }
  if (r.unverified) r.reason = "not validated (" + sp.leak + "); on the " + to_string(gate_split) + " proxy: " + fd.reason;
  if (!sp.test.empty()) {
    Scored after_test = eval_.run(sp.test, skill, memory, "final_test", "test", s_.gate.samples);
    r.candidate_test = mean_score(after_test.results, gate);
    GateDecision td = decide(base_test.results, after_test.results, gate);
    for (auto& d : deltas_from(td, Split::kTest)) r.deltas.push_back(d);
  }
  return r;
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

}  // namespace skillpipe::consolidate_reflect
