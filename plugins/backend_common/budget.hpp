// budget.hpp - per-night caps on tokens, cost, calls and wall time, enforced before each call.
//
// A call reserves its worst case (prompt estimate + max output, one call) before it is sent,
// so concurrent calls can never jointly pass a cap; the reservation is replaced by the real
// usage when the answer arrives. Once a cap refuses a call the budget stays exhausted and
// every later paid call throws BudgetExceeded (cached answers are still served). The tracker
// is memory only: the night's spend ledger (skillpipe/kit/spend_ledger.hpp) is what a resumed
// run starts from (add_prior), so there is no saved total that could be stale.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "clock.hpp"
#include "skillpipe/backend.hpp"
#include "skillpipe/config.hpp"

// The JSON Schema of the `budget` object, a string literal so a plugin's schema can embed it:
//   R"({"properties": {"budget": )" SKILLPIPE_BUDGET_SCHEMA R"(}})"
#define SKILLPIPE_BUDGET_SCHEMA                                                              \
  "{\"type\": \"object\", \"additionalProperties\": false,"                                  \
  " \"description\": \"Per-night caps; once one is reached, calls stop (BudgetExceeded).\","   \
  " \"default\": {}, \"properties\": {\"max_tokens\": {\"type\": \"integer\", \"minimum\": 0, \"default\": null,"  \
  " \"description\": \"input plus output tokens per night; unset = no cap\"},"              \
  " \"max_cost_usd\": {\"type\": \"number\", \"minimum\": 0, \"default\": null,"           \
  " \"description\": \"US dollars per night (from the backend's prices); unset = no cap\"},"                              \
  " \"max_wall_s\": {\"type\": \"number\", \"minimum\": 0, \"default\": null,"             \
  " \"description\": \"seconds of wall time from the first call; unset = no cap\"},"                              \
  " \"max_calls\": {\"type\": \"integer\", \"minimum\": 0, \"default\": null,"                                \
  " \"description\": \"paid calls (retries of one call count once; cached answers are free); unset = no cap\"}}}"

namespace skillpipe::backend_common {

struct BudgetCaps {
  std::optional<std::int64_t> max_tokens;
  std::optional<double> max_cost_usd;
  std::optional<double> max_wall_s;
  std::optional<std::int64_t> max_calls;
};

// Reads {max_tokens, max_cost_usd, max_wall_s, max_calls} from a stage's `budget` object.
BudgetCaps read_budget_caps(const Config& budget);

class BudgetTracker {
 public:
  BudgetTracker(Clock& clock, BudgetCaps caps);

  // Throws BudgetExceeded when a cap is reached or a call needing up to `tokens` tokens
  // and `cost_usd` dollars would pass one. Returns the reservation to commit or release.
  std::uint64_t reserve(std::int64_t tokens, double cost_usd);
  void commit(std::uint64_t reservation, std::int64_t tokens, double cost_usd);
  void release(std::uint64_t reservation);

  // Throws BudgetExceeded when the wall-time cap is reached.
  void check_wall();
  // Seconds before the wall-time cap (a large number when there is none).
  double wall_left_s();
  // Marks the budget exhausted (e.g. a retry wait would pass the wall cap) and throws.
  [[noreturn]] void exhaust(const std::string& reason);

  // Spending by an earlier run of the same night (resume), counted against the caps: the
  // ledger's totals for this backend, open reservations at their worst case.
  void add_prior(std::int64_t calls, std::int64_t tokens, double cost_usd, double wall_s);
  BudgetState state();
  bool has_caps() const;
  // Wall time of this run alone (the ledger adds runs up).
  double run_wall_s() const;

 private:
  double elapsed_locked() const;
  [[noreturn]] void exhaust_locked(const std::string& reason);

  Clock& clock_;
  BudgetCaps caps_;
  double start_s_;
  std::mutex mu_;
  std::int64_t used_tokens_ = 0;
  double used_cost_ = 0;
  double prior_wall_s_ = 0;
  std::int64_t reserved_tokens_ = 0;
  double reserved_cost_ = 0;
  std::int64_t used_calls_ = 0;
  std::map<std::uint64_t, std::pair<std::int64_t, double>> reservations_;
  std::uint64_t next_id_ = 1;
  bool exhausted_ = false;
  std::string reason_;
};

}  // namespace skillpipe::backend_common
