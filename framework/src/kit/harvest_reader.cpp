// harvest_reader.cpp - LineReader: stream a JSONL file (plain or zstd) line by line.
//
// One growable buffer per reader: read() fills it, memchr finds line ends, a line longer
// than the cap switches the reader to discard mode until the next '\n'. Nothing is mapped,
// so resident memory stays at the buffer size whatever the file size. Offsets are counted
// in content bytes (decompressed for .zst), which is what cursors store.
#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

#include "skillpipe/kit/harvest.hpp"

namespace skillpipe::harvest {
namespace {
constexpr std::size_t kChunk = 256 * 1024;
constexpr std::size_t kKeepSpare = 4u << 20;  // larger buffers go back to the allocator
constexpr std::size_t kHeadBytes = 4096;       // what head_hash() covers

// An uninitialised byte buffer: zero-filling 512 KiB per file cost more than the parsing.
struct Buffer {
  std::unique_ptr<char[]> p;
  std::size_t n = 0;
  Buffer() = default;
  Buffer(Buffer&& o) noexcept : p(std::move(o.p)), n(std::exchange(o.n, 0)) {}
  Buffer& operator=(Buffer&& o) noexcept {
    p = std::move(o.p);
    n = std::exchange(o.n, 0);
    return *this;
  }
  char* data() { return p.get(); }
  std::size_t size() const { return n; }
  char& operator[](std::size_t i) { return p[i]; }
  void grow(std::size_t want, std::size_t keep) {
    std::unique_ptr<char[]> q(new char[want]);
    if (keep) std::memcpy(q.get(), p.get(), keep);
    p = std::move(q);
    n = want;
  }
};

// Each worker thread reads file after file: it reuses one buffer instead of faulting in
// fresh pages for every file.
thread_local Buffer t_spare;
}  // namespace

struct LineReader::Impl {
  int fd = -1;
  ZSTD_DStream* zs = nullptr;
  std::vector<char> zin;
  std::size_t zin_pos = 0, zin_len = 0;
  std::size_t last_zret = 0;  // 0 when the last zstd frame ended cleanly
  Buffer buf;
  std::size_t beg = 0, end = 0, scan = 0;  // unconsumed [beg, end); '\n' searched up to scan
  std::int64_t base = 0;                   // content offset of buf[0]
  std::int64_t committed = 0;
  bool eof = false;
  bool discarding = false;
  bool tail_pending = false;  // an unterminated tail was handed out
  bool tail_accepted = false;
  std::size_t max_line = 0;
  // The first kHeadBytes of content, copied as they stream by, so the cursor's head hash
  // needs no second read of the file (only when reading from offset 0).
  std::string head;
  bool head_whole = false;  // head holds kHeadBytes, or the whole (shorter) content

  Impl() {
    if (t_spare.size() >= 2 * kChunk) buf = std::move(t_spare);
  }
  ~Impl() {
    if (zs) ZSTD_freeDStream(zs);
    if (fd >= 0) ::close(fd);
    if (buf.size() <= kKeepSpare && buf.size() > t_spare.size()) t_spare = std::move(buf);
  }

  // Raw (possibly compressed) bytes from the file; -1 on error.
  ssize_t read_raw(char* dst, std::size_t n) {
    for (;;) {
      ssize_t r = ::read(fd, dst, n);
      if (r < 0 && errno == EINTR) continue;
      return r;
    }
  }

  // Appends content bytes at buf[end...]; returns bytes added, 0 at EOF, -1 on error.
  ssize_t fill(std::string* err) {
    std::size_t room = buf.size() - end;
    if (!zs) {
      ssize_t r = read_raw(buf.data() + end, room);
      if (r < 0) *err = std::string("read failed: ") + std::strerror(errno);
      return r;
    }
    for (;;) {
      if (zin_pos == zin_len) {
        ssize_t r = read_raw(zin.data(), zin.size());
        if (r < 0) {
          *err = std::string("read failed: ") + std::strerror(errno);
          return -1;
        }
        if (r == 0) {
          if (last_zret != 0) *err = "truncated zstd stream";
          return 0;
        }
        zin_pos = 0;
        zin_len = static_cast<std::size_t>(r);
      }
      ZSTD_inBuffer in{zin.data(), zin_len, zin_pos};
      ZSTD_outBuffer out{buf.data() + end, room, 0};
      std::size_t ret = ZSTD_decompressStream(zs, &out, &in);
      zin_pos = in.pos;
      if (ZSTD_isError(ret)) {
        *err = std::string("zstd: ") + ZSTD_getErrorName(ret);
        return -1;
      }
      last_zret = ret;
      if (out.pos > 0) return static_cast<ssize_t>(out.pos);
    }
  }

  // Called after `n` content bytes were added at buf[end - n, end); n == 0 at the end.
  void keep_head(std::size_t n) {
    if (head_whole) return;
    const std::int64_t at = base + static_cast<std::int64_t>(end - n);  // content offset of the new bytes
    if (at != static_cast<std::int64_t>(head.size())) return;          // not contiguous from 0
    if (n == 0) {
      head_whole = true;
      return;
    }
    head.append(buf.data() + end - n, std::min(n, kHeadBytes - head.size()));
    head_whole = head.size() == kHeadBytes;
  }

  void compact() {
    if (beg == 0) return;
    std::size_t n = end - beg;
    if (n) std::memmove(buf.data(), buf.data() + beg, n);
    base += static_cast<std::int64_t>(beg);
    scan -= beg;
    end = n;
    beg = 0;
  }
};

LineReader::LineReader(std::size_t max_line_bytes) : impl_(std::make_unique<Impl>()) {
  impl_->max_line = max_line_bytes < 1024 ? 1024 : max_line_bytes;
}
LineReader::~LineReader() = default;

bool LineReader::open(const std::string& path, bool zstd, std::int64_t offset, std::string* error) {
  Impl& m = *impl_;
  m.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (m.fd < 0) {
    if (error) *error = std::string("cannot open: ") + std::strerror(errno);
    return false;
  }
  if (m.buf.size() < kChunk * 2) m.buf.grow(kChunk * 2, 0);
  std::string err;
  if (zstd) {
    m.zs = ZSTD_createDStream();
    ZSTD_initDStream(m.zs);
    m.zin.resize(ZSTD_DStreamInSize());
    // Content offsets are in decompressed bytes: skip by decompressing.
    std::int64_t skipped = 0;
    while (skipped < offset) {
      m.end = 0;
      ssize_t r = m.fill(&err);
      if (r < 0) {
        if (error) *error = err;
        return false;
      }
      if (r == 0) {
        short_ = true;
        m.eof = true;
        m.base = skipped;
        m.committed = skipped;
        return true;
      }
      std::int64_t got = r;
      if (skipped + got > offset) {
        std::size_t keep_from = static_cast<std::size_t>(offset - skipped);
        m.beg = keep_from;
        m.end = static_cast<std::size_t>(got);
        m.scan = m.beg;
        m.base = skipped;
        skipped = offset;
        break;
      }
      skipped += got;
      m.base = skipped;
    }
    if (m.beg == 0 && m.end == 0) m.base = offset;
  } else if (offset > 0) {
    off_t size = ::lseek(m.fd, 0, SEEK_END);
    if (size < offset) {
      short_ = true;
      m.eof = true;
      m.committed = offset;
      return true;
    }
    ::lseek(m.fd, offset, SEEK_SET);
    m.base = offset;
  }
  if (!zstd) ::posix_fadvise(m.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  m.committed = offset;
  return true;
}

bool LineReader::next(Line& line) {
  Impl& m = *impl_;
  if (short_) return false;
  for (;;) {
    const char* nl = nullptr;
    if (m.scan < m.end)
      nl = static_cast<const char*>(std::memchr(m.buf.data() + m.scan, '\n', m.end - m.scan));
    if (nl) {
      std::size_t pos = static_cast<std::size_t>(nl - m.buf.data());
      std::size_t b = m.beg;
      m.beg = m.scan = pos + 1;
      m.committed = m.base + static_cast<std::int64_t>(m.beg);
      if (m.discarding) {  // the rest of an over-long line
        m.discarding = false;
        continue;
      }
      std::size_t e = pos;
      if (e > b && m.buf[e - 1] == '\r') --e;
      if (e == b) continue;  // blank line
      if (e - b > m.max_line) {  // whole in the buffer, but over the cap all the same
        ++oversize_;
        continue;
      }
      ++lines_;
      line.text = std::string_view(m.buf.data() + b, e - b);
      line.offset = m.base + static_cast<std::int64_t>(b);
      line.terminated = true;
      return true;
    }
    m.scan = m.end;
    if (m.eof) {
      if (m.beg < m.end && !m.discarding && !m.tail_pending) {
        m.tail_pending = true;
        std::size_t b = m.beg;
        m.beg = m.end;
        ++lines_;
        line.text = std::string_view(m.buf.data() + b, m.end - b);
        line.offset = m.base + static_cast<std::int64_t>(b);
        line.terminated = false;
        return true;
      }
      return false;
    }
    if (m.discarding) {  // drop what we have of the over-long line
      m.base += static_cast<std::int64_t>(m.end);
      m.beg = m.end = m.scan = 0;
    } else if (m.end - m.beg > m.max_line) {
      ++oversize_;
      m.discarding = true;
      m.base += static_cast<std::int64_t>(m.end);
      m.beg = m.end = m.scan = 0;
    }
    m.compact();
    if (m.buf.size() - m.end < kChunk) {
      std::size_t want = std::max(m.buf.size() * 2, m.end + kChunk);
      want = std::min(want, m.max_line + 2 * kChunk);
      if (want > m.buf.size()) m.buf.grow(want, m.end);
    }
    ssize_t r = m.fill(&error_);
    if (r < 0) {
      m.eof = true;
      return false;
    }
    if (r == 0) {
      m.eof = true;
      m.keep_head(0);
      continue;
    }
    bytes_ += r;
    m.end += static_cast<std::size_t>(r);
    m.keep_head(static_cast<std::size_t>(r));
  }
}

void LineReader::accept_tail() {
  Impl& m = *impl_;
  if (m.tail_pending) {
    m.tail_accepted = true;
    m.committed = m.base + static_cast<std::int64_t>(m.end);
  }
}

std::string LineReader::head_hash() const {
  return impl_->head_whole ? harvest::head_hash(impl_->head) : std::string();
}

// Reads only the head: a small buffer, not the 512 KiB a parse uses.
std::string file_head_hash(const FileInfo& file) {
  const int fd = ::open(file.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string head(kHeadBytes, '\0');
  std::size_t got = 0;
  bool ok = true;
  if (!file.zstd) {
    while (got < kHeadBytes) {
      const ssize_t r = ::read(fd, head.data() + got, kHeadBytes - got);
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        ok = r == 0;
        break;
      }
      got += static_cast<std::size_t>(r);
    }
  } else {
    ZSTD_DStream* zs = ZSTD_createDStream();
    ZSTD_initDStream(zs);
    std::vector<char> in(ZSTD_DStreamInSize());
    while (ok && got < kHeadBytes) {
      const ssize_t r = ::read(fd, in.data(), in.size());
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) {
        ok = r == 0;
        break;
      }
      ZSTD_inBuffer zin{in.data(), static_cast<std::size_t>(r), 0};
      while (ok && zin.pos < zin.size && got < kHeadBytes) {
        ZSTD_outBuffer out{head.data() + got, kHeadBytes - got, 0};
        ok = !ZSTD_isError(ZSTD_decompressStream(zs, &out, &zin));
        got += out.pos;
      }
    }
    ZSTD_freeDStream(zs);
  }
  ::close(fd);
  if (!ok) return {};
  head.resize(got);
  return harvest::head_hash(head);
}

std::int64_t LineReader::end_offset() const { return impl_->committed; }

bool LineReader::torn_tail() const { return impl_->tail_pending && !impl_->tail_accepted; }

}  // namespace skillpipe::harvest
