// util_files.cpp - paths and files: ~ and ${ENV} expansion, atomic writes, bounded reads
// (kit/util.hpp).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe {

std::string expand_path(std::string_view s) {
  std::string out;
  std::size_t i = 0;
  if (!s.empty() && s[0] == '~' && (s.size() == 1 || s[1] == '/')) {
    const char* home = std::getenv("HOME");
    out = home ? home : "";
    i = 1;
  }
  while (i < s.size()) {
    if (s[i] == '$' && i + 1 < s.size()) {
      std::size_t start = i + 1, end;
      std::string name;
      if (s[start] == '{') {
        end = s.find('}', start);
        if (end == std::string_view::npos) {
          out += s.substr(i);
          break;
        }
        name = std::string(s.substr(start + 1, end - start - 1));
        i = end + 1;
      } else {
        end = start;
        while (end < s.size() && (std::isalnum(static_cast<unsigned char>(s[end])) || s[end] == '_')) ++end;
        if (end == start) {
          out += '$';
          ++i;
          continue;
        }
        name = std::string(s.substr(start, end - start));
        i = end;
      }
      std::string def;
      bool has_def = false;
      if (auto p = name.find(":-"); p != std::string::npos) {
        def = name.substr(p + 2);
        name = name.substr(0, p);
        has_def = true;
      }
      const char* v = std::getenv(name.c_str());
      if (v && *v) out += v;
      else if (has_def) out += def;
    } else {
      out += s[i++];
    }
  }
  return out;
}

void ensure_dir(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) throw Error("cannot create directory " + path + ": " + ec.message());
}

static void fsync_dir(const std::string& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

void atomic_write_file(const std::string& path, std::string_view content) {
  const std::filesystem::path p(path);
  const std::string dir = p.parent_path().string();
  if (!dir.empty()) ensure_dir(dir);
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error("cannot write " + tmp + ": " + std::strerror(errno));
  std::size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw Error("cannot write " + tmp + ": " + std::strerror(e));
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    throw Error("cannot flush " + tmp + ": " + std::strerror(errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    throw Error("cannot rename " + tmp + " to " + path + ": " + std::strerror(e));
  }
  fsync_dir(dir);
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

std::string byte_size(std::uintmax_t n) {
  if (n >= (1u << 20)) return std::to_string(n >> 20) + " MiB";
  if (n >= (1u << 10)) return std::to_string(n >> 10) + " KiB";
  return std::to_string(n) + " bytes";
}

}  // namespace

FileText read_regular_file(const std::string& path, std::uintmax_t max_bytes) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below anyway.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return {std::nullopt, errno == ENOENT ? "does not exist" : std::string("cannot open: ") + std::strerror(errno)};
  struct stat st {};
  FileText out;
  if (::fstat(fd, &st) != 0) {
    out.error = std::string("cannot stat: ") + std::strerror(errno);
  } else if (S_ISDIR(st.st_mode)) {
    out.error = "is a directory, not a file";
  } else if (!S_ISREG(st.st_mode)) {
    out.error = "is not a regular file (a device, FIFO or socket)";
  } else if (static_cast<std::uintmax_t>(st.st_size) > max_bytes) {
    out.error = "is " + byte_size(static_cast<std::uintmax_t>(st.st_size)) + "; the limit is " + byte_size(max_bytes);
  } else {
    std::string text;
    char buf[65536];
    ssize_t n = 0;
    // Stops one byte past the limit: a file that grew since fstat is refused, not read whole.
    while (text.size() <= max_bytes && (n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
    if (n < 0) out.error = std::string("cannot read: ") + std::strerror(errno);
    else if (text.size() > max_bytes) out.error = "grew past the limit of " + byte_size(max_bytes) + " while being read";
    else out.text = std::move(text);
  }
  ::close(fd);
  return out;
}

}  // namespace skillpipe
