#include "file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "durable_fs.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::store_files {
namespace {

// The lock file's body: "key=value" lines (pid, host, purpose, since).
std::map<std::string, std::string> read_info(int fd) {
  std::map<std::string, std::string> info;
  std::string text;
  char buf[1024];
  ssize_t n;
  off_t off = 0;
  while ((n = ::pread(fd, buf, sizeof buf, off)) > 0) {
    text.append(buf, static_cast<std::size_t>(n));
    off += n;
    if (text.size() > 8192) break;
  }
  for (const auto& line : split(text, '\n')) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) info[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return info;
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "?";
  return buf;
}

std::string describe(const std::map<std::string, std::string>& info) {
  auto get = [&](const char* k) {
    const auto it = info.find(k);
    return it == info.end() ? std::string("?") : it->second;
  };
  return get("purpose") + " (pid " + get("pid") + " on " + get("host") + ", since " + get("since") + ")";
}

bool holder_is_dead(const std::map<std::string, std::string>& info) {
  const auto pid = info.find("pid");
  const auto host = info.find("host");
  if (pid == info.end()) return false;
  // A process on another host cannot be checked from here.
  if (host != info.end() && host->second != host_name()) return false;
  return !pid_alive(std::strtol(pid->second.c_str(), nullptr, 10));
}

}  // namespace

std::unique_ptr<FileLock> FileLock::acquire(const std::string& path, const std::string& purpose,
                                            const std::string& subject, std::string* stale_note) {
  // O_CLOEXEC: backend subprocesses must not inherit (and so keep holding) the lock.
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, kPrivateFile);
  if (fd < 0) throw Error("cannot open lock file " + path + ": " + std::strerror(errno));
  int rc = ::flock(fd, LOCK_EX | LOCK_NB);
  // A holder that wrote nothing is in its first instant (or is a reader peeking with
  // holder()); give it a moment rather than refusing with an anonymous message.
  for (int i = 0; i < 10 && rc != 0 && errno == EWOULDBLOCK && read_info(fd).empty(); ++i) {
    ::usleep(20000);
    rc = ::flock(fd, LOCK_EX | LOCK_NB);
  }
  if (rc != 0) {
    const int e = errno;
    const auto info = read_info(fd);
    ::close(fd);
    if (e != EWOULDBLOCK) throw Error("cannot lock " + path + ": " + std::strerror(e));
    std::string msg = subject + " is locked by " + describe(info) + ".";
    if (holder_is_dead(info)) {
      msg += " That process has exited, but a process it started still holds " + path +
             "; end that process (see `fuser " + path + "`) and retry.";
    } else {
      msg += " Wait for it to finish, or stop it, then retry.";
    }
    throw LockBusy(msg);
  }
  const auto old = read_info(fd);
  if (stale_note && !old.empty() && old.count("pid") && std::strtol(old.at("pid").c_str(), nullptr, 10) != ::getpid()) {
    // flock is released by the kernel when a process dies, so a lock we could take whose
    // file still names a holder was left by a process that did not finish cleanly.
    *stale_note = "took over a stale lock on " + subject + " left by " + describe(old) +
                  (holder_is_dead(old) ? ", which is no longer running" : "");
  }
  const std::string body = "pid=" + std::to_string(::getpid()) + "\nhost=" + host_name() + "\npurpose=" + purpose +
                           "\nsince=" + format_iso8601_s(now_ms()) + "\n";
  if (::ftruncate(fd, 0) == 0) {
    ssize_t ignored = ::pwrite(fd, body.data(), body.size(), 0);
    (void)ignored;
  }
  return std::unique_ptr<FileLock>(new FileLock(fd));
}

std::string FileLock::holder(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string out;
  if (::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK) out = describe(read_info(fd));
  ::close(fd);
  return out;
}

FileLock::~FileLock() {
  if (fd_ < 0) return;
  // A clean release leaves an empty file, so the next holder sees nothing stale.
  if (::ftruncate(fd_, 0) != 0) {
    // Nothing useful to do: the flock is still released by close().
  }
  ::close(fd_);
}

}  // namespace skillpipe::store_files
