// epoch_state.hpp - the working state of one Epoch::run, shared by its phases (epoch.cpp,
// epoch_trials.cpp). Internal to the plugin.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "epoch.hpp"
#include "task_splits.hpp"
#include "trigger_stats.hpp"

namespace skillpipe::consolidate_reflect {

struct EpochState {
  explicit EpochState(const EpochSpec& s) : spec(s) {}
  const EpochSpec& spec;
  EpochResult r;
  Splits sp;
  std::vector<TaskRecord> gate_set;  // val, or train as a proxy when val cannot verify
  Split gate_split = Split::kVal;
  Scored base, base_test, train;
  std::string skill, memory;           // the documents as accepted so far tonight
  std::vector<TaskResult> current;     // the gate set's scores under them
  std::optional<double> last_candidate;
  GateDecision last_decision;
  std::optional<GateDecision> significance;  // the last accepting trial: where significance was claimed
  bool any_applied = false, any_accepted = false, any_failures = false;
  std::vector<std::string> rejected_tonight;
  // Triggering of the gated skill on the gate set: under the current documents, and under the
  // last candidate replayed (the final replay when one ran).
  std::optional<TriggerStats> trigger_base, trigger_candidate;
  // ... under the documents accepted so far tonight (what a trial is compared with).
  std::optional<TriggerStats> trigger_current;
  // ... on the held-out test split, under the starting and the final documents.
  std::optional<TriggerStats> trigger_base_test, trigger_candidate_test;
};

// The document one phase evolves.
struct DocTrial {
  EditTarget target = EditTarget::kSkill;
  bool is_skill = true;
  std::string name;      // skill | memory
  std::string doc_name;  // the document's own name

  std::string& doc(EpochState& st) const { return is_skill ? st.skill : st.memory; }
  // The document pair with `text` in this phase's place.
  std::string skill_with(const EpochState& st, const std::string& text) const { return is_skill ? text : st.skill; }
  std::string memory_with(const EpochState& st, const std::string& text) const { return is_skill ? st.memory : text; }
};

// What leave-one-out keeps of an accepted batch: the edits, their document text and replay,
// and the edits it dropped with the measured reason.
struct Pruning {
  std::string text;
  Scored scores;
  std::vector<Edit> kept;
  std::vector<std::pair<Edit, std::string>> dropped;
};

}  // namespace skillpipe::consolidate_reflect
