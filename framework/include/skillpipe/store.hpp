// store.hpp - where skillpipe keeps its work, as three parts a store plugin implements:
//
//   NightStore     one night at a time: open (resuming an unfinished night), streams and
//                  artifacts, stage (publish), close; earlier nights are read-only.
//   StateStore     per-project state (cursors, task archive, profiles) and the response cache
//                  shared by every project.
//   AdoptionStore  promotes a night's staged proposals into the agent's live files and rolls
//                  them back. Results are records; the CLI renders them.
//
// A Store (the plugin kind) is a component that is a NightStore and a StateStore, and may
// offer adoption. Stages see it through Context::store(). Every write is atomic.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "skillpipe/records.hpp"
#include "skillpipe/stage.hpp"

namespace skillpipe {

struct NightHandle {
  std::string project;          // absolute project path or "all"
  std::string night_id;         // e.g. "0007-20261123T031700Z"
  std::string dir;              // absolute night directory ("" for a store without files)
  bool resumed = false;
};

// A night as the store lists it.
struct NightInfo {
  std::string id;
  std::string dir;              // its files ("" for a store without files)
  bool published = false;       // staged: final, with a report
  bool abandoned = false;       // superseded by a newer night, or abandoned by --restart
};

class SKILLPIPE_VISIBLE NightStore {
 public:
  virtual ~NightStore();
  // Takes the project's lock and resumes its unfinished night (so a killed run continues from
  // its last durable step) or starts a new one.
  virtual NightHandle open_night(const std::string& project, Context& ctx) = 0;
  // Marks the night complete (after stage()) and releases the lock. Safe without a night.
  virtual void close_night(bool completed) = 0;
  virtual const NightHandle& night() const = 0;

  // Night streams: append-only JSONL inside the open night (replays, verdicts, evidence).
  // read() tolerates a torn last line.
  virtual void append(std::string_view stream, const std::vector<std::string>& json_lines) = 0;
  virtual std::vector<std::string> read(std::string_view stream) const = 0;
  virtual void write_artifact(std::string_view relpath, std::string_view content) = 0;
  virtual std::optional<std::string> read_artifact(std::string_view relpath) const = 0;

  // Publishes the night: proposed documents, their diffs, report.json, report.md, and a
  // publication marker last. Nothing of the night changes afterwards.
  virtual void stage(const std::vector<Proposal>& proposals, const NightReport& report) = 0;

  // The project's nights, oldest first.
  virtual std::vector<NightInfo> nights(std::string_view project) const = 0;
  // Reports of this project's published nights, oldest first.
  virtual std::vector<NightReport> past_reports(std::string_view project) const = 0;
};

class SKILLPIPE_VISIBLE StateStore {
 public:
  virtual ~StateStore();
  // Per-project state: the open night's project, else the run's.
  virtual std::optional<std::string> get_state(std::string_view key) const = 0;
  virtual void put_state(std::string_view key, std::string_view value) = 0;
  // Content-addressed response cache shared across nights and projects.
  virtual std::optional<std::string> cache_get(std::string_view key) const = 0;
  virtual void cache_put(std::string_view key, std::string_view value) = 0;
};

// ---- adoption ------------------------------------------------------------------------------

struct AdoptRequest {
  std::string project;
  std::string night_id;         // "" = the latest night with a staged proposal; a number works
  std::vector<std::string> names;  // proposals to adopt; empty with all=false = every accepted
  bool all = false;             // every adoptable proposal, unverified and draft ones too
  bool allow_unverified = false;
};

struct RollbackRequest {
  std::string project;
  std::string to_version;       // "" = undo the latest adoption not yet undone; "0" = before skillpipe
  std::string name;             // "" = every document changed by that adoption
};

// A live file one version changed.
struct AdoptedFile {
  std::string name;
  Target target;
  std::string live_path;
  std::string sha_before;       // "" = the file did not exist
  std::string sha_after;        // "" = the version removed it
  std::string night_id;
  int added = 0;
  int removed = 0;
  int reverts = 0;              // a rollback: the version whose change this undoes (0 = none)
};

enum class AdoptionAction { kAdopt, kRollback };
const char* to_string(AdoptionAction a);  // adopt | rollback

// One adoption version (an adopt or a rollback).
struct AdoptionVersion {
  int version = 0;
  AdoptionAction action = AdoptionAction::kAdopt;
  std::string night_id;
  std::string at;
  int to_version = -1;          // rollback --to N
  int undone_by = 0;            // a later version that reverted this one (0 = none)
  std::vector<AdoptedFile> files;
};

// Where a staged proposal stands against the live file right now.
enum class ProposalState { kPending, kAdopted, kStale, kNotAdoptable };
const char* to_string(ProposalState s);  // pending | adopted | stale | not adoptable

struct StagedProposal {
  std::string name;
  Target target;
  ProposalStatus status = ProposalStatus::kDraft;
  std::string live_path;
  ProposalState state = ProposalState::kPending;
  int added = 0;
  int removed = 0;
  std::string diff_path;        // absolute path of its unified diff ("" when none)
  std::string refusal;          // why it can never be adopted ("" = adoptable)
};

// What `skillpipe status` shows, as data.
struct ProjectStatus {
  std::string project;
  std::string store_dir;        // where the store keeps this project
  bool known = false;           // the store has seen the project
  std::vector<NightInfo> nights;
  std::string running;          // who runs a night of the project now ("" = nobody)
  std::optional<NightInfo> latest;          // the latest published night
  std::optional<NightReport> latest_report; // nullopt: it finished without staging anything
  std::string latest_report_md;             // path of its report.md ("" when none)
  std::vector<StagedProposal> proposals;    // the latest night's
  std::optional<std::string> unfinished;    // the night the next run resumes
  std::vector<AdoptionVersion> versions;    // oldest first
  std::vector<std::string> notes;           // e.g. an interrupted adoption was recovered
};

struct AdoptionHistory {
  std::vector<AdoptionVersion> versions;    // oldest first, undone_by filled
  std::vector<std::string> notes;
};

// The outcome of adopt or rollback.
struct AdoptionResult {
  int exit_code = 0;            // 0 done (or nothing to do), 1 failed, 2 refused (changed file, bad argument)
  std::string message;          // why it failed or was refused, or why nothing changed
  std::vector<std::string> notes;
  std::string night_id;
  std::optional<AdoptionVersion> version;   // the committed version, when something changed
  std::vector<std::pair<std::string, std::string>> skipped;  // (proposal, why it was left out)
};

class SKILLPIPE_VISIBLE AdoptionStore {
 public:
  virtual ~AdoptionStore();
  // None of these needs an open night; each first finishes an interrupted adoption.
  virtual ProjectStatus status(std::string_view project) = 0;
  virtual AdoptionHistory history(std::string_view project) = 0;
  virtual AdoptionResult adopt(const AdoptRequest& request) = 0;
  virtual AdoptionResult rollback(const RollbackRequest& request) = 0;
};

class SKILLPIPE_VISIBLE Store : public Component, public NightStore, public StateStore {
 public:
  ~Store() override;
  // The store's adoption, or nullptr when it cannot write live files (an in-memory store).
  virtual AdoptionStore* adoption() { return nullptr; }
};

}  // namespace skillpipe
