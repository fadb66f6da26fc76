// durable_fs.hpp - every write the store makes goes through here: atomic replace (temp file,
// fsync, rename, fsync dir), durable JSONL append, durable unlink; inside a night and an
// adoption the fsyncs are batched to the commit points (DeferSync, sync_pending). Each is one or two
// counted *steps*; a FaultInjector armed with N ends the process (_exit) at step N, so tests
// can simulate a crash between any two writes of a night or of an adoption.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace skillpipe::store_files {

// The exit status of a process ended by fault injection (distinct from any normal exit).
inline constexpr int kFaultExitCode = 86;

class FaultInjector {
 public:
  // 0 disarms. Otherwise the process ends at the `fail_at`-th step counted from now.
  void arm(std::int64_t fail_at) {
    fail_at_ = fail_at;
    count_ = 0;
  }
  // Arms from SKILLPIPE_STORE_FAIL_AFTER when set (tests of the CLI and of `skillpipe run`).
  void arm_from_env();
  // Counts a step; returns true when this is the fatal step. The caller may then tear the
  // write (half a JSONL line) before calling die().
  bool reached();
  [[noreturn]] void die(std::string_view what, const std::string& path) const;
  // Counts a step and dies at the fatal one.
  void step(std::string_view what, const std::string& path) {
    if (reached()) die(what, path);
  }
  std::int64_t steps() const { return count_.load(); }

 private:
  std::atomic<std::int64_t> count_{0};
  std::int64_t fail_at_ = 0;
};

// fsync on by default. Off only for throwaway stores and tests that simulate *process* crashes
// (the page cache survives those; it does not survive power loss).
void set_fsync_enabled(bool on);
// On (the default): writes made inside a DeferSync scope are flushed together by the next
// sync_pending() (a commit point) instead of one by one. Off: every write is flushed at once.
void set_sync_at_commit(bool on);

// While one is alive on this thread, write_atomic / append_durable / make_dirs /
// remove_durable still write, rename and unlink in the same order (a killed process loses
// nothing the page cache holds) but leave their fsyncs to sync_pending().
class DeferSync {
 public:
  DeferSync();
  ~DeferSync();
  DeferSync(const DeferSync&) = delete;
  DeferSync& operator=(const DeferSync&) = delete;
};
// Flushes every file and directory written under a DeferSync since the last call (all
// threads), the fsyncs issued together: file contents first, then directories. A commit marker
// is written only after this returns, so after a power loss a marker never names data the disk
// does not hold. Throws Error naming the file on failure (after attempting every path).
void sync_pending();
// Flushes one file and its directory entry now (it may also be pending: flushed twice, cheaply).
void sync_now(const std::string& path);

inline constexpr int kPrivateFile = 0600;  // store files hold transcript-derived text
inline constexpr int kPrivateDir = 0700;
inline constexpr int kPreserveMode = -1;  // keep the replaced file's mode (0666 & ~umask when new)

// Replaces `path` atomically: write a unique temp file beside it, fsync, rename over,
// fsync the directory. Throws Error naming the file.
void write_atomic(FaultInjector& fi, const std::string& path, std::string_view content, int mode = kPrivateFile);
// Appends `data` (whole lines ending in '\n') and fsyncs. If the file ends in a torn line
// (no final '\n', left by a crash), that fragment is cut off first: it was never
// acknowledged to the caller.
void append_durable(FaultInjector& fi, const std::string& path, std::string_view data);
// Unlinks `path` (if present) and fsyncs its directory.
void remove_durable(FaultInjector& fi, const std::string& path);
// mkdir -p with `mode` for created directories; fsyncs the parent of each one created.
// Returns true when the last component was created.
bool make_dirs(const std::string& path, int mode = kPrivateDir);
void fsync_dir(const std::string& dir);

// Reads a whole file: nullopt when it does not exist; throws Error for other failures.
std::optional<std::string> read_bytes(const std::string& path);
// Removes temp files left in `dir` by writers that are no longer running.
void remove_stale_temps(const std::string& dir);
// The same in `dir` and every directory below it (a crash can leave one in any shard).
void remove_stale_temps_below(const std::string& dir);
bool is_temp_name(std::string_view file_name);

// Symlink-resolving canonical path (missing tail components kept as written).
std::string real_path(const std::string& path);
bool is_symlink(const std::string& path);
bool path_exists(const std::string& path);  // lstat succeeds
bool pid_alive(long pid);

}  // namespace skillpipe::store_files
