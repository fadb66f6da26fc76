// store.hpp - where a night's work lives, and how a proposal reaches the user's agent.
//
// One store per pipeline. A night belongs to one project; open_night() takes the project's
// lock and resumes an unfinished night (so a killed run continues from its last durable
// step) or starts a new one. Every write is atomic. The response cache is shared by all
// projects and nights.
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
  std::string dir;              // absolute night directory
  bool resumed = false;
};

// The result of a store-backed CLI command (status, adopt, rollback, history).
struct CommandResult {
  int exit_code = 0;            // 0 ok, 1 failed, 2 refused (pin violation, bad argument)
  std::string text;             // for people
  std::string json;             // for --json
};

struct AdoptRequest {
  std::string project;
  std::string night_id;         // "" = the latest night with a staged proposal
  std::vector<std::string> names;  // proposals to adopt; empty with all=false = every accepted
  bool all = false;
  bool allow_unverified = false;
};

struct RollbackRequest {
  std::string project;
  std::string to_version;       // "" = the version before the latest adoption
  std::string name;             // "" = every document changed by the latest adoption
};

class SKILLPIPE_VISIBLE Store : public StageBase {
 public:
  ~Store() override;

  virtual NightHandle open_night(const std::string& project, Context& ctx) = 0;
  // Marks the night complete (after stage()) and releases the lock.
  virtual void close_night(bool completed) = 0;
  virtual const NightHandle& night() const = 0;

  // Night streams: append-only JSONL inside the night (digests, tasks, replays, verdicts,
  // edits, evidence). read() tolerates a torn last line.
  virtual void append(std::string_view stream, const std::vector<std::string>& json_lines) = 0;
  virtual std::vector<std::string> read(std::string_view stream) const = 0;
  virtual void write_artifact(std::string_view relpath, std::string_view content) = 0;
  virtual std::optional<std::string> read_artifact(std::string_view relpath) const = 0;

  // Writes proposed documents, their unified diffs, report.json, report.md, any extra
  // artifacts already written, and manifest.json last (the publication marker).
  virtual void stage(const std::vector<Proposal>& proposals, const NightReport& report) = 0;
  // Reports of this project's earlier published nights, oldest first.
  virtual std::vector<NightReport> past_reports(std::string_view project) const = 0;

  // Per-project state (harvest cursors, split assignments, task archive, profiles).
  virtual std::optional<std::string> get_state(std::string_view key) const = 0;
  virtual void put_state(std::string_view key, std::string_view value) = 0;

  // Content-addressed response cache shared across nights and projects.
  virtual std::optional<std::string> cache_get(std::string_view key) const = 0;
  virtual void cache_put(std::string_view key, std::string_view value) = 0;

  // Adoption, for the CLI. None of these needs an open night.
  virtual CommandResult status(std::string_view project, bool json) = 0;
  virtual CommandResult adopt(const AdoptRequest& request, bool json) = 0;
  virtual CommandResult rollback(const RollbackRequest& request, bool json) = 0;
  virtual CommandResult history(std::string_view project, bool json) = 0;
};

}  // namespace skillpipe
