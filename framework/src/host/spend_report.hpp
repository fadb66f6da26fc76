// spend_report.hpp - the night's spend in its report, from the one spend ledger.
#pragma once

#include <vector>

#include "skillpipe/kit/spend_ledger.hpp"
#include "skillpipe/records.hpp"

namespace skillpipe::host {

// Sets the report's calls (paid + cached), cached calls, tokens and cost from the ledger: every
// call of every stage (mining, replays, grading, reflection) counted once, whatever the stages
// tallied. Per stage: counts "spend.<stage>.paid_calls", ".cached_calls", ".tokens" and metrics
// "spend.<stage>.cost_usd". An empty ledger (no metered backend ran) leaves the report as the
// stages made it.
void apply_spend_ledger(const std::vector<SpendEntry>& ledger, NightReport& report);

}  // namespace skillpipe::host
