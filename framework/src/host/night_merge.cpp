#include "host/night_merge.hpp"

#include <map>
#include <string>

#include "skillpipe/kit/util.hpp"

namespace skillpipe::host {
namespace {

int status_rank(ProposalStatus status) {
  switch (status) {
    case ProposalStatus::kAccepted: return 0;
    case ProposalStatus::kUnverified: return 1;
    case ProposalStatus::kDraft: return 2;
    default: return 3;  // quarantined
  }
}

}  // namespace

void merge_report(NightReport& night, const NightReport& part) {
  auto take = [](std::optional<double>& dst, const std::optional<double>& src) {
    if (src) dst = src;
  };
  take(night.baseline_val, part.baseline_val);
  take(night.candidate_val, part.candidate_val);
  take(night.baseline_test, part.baseline_test);
  take(night.candidate_test, part.candidate_test);
  if (part.gate_action && (!night.gate_action || night.gate_action == GateAction::kOffline)) {
    night.gate_action = part.gate_action;
    night.gate_reason = part.gate_reason;
    night.gate_metric = part.gate_metric;
  }
  night.deltas.insert(night.deltas.end(), part.deltas.begin(), part.deltas.end());
  night.accepted_edits.insert(night.accepted_edits.end(), part.accepted_edits.begin(), part.accepted_edits.end());
  night.rejected_edits.insert(night.rejected_edits.end(), part.rejected_edits.begin(), part.rejected_edits.end());
  night.unmatched_edits.insert(night.unmatched_edits.end(), part.unmatched_edits.begin(), part.unmatched_edits.end());
  night.notes.insert(night.notes.end(), part.notes.begin(), part.notes.end());
  night.tokens += part.tokens;
  night.cost_usd += part.cost_usd;
  night.llm_calls += part.llm_calls;
  night.cached_calls += part.cached_calls;
  for (const auto& [k, v] : part.counts) night.counts[k] += v;
  for (const auto& [k, v] : part.metrics) night.metrics[k] = v;
  for (const auto& [k, v] : part.timings_s) night.timings_s[k] += v;
  for (const auto& [k, v] : part.attrs) night.attrs[k] = v;
}

std::vector<Proposal> one_per_document(std::vector<Proposal> in, NightReport& rep) {
  std::vector<Proposal> out;
  std::map<std::string, std::size_t> by_doc, by_path;
  for (auto& p : in) {
    const std::string doc = to_lower_ascii(to_string(p.target) + "/" + p.name);
    std::size_t at = out.size();
    if (auto it = by_doc.find(doc); it != by_doc.end()) at = it->second;
    if (auto it = by_path.find(p.live_path); at == out.size() && !p.live_path.empty() && it != by_path.end())
      at = it->second;
    if (at == out.size()) {
      by_doc[doc] = at;
      if (!p.live_path.empty()) by_path[p.live_path] = at;
      out.push_back(std::move(p));
      continue;
    }
    Proposal& kept = out[at];
    const bool replace = status_rank(p.status) < status_rank(kept.status);
    const Proposal& dropped = replace ? kept : p;
    const Proposal& winner = replace ? p : kept;
    rep.notes.push_back("proposal `" + dropped.name + "` (" + to_string(dropped.target) + ", " +
                        to_string(dropped.status) + ") was not staged: `" + winner.name + "` (" + to_string(winner.status) +
                        ") changes the same document tonight");
    ++rep.counts["proposals_superseded"];
    if (replace) kept = std::move(p);
  }
  return out;
}

}  // namespace skillpipe::host
