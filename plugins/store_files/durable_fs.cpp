#include "durable_fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>
#include <vector>

#include "skillpipe/errors.hpp"

namespace skillpipe::store_files {
namespace {

std::atomic<bool> g_fsync{true};
std::atomic<bool> g_batch{true};
thread_local int t_defer = 0;  // > 0 inside a DeferSync scope on this thread

// Files and directories written without fsync inside DeferSync scopes; sync_pending() flushes
// them all at the next commit point.
struct Pending {
  std::mutex mu;
  std::set<std::string> files;
  std::set<std::string> dirs;
};
Pending& pending() {
  static Pending p;
  return p;
}

std::string errno_text(int e) { return std::strerror(e); }

bool deferring() { return t_defer > 0 && g_batch.load(std::memory_order_relaxed) && g_fsync.load(std::memory_order_relaxed); }

void defer(const std::string* file, const std::string* dir) {
  Pending& p = pending();
  std::lock_guard lk(p.mu);
  if (file) p.files.insert(*file);
  if (dir) p.dirs.insert(*dir);
}

void fsync_dir_now(const std::string& dir, bool missing_ok = false) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    if (missing_ok && errno == ENOENT) return;
    throw Error("cannot open directory " + dir + ": " + errno_text(errno));
  }
  const int rc = ::fsync(fd);
  const int e = errno;
  ::close(fd);
  if (rc != 0 && e != EINVAL) throw Error("cannot fsync directory " + dir + ": " + errno_text(e));
}

// A pending directory may be gone by the commit point (a rollback removes the skill directory it
// emptied); its parent, which lost the entry, is pending too.
void fsync_pending_dir(const std::string& dir) { fsync_dir_now(dir, true); }

int do_fsync(int fd) { return g_fsync.load(std::memory_order_relaxed) ? ::fsync(fd) : 0; }

void fsync_path(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return;  // replaced or removed since: its successor is pending too
    throw Error("cannot open " + path + " to flush it: " + errno_text(errno));
  }
  const int rc = ::fsync(fd);
  const int e = errno;
  ::close(fd);
  if (rc != 0) throw Error("cannot fsync " + path + ": " + errno_text(e));
}

// fsyncs every path at once. One after the other, each fsync waits for its own journal commit
// and device flush (about 3 ms each on the project's VM); issued together they share them, so a
// commit point costs a few flushes instead of one per file (20 files: 75 ms in sequence,
// 9-38 ms together). Every path is attempted; the first failure is rethrown.
void flush_all(const std::vector<std::string>& paths, void (*flush)(const std::string&)) {
  constexpr std::size_t kMaxThreads = 8;
  std::atomic<std::size_t> next{0};
  std::mutex mu;
  std::exception_ptr first;
  auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < paths.size();) {
      try {
        flush(paths[i]);
      } catch (...) {
        std::lock_guard lk(mu);
        if (!first) first = std::current_exception();
      }
    }
  };
  std::vector<std::thread> helpers;
  for (std::size_t k = 1; k < std::min(paths.size(), kMaxThreads); ++k) {
    try {
      helpers.emplace_back(work);
    } catch (const std::system_error&) {
      break;  // no thread to spare: this one flushes the rest
    }
  }
  work();
  for (auto& t : helpers) t.join();
  if (first) std::rethrow_exception(first);
}

std::string parent_of(const std::string& path) {
  const auto pos = path.find_last_of('/');
  if (pos == std::string::npos) return ".";
  if (pos == 0) return "/";
  return path.substr(0, pos);
}

std::string base_of(const std::string& path) {
  const auto pos = path.find_last_of('/');
  return pos == std::string::npos ? path : path.substr(pos + 1);
}

void write_all(int fd, const char* data, std::size_t size, const std::string& path) {
  std::size_t off = 0;
  while (off < size) {
    const ssize_t n = ::write(fd, data + off, size - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error("cannot write " + path + ": " + errno_text(errno));
    }
    off += static_cast<std::size_t>(n);
  }
}

// Temp names are unique per process and call, so concurrent writers (replay threads putting
// cache entries) never share one: ".<name>.tmp-<pid>-<seq>".
std::string temp_path_for(const std::string& path) {
  static std::atomic<std::uint64_t> seq{0};
  return parent_of(path) + "/." + base_of(path) + ".tmp-" + std::to_string(::getpid()) + "-" +
         std::to_string(seq.fetch_add(1));
}

}  // namespace

void FaultInjector::arm_from_env() {
  if (const char* v = std::getenv("SKILLPIPE_STORE_FAIL_AFTER")) {
    char* end = nullptr;
    const long long n = std::strtoll(v, &end, 10);
    if (end != v && *end == '\0' && n > 0) arm(n);
  }
}

bool FaultInjector::reached() {
  const std::int64_t n = count_.fetch_add(1) + 1;
  return fail_at_ > 0 && n == fail_at_;
}

void FaultInjector::die(std::string_view what, const std::string& path) const {
  // A simulated crash: no destructors, no flushing, exactly like kill -9 at this point.
  std::fprintf(stderr, "store_files: fault injection: exiting at write step %lld (%.*s %s)\n",
               static_cast<long long>(fail_at_), static_cast<int>(what.size()), what.data(), path.c_str());
  std::fflush(stderr);
  ::_exit(kFaultExitCode);
}

void set_fsync_enabled(bool on) { g_fsync = on; }
void set_sync_at_commit(bool on) { g_batch = on; }

DeferSync::DeferSync() { ++t_defer; }
DeferSync::~DeferSync() { --t_defer; }

void sync_pending() {
  std::set<std::string> files, dirs;
  {
    Pending& p = pending();
    std::lock_guard lk(p.mu);
    files.swap(p.files);
    dirs.swap(p.dirs);
  }
  if (!g_fsync.load(std::memory_order_relaxed)) return;
  // Contents first, then the directory entries naming them.
  flush_all({files.begin(), files.end()}, fsync_path);
  flush_all({dirs.begin(), dirs.end()}, fsync_pending_dir);
}

void sync_now(const std::string& path) {
  if (!g_fsync.load(std::memory_order_relaxed)) return;
  fsync_path(path);
  fsync_dir_now(parent_of(path));
}

void fsync_dir(const std::string& dir) {
  if (!g_fsync.load(std::memory_order_relaxed)) return;
  if (deferring()) defer(nullptr, &dir);
  else fsync_dir_now(dir);
}


bool make_dirs(const std::string& path, int mode) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) throw Error(path + " exists and is not a directory");
    return false;
  }
  const std::string parent = parent_of(path);
  if (parent != path) make_dirs(parent, mode);
  if (::mkdir(path.c_str(), static_cast<mode_t>(mode)) != 0) {
    if (errno == EEXIST) return false;
    throw Error("cannot create directory " + path + ": " + errno_text(errno));
  }
  fsync_dir(parent);
  return true;
}

void write_atomic(FaultInjector& fi, const std::string& path, std::string_view content, int mode) {
  fi.step("write", path);
  bool exact = true;  // fchmod to `mode`, which the umask does not narrow
  if (mode == kPreserveMode) {
    struct stat st {};
    // A replaced live file keeps its permissions; a new one is created 0666 and the umask
    // narrows it (0644 under umask 022), as for any file a program creates.
    exact = ::stat(path.c_str(), &st) == 0;
    mode = exact ? static_cast<int>(st.st_mode & 07777) : 0666;
  }
  const std::string tmp = temp_path_for(path);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, static_cast<mode_t>(mode));
  if (fd < 0) throw Error("cannot create " + tmp + ": " + errno_text(errno));
  try {
    write_all(fd, content.data(), content.size(), tmp);
    if (exact && ::fchmod(fd, static_cast<mode_t>(mode)) != 0) {
      throw Error("cannot set the mode of " + tmp + ": " + errno_text(errno));
    }
    if (!deferring() && do_fsync(fd) != 0) throw Error("cannot fsync " + tmp + ": " + errno_text(errno));
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  ::close(fd);
  // A crash here leaves only the temp file: the target is still fully old.
  fi.step("rename", path);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    throw Error("cannot rename " + tmp + " to " + path + ": " + errno_text(e));
  }
  if (deferring()) defer(&path, nullptr);
  fsync_dir(parent_of(path));
}

void append_durable(FaultInjector& fi, const std::string& path, std::string_view data) {
  if (data.empty()) return;
  const bool existed = path_exists(path);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, kPrivateFile);
  if (fd < 0) throw Error("cannot open " + path + " for appending: " + errno_text(errno));
  try {
    struct stat st {};
    if (::fstat(fd, &st) != 0) throw Error("cannot stat " + path + ": " + errno_text(errno));
    off_t end = st.st_size;
    if (end > 0) {
      // Cut a torn tail back to the last complete line before appending after it.
      char last = 0;
      if (::pread(fd, &last, 1, end - 1) != 1) throw Error("cannot read " + path + ": " + errno_text(errno));
      if (last != '\n') {
        const std::size_t chunk = 4096;
        std::string buf;
        off_t cut = 0;
        for (off_t pos = end; pos > 0;) {
          const off_t from = pos > static_cast<off_t>(chunk) ? pos - static_cast<off_t>(chunk) : 0;
          buf.resize(static_cast<std::size_t>(pos - from));
          if (::pread(fd, buf.data(), buf.size(), from) != static_cast<ssize_t>(buf.size())) {
            throw Error("cannot read " + path + ": " + errno_text(errno));
          }
          const auto nl = buf.find_last_of('\n');
          if (nl != std::string::npos) {
            cut = from + static_cast<off_t>(nl) + 1;
            break;
          }
          pos = from;
        }
        if (::ftruncate(fd, cut) != 0) throw Error("cannot truncate " + path + ": " + errno_text(errno));
        end = cut;
      }
    }
    const bool fatal = fi.reached();
    // The fatal step tears the write in the middle of a line, like a crash mid-write would.
    const std::size_t n = fatal ? data.size() / 2 : data.size();
    std::size_t off = 0;
    while (off < n) {
      const ssize_t w = ::pwrite(fd, data.data() + off, n - off, end + static_cast<off_t>(off));
      if (w < 0) {
        if (errno == EINTR) continue;
        throw Error("cannot append to " + path + ": " + errno_text(errno));
      }
      off += static_cast<std::size_t>(w);
    }
    if (fatal) {
      do_fsync(fd);
      fi.die("append", path);
    }
    if (deferring()) defer(&path, nullptr);
    else if (do_fsync(fd) != 0) throw Error("cannot fsync " + path + ": " + errno_text(errno));
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  // A new file's directory entry must be durable too.
  if (!existed) fsync_dir(parent_of(path));
}

void remove_durable(FaultInjector& fi, const std::string& path) {
  fi.step("remove", path);
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return;
    throw Error("cannot remove " + path + ": " + errno_text(errno));
  }
  fsync_dir(parent_of(path));
}

std::optional<std::string> read_bytes(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
    throw Error("cannot read " + path + ": " + errno_text(errno));
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    throw Error("cannot read " + path + ": it is a directory");
  }
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      ::close(fd);
      throw Error("cannot read " + path + ": " + errno_text(e));
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

std::string real_path(const std::string& path) {
  std::error_code ec;
  auto p = std::filesystem::weakly_canonical(std::filesystem::path(path), ec);
  if (ec) return std::filesystem::path(path).lexically_normal().string();
  return p.string();
}

bool is_symlink(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode);
}

bool path_exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace skillpipe::store_files
