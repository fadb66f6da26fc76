// carry_ledger.hpp - the evidence a carried edit takes from one night to the next.
//
// A carried edit (promising, not yet significant) is listed in the night report with status
// `carried`; its paired per-task samples - the strata of every night it was tested alone - are
// kept in the store's per-project state under `consolidate_reflect/<stage>/carried`, written
// only after the night's consolidation output is durable. The next night pools them with
// tonight's (see gate.hpp, PriorEvidence). The ledger names the night that wrote it: evidence
// is used only when that night is the latest published one, so a failed or abandoned night
// never feeds a later test (and an unreadable ledger only restarts the evidence).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "gate.hpp"
#include "skillpipe/records.hpp"

namespace skillpipe::consolidate_reflect {

struct LedgerEntry {
  EditTarget target = EditTarget::kSkill;
  std::string content;  // the edit's content (matched after normalize_for_match)
  int nights = 0;       // nights the strata come from
  std::vector<PairedSamples> strata;
};

struct CarryLedger {
  static constexpr int kSchemaVersion = 1;
  std::string night_id;  // the night that wrote it
  std::vector<LedgerEntry> edits;
};

std::string ledger_key(const std::string& stage_id);
std::string ledger_to_json(const CarryLedger& ledger);
// Throws RecordError naming the field when the text is not a ledger.
CarryLedger ledger_from_json(const std::string& text);

// The prior evidence the ledger holds for an edit, when the ledger was written by `latest_night`.
std::optional<PriorEvidence> prior_for(const CarryLedger& ledger, const std::string& latest_night, const Edit& edit);

}  // namespace skillpipe::consolidate_reflect
