// file_lock.hpp - an exclusive flock(2) on a lock file that also records who holds it, so a
// refused process can say which run holds the project and whether that process is alive.
#pragma once

#include <memory>
#include <string>

#include "skillpipe/errors.hpp"

namespace skillpipe::store_files {

// Thrown when another live process holds the lock. The message names the holder.
class LockBusy : public Error {
 public:
  using Error::Error;
};

class FileLock {
 public:
  // Takes the lock without waiting. `purpose` ("skillpipe run", "adopt") is written into the
  // file for the next process to read; `subject` ("project /home/me/app") goes into messages.
  // Throws LockBusy naming the holder. When the file names a process that is gone (a stale
  // lock), the lock is taken over and `stale_note` says so.
  static std::unique_ptr<FileLock> acquire(const std::string& path, const std::string& purpose,
                                           const std::string& subject, std::string* stale_note = nullptr);
  // Describes the current holder ("" when nobody holds it). Never blocks.
  static std::string holder(const std::string& path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace skillpipe::store_files
