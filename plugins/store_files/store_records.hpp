// store_records.hpp - the store's own files: a night's manifest (the publication marker,
// pinning every proposal and live file) and adoption transactions (journal and receipts).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace skillpipe::store_files {

struct ManifestEntry {
  std::string name;
  std::string target;
  std::string status;  // accepted | unverified | quarantined | draft
  std::vector<std::string> reasons;
  std::string live_path;
  std::string live_realpath;  // canonical path of the live file when the night was staged
  bool live_existed = false;
  std::string live_sha256;    // the live bytes the night started from ("" when absent)
  std::string proposed_file;  // relative to the night directory
  std::string proposed_realpath;
  std::string sha256;  // of the proposed bytes
  std::string diff_file;
  int added = 0;
  int removed = 0;
  std::string refusal;  // non-empty: the store will not adopt this proposal
  bool changed_during_night = false;
};

struct Manifest {
  int schema_version = 1;
  std::string project;
  std::string night_id;
  std::string created_at;
  std::string night_realpath;
  std::string gate_action;
  bool has_report = false;
  std::vector<ManifestEntry> proposals;
  std::vector<std::pair<std::string, std::string>> files;  // (relative path, sha256)
};

std::string to_json(const Manifest& m);
// Throws Error naming `where` and the bad field.
Manifest parse_manifest(std::string_view text, const std::string& where);

// One live file changed by an adoption transaction.
struct TxnFile {
  std::string name;
  std::string target;
  std::string live_path;
  std::string live_realpath;
  std::string sha_before;  // "" = the file did not exist
  std::string sha_after;   // "" = the file is removed
  std::string night_id;    // the night whose proposal this is (adopt) or restores
  int added = 0;
  int removed = 0;
  int reverts = 0;              // rollback: the version whose change this undoes (0 = none)
  // Directories adoption created above the file, innermost first (`mkdir -p` may create
  // several: .claude/skills/<name>); undoing it removes those that are then empty.
  int dirs_created = 0;
};

// A version: one adopt or rollback. The journal holds it while in flight; receipts.jsonl
// holds one line per committed version.
struct Txn {
  int version = 0;
  std::string action;  // adopt | rollback
  std::string night_id;
  std::string at;
  int to_version = -1;  // rollback --to
  std::vector<TxnFile> files;
};

std::string to_json(const Txn& t);
Txn parse_txn(std::string_view text, const std::string& where);

}  // namespace skillpipe::store_files
