// adoption.hpp - moving staged proposals into the agent's live files, and back.
//
// A version is one transaction (adopt or rollback). Each one: take the project's adopt
// lock, finish any interrupted transaction, re-verify the pins (live bytes, real path, no
// symlink swap), store the old and new bytes as content-addressed blobs, write the journal,
// replace the live files atomically, append a receipt, remove the journal. A receipt is the
// commit: after a crash, a journal with a receipt is rolled forward, one without is rolled
// back, so every live file ends fully old or fully new.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "durable_fs.hpp"
#include "file_lock.hpp"
#include "layout.hpp"
#include "skillpipe/store.hpp"
#include "store_records.hpp"

namespace skillpipe::store_files {

class Adoption {
 public:
  Adoption(const Layout& layout, FaultInjector& fi);

  // Takes the adopt lock (throws LockBusy naming the holder).
  void lock(const std::string& purpose);
  // Like lock() but returns false instead of throwing when another process holds it.
  bool try_lock(const std::string& purpose);
  void unlock() {
    lock_.reset();
    store_lock_.reset();
  }

  // Needs the lock. Rolls an interrupted transaction forward or back; returns what it did
  // ("" when there was nothing to recover). Throws Error when a live file matches neither
  // side (edited after the crash), keeping the journal and backups.
  std::string recover();

  AdoptionResult adopt(const AdoptRequest& request);
  AdoptionResult rollback(const RollbackRequest& request);

  // Committed versions, oldest first.
  std::vector<Txn> versions() const;
  // The same, as the contract's records (with undone_by filled).
  std::vector<AdoptionVersion> history() const;
  bool journal_pending() const;

  // One live file a transaction replaces.
  struct Change {
    TxnFile file;
    std::string before_bytes;  // the live bytes now (kept as a backup blob)
    std::string after_bytes;   // what to write (ignored when file.sha_after is "": remove)
  };

 private:
  // Each file must still hold exactly what skillpipe last wrote there; reads the bytes both
  // sides need. Returns the violations ("" none).
  std::vector<std::string> pin_rollback(std::vector<Change>& changes) const;
  // Writes blobs, journal, live files, receipt, then removes the journal.
  AdoptionResult commit(Txn txn, std::vector<Change> changes);
  // Which proposals of the night `req` adopts, checked against their pins.
  AdoptionResult plan_adoption(const AdoptRequest& req, const NightEntry& night, const Manifest& m,
                               std::vector<Change>& changes);
  std::optional<Change> change_for(const ManifestEntry& e, const NightEntry& night, std::vector<std::string>& violations,
                                   std::vector<std::pair<std::string, std::string>>& skipped);
  void apply_side(const TxnFile& f, const std::string& sha, bool remove_created_parent);
  std::string current_sha(const std::string& path) const;
  std::string blob_bytes(const std::string& sha) const;
  void put_blob(const std::string& bytes);

  const Layout& layout_;
  FaultInjector& fi_;
  std::unique_ptr<FileLock> store_lock_;  // taken first, released last (members die in reverse)
  std::unique_ptr<FileLock> lock_;
};

// A refusal or failure (exit 2 or 1) / success with nothing done (exit 0).
AdoptionResult adoption_error(int exit_code, std::string message, std::vector<std::string> notes = {});
AdoptionResult adoption_nothing(std::string message, std::vector<std::string> notes = {});
AdoptionVersion to_version(const Txn& t);
// A target text the store wrote (manifest, receipts); throws Error naming `where` otherwise.
Target target_of(const std::string& text, const std::string& where);

}  // namespace skillpipe::store_files
