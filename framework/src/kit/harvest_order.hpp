// harvest_order.hpp - the order a harvest's digests leave in (internal to the kit).
// Newest file first, whatever order the worker threads finish in. Without a session cap a
// file's digests go out as soon as every newer file is settled, so only a window of files
// waits in memory. With a cap, a bounded heap keeps the newest digests until the run is over.
// Not thread-safe: the driver calls it under its lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "skillpipe/kit/harvest.hpp"

namespace skillpipe::harvest {

class DigestOrder {
 public:
  // Files are numbered 0..files-1, newest first. max_sessions <= 0: no cap.
  DigestOrder(DigestSink& sink, std::int64_t max_sessions, std::size_t files);

  // No cap: file i may be worked on when it is at most kWindow files past the oldest file
  // not yet settled (that file is always being worked on, so a waiting worker gets room).
  bool room_for(std::size_t i) const;
  // With a cap full of digests newer than mtime_ms: no file that old can enter it.
  bool cap_full_older_than(std::int64_t mtime_ms) const;
  // One of file i's digests, ended at ended_ms. With a cap, the oldest kept digest may lose
  // its place; its file is then evicted.
  void keep(std::size_t i, std::int64_t ended_ms, SessionDigest&& d);
  // File i is done (read, or passed over): puts out every digest no unsettled newer file
  // precedes. True when the window moved (waiting workers may go on).
  bool settle(std::size_t i);
  // With a cap, once every file is settled: the kept digests, newest first. A file that lost
  // one digest to the cap loses them all: it keeps its old cursor, so keeping the rest would
  // harvest them twice.
  void put_kept();

  // File i lost a digest to the cap (its cursor must not move).
  bool evicted(std::size_t i) const { return evicted_[i] != 0; }
  // Nothing more goes to the sink: a worker failed, or the sink did.
  void stop() { stopped_ = true; }
  bool stopped() const { return stopped_; }

  std::int64_t sessions() const { return sessions_; }
  std::int64_t prompts() const { return prompts_; }
  std::int64_t capped() const { return capped_; }

 private:
  struct Kept {
    std::int64_t ended_ms = 0;
    std::size_t file = 0;
    SessionDigest digest;
  };
  static bool newer(const Kept& a, const Kept& b);
  void put(SessionDigest&& d);

  static constexpr std::size_t kWindow = 64;
  DigestSink& sink_;
  const std::int64_t max_sessions_;
  std::vector<Kept> heap_;                           // with a cap: min-heap on age
  std::vector<std::vector<SessionDigest>> waiting_;  // per file, no cap: ready, not yet out
  std::vector<char> settled_, evicted_;              // per file
  std::size_t next_out_ = 0;                         // the first file not yet settled
  bool stopped_ = false;
  std::int64_t sessions_ = 0, prompts_ = 0, capped_ = 0;
};

}  // namespace skillpipe::harvest
