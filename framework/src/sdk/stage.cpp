// Key functions of the stage interfaces, so their vtables and typeinfo live here.
#include "skillpipe/stage.hpp"

#include "skillpipe/backend.hpp"
#include "skillpipe/evaluation.hpp"
#include "skillpipe/store.hpp"

namespace skillpipe {

const char* to_string(StageKind k) {
  switch (k) {
    case StageKind::kHarvester: return "harvester";
    case StageKind::kMiner: return "miner";
    case StageKind::kJudge: return "judge";
    case StageKind::kConsolidator: return "consolidator";
    case StageKind::kStore: return "store";
    case StageKind::kBackend: return "backend";
  }
  return "unknown";
}

Progress::~Progress() = default;
void Progress::set_unit(std::string_view) {}
void Progress::set_total_bytes(std::int64_t) {}
void Progress::advance_bytes(std::int64_t) {}
Context::~Context() = default;
Component::~Component() = default;
void Component::configure(const Config&, Context&) {}
StageBase::~StageBase() = default;
void StageBase::finish(Context&) {}
DigestSink::~DigestSink() = default;
DigestStream::~DigestStream() = default;
void DigestList::put(SessionDigest digest) { items.push_back(std::move(digest)); }
std::size_t DigestList::size() const { return items.size(); }
void DigestList::for_each(const std::function<void(const SessionDigest&)>& fn) const {
  for (const auto& d : items) fn(d);
}
Harvester::~Harvester() = default;
Miner::~Miner() = default;
Judge::~Judge() = default;
std::vector<std::string> Judge::validate(const TaskRecord&) const { return {}; }
bool Judge::handles(const TaskRecord&) const { return true; }
Consolidator::~Consolidator() = default;
NightStore::~NightStore() = default;
StateStore::~StateStore() = default;
AdoptionStore::~AdoptionStore() = default;
Store::~Store() = default;

const char* to_string(AdoptionAction a) { return a == AdoptionAction::kAdopt ? "adopt" : "rollback"; }

const char* to_string(ProposalState s) {
  switch (s) {
    case ProposalState::kPending: return "pending";
    case ProposalState::kAdopted: return "adopted";
    case ProposalState::kStale: return "stale";
    case ProposalState::kNotAdoptable: return "not adoptable";
  }
  return "unknown";
}
EvaluationService::~EvaluationService() = default;
Backend::~Backend() = default;
Lookahead::~Lookahead() = default;

CostEstimate Backend::estimate(const ChatRequest& request) const {
  // Roughly four characters per token; output bounded by max_tokens.
  CostEstimate e;
  e.calls = 1;
  std::int64_t chars = 0;
  for (const auto& m : request.messages) chars += static_cast<std::int64_t>(m.content.size());
  e.tokens_in = chars / 4 + 1;
  e.tokens_out = request.max_tokens;
  return e;
}

}  // namespace skillpipe
