// spend_ledger.hpp - the night's one spend ledger: every backend call of every stage, as an
// append-only JSONL stream ("spend") in the open night.
//
// It is also the budget's journal. A paid call appends a `reserve` line (its worst case)
// before it is sent and an `answer` line (the real usage, cost and the answer itself) when it
// returns; a failed call appends `release`. Totals are never stored: they are summed from the
// lines every time, so a resumed night cannot read a stale total. A reservation without its
// answer (the run was killed mid-call) counts at its worst case, so the caps hold across a
// kill. The answer line carries the cached answer, so spend and cache entry are one write.
//
// Writers: backend_common's MeteredBackend (every paid backend) and any backend that is not
// metered but wants its calls counted (record_spend with kAnswer / kShared).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "skillpipe/records.hpp"

namespace skillpipe {

class Store;

inline constexpr std::string_view kSpendStream = "spend";

enum class SpendEvent {
  kReserve,  // a paid call is about to be sent: `tokens`, `cost_usd` are its worst case
  kAnswer,   // the call was answered: `usage`, `cost_usd` are what it really spent
  kRelease,  // the call failed without an answer: its reservation is void
  kShared,   // answered without a paid call (response cache, or an identical call in flight)
};
const char* to_string(SpendEvent e);  // reserve | answer | release | shared

struct SpendEntry {
  SpendEvent event = SpendEvent::kAnswer;
  std::string id;            // pairs reserve with answer/release ("<run>-<n>")
  std::string backend;       // the backend's budget key (its component id)
  std::string stage;         // the stage that asked
  std::string run;           // the process run that wrote it (wall time adds up per run)
  std::int64_t tokens = 0;   // kReserve: worst-case tokens
  TokenUsage usage;          // kAnswer
  double cost_usd = 0;       // kReserve: worst case; kAnswer: real
  double wall_s = 0;         // this run's elapsed wall time for the backend when written
  // kReserve: the longest the call may take (its attempts' timeouts; 0 = unknown). A call a
  // kill left unanswered counts as having run that long: the run's wall time went on past
  // its last line, and a wall-time cap must hold across the resume.
  double max_s = 0;
  int attempts = 0;          // kAnswer: HTTP requests / runs it took (retries included)
  std::string cache_key;     // kAnswer / kShared: the response-cache key ("" = not cached)
  std::string response;      // kAnswer: the cached-answer JSON (backend_common's format)
};

std::string to_json_line(const SpendEntry& e);
// nullopt for a torn or foreign line (a kill mid-append leaves at most one).
std::optional<SpendEntry> parse_spend_line(std::string_view line);

// Appends to the open night's ledger; a no-op without a store or an open night. Throws what
// the store throws (a reservation that cannot be written must not be sent).
void record_spend(Store* store, const SpendEntry& e);
// The open night's ledger (empty without a store or night).
std::vector<SpendEntry> read_spend(const Store* store);

// What a set of ledger lines adds up to.
struct SpendTotals {
  std::int64_t calls = 0;         // paid calls: answers + reservations a kill left open
  std::int64_t cached_calls = 0;  // answered without paying
  std::int64_t open = 0;          // reservations a kill left without answer (in calls)
  std::int64_t attempts = 0;      // requests made, retries included
  TokenUsage usage;               // answered calls' usage
  std::int64_t open_tokens = 0;   // the open reservations' worst case
  double cost_usd = 0;            // answered + open reservations' worst case
  double wall_s = 0;              // summed over runs (the longest of each run)
  std::int64_t tokens() const { return usage.total() + open_tokens; }
};

// Totals of one backend's entries (every backend's when `backend` is empty); reservations
// are paired with their answer or release by id.
SpendTotals sum_spend(const std::vector<SpendEntry>& entries, std::string_view backend = {});
// Totals per stage ("" = every stage together under key "").
std::map<std::string, SpendTotals> spend_by_stage(const std::vector<SpendEntry>& entries);

}  // namespace skillpipe
