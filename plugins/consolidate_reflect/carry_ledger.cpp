#include "carry_ledger.hpp"

#include "skillpipe/fields.hpp"
#include "text_util.hpp"

namespace skillpipe::consolidate_reflect {

SKILLPIPE_FIELDS(PairedSamples) {
  v("base", r.base);
  v("cand", r.cand);
}

SKILLPIPE_FIELDS(LedgerEntry) {
  v("target", r.target);
  v("content", r.content);
  v("nights", r.nights);
  v("strata", r.strata);
}

struct LedgerFile {
  int schema = CarryLedger::kSchemaVersion;
  std::string night_id;
  std::vector<LedgerEntry> edits;
};

SKILLPIPE_FIELDS(LedgerFile) {
  v("schema", r.schema);
  v("night_id", r.night_id);
  v("edits", r.edits);
}

std::string ledger_key(const std::string& stage_id) { return "consolidate_reflect/" + stage_id + "/carried"; }

std::string ledger_to_json(const CarryLedger& ledger) {
  return write_json(LedgerFile{CarryLedger::kSchemaVersion, ledger.night_id, ledger.edits});
}

CarryLedger ledger_from_json(const std::string& text) {
  LedgerFile f;
  read_json(text, f, "carried-edit ledger");
  if (f.schema != CarryLedger::kSchemaVersion)
    throw RecordError("carried-edit ledger: schema " + std::to_string(f.schema) + " is not the supported " +
                      std::to_string(CarryLedger::kSchemaVersion));
  return {f.night_id, std::move(f.edits)};
}

std::optional<PriorEvidence> prior_for(const CarryLedger& ledger, const std::string& latest_night, const Edit& edit) {
  if (ledger.night_id.empty() || ledger.night_id != latest_night) return std::nullopt;
  const std::string want = normalize_for_match(edit.content);
  for (const auto& e : ledger.edits)
    if (e.target == edit.target && normalize_for_match(e.content) == want && !e.strata.empty())
      return PriorEvidence{e.strata, e.nights};
  return std::nullopt;
}

}  // namespace skillpipe::consolidate_reflect
