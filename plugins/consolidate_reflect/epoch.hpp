// epoch.hpp - one gated consolidation of one skill (and the memory document):
//
//   baseline  replay val under the current documents (and test, when present)
//   train     replay train; failures and successes become the reflection's evidence
//   skill     reflect, apply the edits, replay val: keep iff the gate accepts
//   memory    re-replay train under the kept skill, reflect, apply, replay val: keep iff
//             the gate accepts against the post-skill score
//   final     replay val with the candidate pair and compare with the original baseline
//   test      score the test split under the documents the night ends with
//
// Every val replay (baseline, trials, final) takes the gate's k samples per task in the same
// night, so baseline and candidate are measured under the same conditions. The night's alpha
// is spent over its candidates (the j-th candidate tested is held to alpha / 2^j); a
// candidate that is better and hurts nothing but is not yet significant is *carried*: its
// edits are re-tested the next night on fresh samples and that night's tasks, at most
// `carry_nights` more nights, then rejected. A carried edit tested alone pools its evidence:
// the strata of every night it was tested alone enter one stratified permutation test and one
// effect interval (carry_ledger.hpp). Each look at the growing evidence is held to a further
// 2^-t (its t-th re-test), so over all its looks an edit spends at most alpha/2^j * (1 + 1/2 +
// 1/4 ...) - a Bonferroni bound valid however the looks depend on each other.
//
// With no val split (or val overlapping train) the gate runs on train as a proxy and the
// night is `reject_unverified`: its proposals are staged as unverified suggestions only.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "carry_ledger.hpp"
#include "documents.hpp"
#include "edit_ops.hpp"
#include "evaluator.hpp"
#include "reflect_prompt.hpp"
#include "reflector.hpp"
#include "settings.hpp"

namespace skillpipe::consolidate_reflect {

struct EpochSpec {
  std::string group;  // skill name the group is about
  std::vector<TaskRecord> tasks;
  DocFile skill;   // gated skill (may be a scaffold)
  DocFile memory;  // gated memory ("" text when absent)
  bool evolve_skill = true;
  bool evolve_memory = true;
  ApplyOptions apply;
};

// An edit carried from earlier nights: promising, not yet significant.
struct CarriedEdit {
  Edit edit;
  int looks = 1;        // nights it has been tested so far
  PriorEvidence prior;  // its strata from the nights it was tested alone (carry_ledger.hpp)
};

struct Trial {
  std::string target;  // skill | memory
  int edits = 0;
  double baseline = 0;
  double candidate = 0;
  bool accepted = false;
  std::string reason;
};

struct EpochResult {
  GateAction action = GateAction::kNoEdits;
  std::string reason;
  bool unverified = false;
  std::optional<double> baseline_val, candidate_val, baseline_test, candidate_test;
  std::vector<TaskDelta> deltas;
  std::vector<Edit> accepted, rejected, unmatched;
  std::vector<Edit> carried;               // status kCarried: re-tested next night
  std::vector<LedgerEntry> ledger;         // the carried edits' evidence, for the next night
  std::vector<std::string> reflect_errors;  // the optimizer failed: the stage must fail
  std::string skill_text, memory_text;  // the documents the night ends with
  std::vector<std::string> notes;
  std::map<std::string, double> metrics;
  std::vector<Trial> trials;
  bool cancelled = false;
  bool skill_changed() const { return !accepted_skill.empty(); }
  bool memory_changed() const { return !accepted_memory.empty(); }
  std::vector<Edit> accepted_skill, accepted_memory;  // in the order they were applied
};

struct EpochState;  // one run's working state (epoch_state.hpp)
struct DocTrial;    // the document one phase evolves (epoch_state.hpp)
struct Pruning;     // what leave-one-out keeps of a batch (epoch_state.hpp)

class Epoch {
 public:
  Epoch(Context& ctx, const Settings& settings, Evaluator& evaluator, Reflector& reflector,
        std::vector<std::string> rejected_before, std::vector<CarriedEdit> carried = {})
      : ctx_(ctx),
        s_(settings),
        eval_(evaluator),
        reflector_(reflector),
        rejected_before_(std::move(rejected_before)),
        carried_(std::move(carried)) {}

  EpochResult run(const EpochSpec& spec);

 private:
  void run_phases(EpochState& st);
  void report_triggers(EpochState& st);
  // No regression covers triggering: a candidate the agent invokes less where the skill is
  // meant for, or more where it is not, than `before` is not accepted (nor carried).
  void veto_on_triggers(const std::optional<TriggerStats>& before, const EpochState& st, GateDecision& d) const;
  // The phases, in order (epoch.cpp). Each returns false when the night stops there (budget,
  // cancellation, nothing to do); st.r then says why.
  bool plan_splits(EpochState& st);
  bool score_baseline(EpochState& st);
  bool replay_train(EpochState& st);
  void finish_rejected(EpochState& st);
  bool confirm_final(EpochState& st);
  void score_test(EpochState& st);

  // One document's reflect-apply-trial step and its outcomes (epoch_trials.cpp).
  bool evolve(EpochState& st, const DocTrial& t);
  bool propose(EpochState& st, const DocTrial& t, std::vector<Edit>& edits, bool& skip);
  std::vector<Edit> carried_for(const DocTrial& t) const;
  PromptInput prompt_for(const EpochState& st, const DocTrial& t, Evidence evidence) const;
  bool test_batch(EpochState& st, const DocTrial& t, const std::string& text, const std::vector<Edit>& applied);
  // Leave-one-out over an accepted batch (st.last_decision), then the gate on what is left.
  bool prune(EpochState& st, const DocTrial& t, const std::string& text, Scored batch,
             const std::vector<Edit>& applied);
  bool leave_one_out(EpochState& st, const DocTrial& t, Pruning& p);
  bool salvage(EpochState& st, const DocTrial& t, const std::vector<Edit>& applied);
  void keep(EpochState& st, const DocTrial& t, const std::string& text, const Scored& sc,
            const std::vector<Edit>& edits);
  // Marks `e` rejected with why (typed, for the report) and the measured detail.
  void reject(EpochState& st, Edit e, RejectionReason why, std::string detail);
  // `alone`: d tested this edit by itself, so tonight's samples are its own evidence.
  void carry_or_reject(EpochState& st, const Edit& e, const GateDecision& d, bool alone);

  // The one budget stop: true (and st.r says "the budget ran out <when>") if `stopped`.
  static bool budget_stop(EpochState& st, bool stopped, const std::string& when);
  // Replays the gate set (val, or the train proxy) under a document pair, k samples per task
  // (scored from `first_sample` on: Evaluator::run).
  Scored replay_gate_set(EpochState& st, const std::string& skill, const std::string& memory,
                         const std::string& variant, const std::string& phase, int first_sample = 0);

  // The level the next candidate is held to: alpha / 2^j for the night's j-th candidate,
  // halved again per earlier night the edits were already tested (`looks`).
  double next_alpha(int looks);
  int looks_of(const std::vector<Edit>& edits) const;
  // A single carried edit's pooled evidence from earlier nights (nullptr: none, or a batch).
  const PriorEvidence* prior_of(const std::vector<Edit>& edits) const;

  Context& ctx_;
  const Settings& s_;
  Evaluator& eval_;
  Reflector& reflector_;
  std::vector<std::string> rejected_before_;
  std::vector<CarriedEdit> carried_;
  int candidates_ = 0;  // statistical tests run tonight, over every group
};

}  // namespace skillpipe::consolidate_reflect
