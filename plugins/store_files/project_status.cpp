#include "project_status.hpp"

#include "adoption.hpp"
#include "file_lock.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"
#include "store_records.hpp"

namespace skillpipe::store_files {
namespace {

// Where a staged proposal stands against the live file right now.
ProposalState proposal_state(const ManifestEntry& e) {
  if (!e.refusal.empty()) return ProposalState::kNotAdoptable;
  std::optional<std::string> live;
  try {
    live = read_bytes(e.live_realpath);
  } catch (const std::exception&) {
    return ProposalState::kStale;
  }
  const std::string cur = live ? sha256_hex(*live) : "";
  if (live && cur == e.sha256) return ProposalState::kAdopted;
  if (cur == e.live_sha256) return ProposalState::kPending;
  return ProposalState::kStale;
}

// Recovers an interrupted adoption when nobody else is adopting; returns a note or "".
std::string recover_if_free(Adoption& a) {
  if (!a.try_lock("skillpipe status")) {
    return a.journal_pending() ? "An adopt or rollback is running right now." : "";
  }
  std::string note = a.recover();
  a.unlock();
  return note;
}

NightInfo info_of(const NightEntry& n) { return {n.id, n.dir, n.published, n.abandoned}; }

// The latest published night: its report and its proposals' states.
void describe_latest(const NightEntry& latest, ProjectStatus& s) {
  s.latest = info_of(latest);
  const std::string mpath = latest.dir + "/manifest.json";
  const Manifest m = parse_manifest(*read_bytes(mpath), mpath);
  if (const auto text = read_bytes(latest.dir + "/report.json")) {
    s.latest_report = record_from_json<NightReport>(*text);
    s.latest_report_md = latest.dir + "/report.md";
  }
  for (const auto& e : m.proposals) {
    StagedProposal p;
    p.name = e.name;
    p.target = target_of(e.target, mpath);
    const auto status = parse_proposal_status(e.status);
    if (!status) throw Error(mpath + ": proposal " + e.name + " has an unknown status \"" + e.status + "\"");
    p.status = *status;
    p.live_path = e.live_path;
    p.state = proposal_state(e);
    p.added = e.added;
    p.removed = e.removed;
    p.diff_path = e.diff_file.empty() ? "" : latest.dir + "/" + e.diff_file;
    p.refusal = e.refusal;
    s.proposals.push_back(std::move(p));
  }
}

}  // namespace

ProjectStatus project_status(const Layout& layout, FaultInjector& fi) {
  ProjectStatus s;
  s.project = layout.project;
  s.store_dir = layout.project_dir();
  if (!path_exists(layout.project_dir())) {
    s.store_dir = layout.root;
    return s;
  }
  s.known = true;
  Adoption adoption(layout, fi);
  if (auto n = recover_if_free(adoption); !n.empty()) s.notes.push_back(n);
  s.running = FileLock::holder(layout.run_lock());
  const auto nights = list_nights(layout);
  for (const auto& n : nights) {
    s.nights.push_back(info_of(n));
    if (!n.published && !n.abandoned) s.unfinished = n.id;
  }
  for (auto it = nights.rbegin(); it != nights.rend(); ++it)
    if (it->published) {
      describe_latest(*it, s);
      break;
    }
  s.versions = adoption.history();
  return s;
}

AdoptionHistory adoption_history(const Layout& layout, FaultInjector& fi) {
  AdoptionHistory h;
  Adoption adoption(layout, fi);
  if (path_exists(layout.adoption_dir())) {
    if (auto n = recover_if_free(adoption); !n.empty()) h.notes.push_back(n);
  }
  h.versions = adoption.history();
  return h;
}

}  // namespace skillpipe::store_files
