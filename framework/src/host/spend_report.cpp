#include "host/spend_report.hpp"

#include <string>

namespace skillpipe::host {

void apply_spend_ledger(const std::vector<SpendEntry>& ledger, NightReport& report) {
  if (ledger.empty()) return;
  const auto by_stage = spend_by_stage(ledger);
  const SpendTotals& all = by_stage.at("");
  report.llm_calls = all.calls + all.cached_calls;  // as the stages count: cached ones included
  report.cached_calls = all.cached_calls;
  report.tokens = all.usage;
  report.tokens.input += all.open_tokens;  // killed mid-call: counted at the worst case
  report.cost_usd = all.cost_usd;
  for (const auto& [stage, t] : by_stage) {
    if (stage.empty()) continue;
    const std::string k = "spend." + stage;
    report.counts[k + ".paid_calls"] = t.calls;
    report.counts[k + ".cached_calls"] = t.cached_calls;
    report.counts[k + ".tokens"] = t.tokens();
    report.metrics[k + ".cost_usd"] = t.cost_usd;
  }
  if (all.attempts > all.calls) report.counts["spend.retries"] = all.attempts - all.calls;
  if (all.open > 0)
    report.notes.push_back(std::to_string(all.open) + " paid call(s) were in flight when an earlier run of this night "
                           "was stopped; each is counted at its worst case (" + std::to_string(all.open_tokens) +
                           " tokens in all), since the provider may have billed it");
}

}  // namespace skillpipe::host
