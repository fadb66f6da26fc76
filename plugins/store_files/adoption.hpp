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
  Adoption(const Layout& layout, FaultInjector& fi, std::string store_arg);

  // Takes the adopt lock (throws LockBusy naming the holder).
  void lock(const std::string& purpose);
  // Like lock() but returns false instead of throwing when another process holds it.
  bool try_lock(const std::string& purpose);
  void unlock() { lock_.reset(); }

  // Needs the lock. Rolls an interrupted transaction forward or back; returns what it did
  // ("" when there was nothing to recover). Throws Error when a live file matches neither
  // side (edited after the crash), keeping the journal and backups.
  std::string recover();

  CommandResult adopt(const AdoptRequest& request, bool json);
  CommandResult rollback(const RollbackRequest& request, bool json);

  // Committed versions, oldest first.
  std::vector<Txn> versions() const;
  bool journal_pending() const;

 private:
  struct Change {
    TxnFile file;
    std::string before_bytes;  // the live bytes now (kept as a backup blob)
    std::string after_bytes;   // what to write (ignored when file.sha_after is "": remove)
  };
  // Writes blobs, journal, live files, receipt, then removes the journal.
  CommandResult commit(Txn txn, std::vector<Change> changes, bool json, const std::string& done_text);
  void apply_side(const TxnFile& f, const std::string& sha, bool remove_created_parent);
  std::string current_sha(const std::string& path) const;
  std::string blob_bytes(const std::string& sha) const;
  void put_blob(const std::string& bytes);

  const Layout& layout_;
  FaultInjector& fi_;
  std::string store_arg_;
  std::unique_ptr<FileLock> lock_;
};

// A refusal or failure as a CommandResult with a matching JSON body.
CommandResult command_error(int exit_code, const std::string& message, bool json);
// Success with nothing done (exit 0).
CommandResult command_ok(const std::string& message, bool json);

}  // namespace skillpipe::store_files
