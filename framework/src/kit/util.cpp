#include "skillpipe/kit/util.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "../sdk/utf8.hpp"  // one UTF-8 implementation, in libskillpipe
#include "skillpipe/errors.hpp"

namespace skillpipe {

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static const char* kHex = "0123456789abcdef";
  std::string out(len * 2, '0');
  for (unsigned i = 0; i < len; ++i) {
    out[2 * i] = kHex[md[i] >> 4];
    out[2 * i + 1] = kHex[md[i] & 15];
  }
  return out;
}

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

int days_in_month(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's algorithm).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace

std::optional<std::int64_t> parse_iso8601_ms(std::string_view s) {
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) return std::nullopt;  // 2026-02-31 is no date
  std::size_t pos = 10;
  std::int64_t ms = 0;
  int offset_min = 0;
  if (pos < s.size() && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' ')) {
    if (!digits(s, pos + 1, 2, h) || s.size() < pos + 6 || s[pos + 3] != ':' || !digits(s, pos + 4, 2, mi))
      return std::nullopt;
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!digits(s, pos + 1, 2, sec)) return std::nullopt;
      pos += 3;
    }
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      ++pos;
      int scale = 100;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
        ms += (s[pos] - '0') * scale;
        scale /= 10;
        ++pos;
      }
    }
    if (pos < s.size()) {
      if (s[pos] == 'Z' || s[pos] == 'z') {
        ++pos;
      } else if (s[pos] == '+' || s[pos] == '-') {
        int oh = 0, om = 0;
        const int sign = s[pos] == '-' ? -1 : 1;
        if (!digits(s, pos + 1, 2, oh)) return std::nullopt;
        std::size_t p2 = pos + 3;
        if (p2 < s.size() && s[p2] == ':') ++p2;
        if (!digits(s, p2, 2, om)) return std::nullopt;
        // Real UTC offsets run from -12:00 to +14:00; "+99:99" is a typo, not a zone.
        if (om > 59 || oh * 60 + om > 14 * 60) return std::nullopt;
        offset_min = sign * (oh * 60 + om);
        pos = p2 + 2;
      }
    }
    if (pos != s.size()) return std::nullopt;
    if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
  } else if (pos != s.size()) {
    return std::nullopt;
  }
  const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return ((days * 86400 + h * 3600 + mi * 60 + sec) - offset_min * 60) * 1000 + ms;
}

std::optional<double> parse_duration_hours(std::string_view s) {
  if (s.size() < 2 || s.size() > 16) return std::nullopt;
  const std::string_view num = s.substr(0, s.size() - 1);
  std::size_t i = 0, whole = 0, frac = 0;
  while (i < num.size() && num[i] >= '0' && num[i] <= '9') ++i, ++whole;
  if (i < num.size() && num[i] == '.')
    for (++i; i < num.size() && num[i] >= '0' && num[i] <= '9'; ++i) ++frac;
  if (whole == 0 || i != num.size() || (num.find('.') != std::string_view::npos && frac == 0)) return std::nullopt;
  const double n = std::strtod(std::string(num).c_str(), nullptr);  // only digits and one '.': in range
  double hours = 0;
  switch (s.back()) {
    case 'm': hours = n / 60.0; break;
    case 'h': hours = n; break;
    case 'd': hours = n * 24.0; break;
    case 'w': hours = n * 24.0 * 7.0; break;
    default: return std::nullopt;
  }
  if (!(hours > 0) || hours > kMaxDurationHours) return std::nullopt;
  return hours;
}

static std::string format_time(std::int64_t epoch_ms, bool with_ms) {
  std::time_t secs = static_cast<std::time_t>(epoch_ms >= 0 ? epoch_ms / 1000 : (epoch_ms - 999) / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(buf, n);
  if (with_ms) {
    char frac[8];
    std::snprintf(frac, sizeof frac, ".%03d", static_cast<int>(((epoch_ms % 1000) + 1000) % 1000));
    out += frac;
  }
  return out + "Z";
}

std::string format_iso8601(std::int64_t epoch_ms) { return format_time(epoch_ms, true); }
std::string format_iso8601_s(std::int64_t epoch_ms) { return format_time(epoch_ms, false); }

std::int64_t now_ms() {
  if (const char* fake = std::getenv("SKILLPIPE_NOW"); fake && *fake) {
    if (auto t = parse_iso8601_ms(fake)) return *t;
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

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

std::string to_lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string trim(std::string_view s) { return detail::trim_ascii(s); }

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    std::size_t p = s.find(sep, start);
    out.emplace_back(s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.starts_with(prefix); }
bool ends_with(std::string_view s, std::string_view suffix) { return s.ends_with(suffix); }

bool utf8_valid(std::string_view s) { return detail::utf8_valid(s); }
std::size_t repair_utf8(std::string& s) { return detail::repair_utf8(s); }

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string truncate_utf8(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + "\xE2\x80\xA6";
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::string shell_quote(std::string_view s, std::string_view bare) {
  const bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || bare.find(c) != std::string_view::npos;
  });
  if (plain) return std::string(s);
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::vector<std::string> template_placeholders(std::string_view t) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while ((i = t.find("{{", i)) != std::string_view::npos) {
    const std::size_t close = t.find("}}", i + 2);
    if (close == std::string_view::npos) break;
    out.push_back(trim(t.substr(i + 2, close - i - 2)));
    i = close + 2;
  }
  return out;
}

std::vector<std::string> unknown_placeholders(std::string_view tmpl, const std::vector<std::string>& allowed) {
  std::vector<std::string> bad;
  for (auto& name : template_placeholders(tmpl))
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) bad.push_back(std::move(name));
  return bad;
}

std::string render_template(std::string_view t, const std::map<std::string, std::string>& values) {
  std::string out;
  out.reserve(t.size() + 1024);
  std::size_t i = 0;
  while (i < t.size()) {
    const std::size_t open = t.find("{{", i);
    const std::size_t close = open == std::string_view::npos ? open : t.find("}}", open + 2);
    if (open == std::string_view::npos || close == std::string_view::npos) {
      out.append(t.substr(i));
      break;
    }
    out.append(t.substr(i, open - i));
    const auto it = values.find(trim(t.substr(open + 2, close - open - 2)));
    if (it != values.end()) out += it->second;
    i = close + 2;
  }
  return out;
}

std::string project_slug(std::string_view project_path) {
  std::string slug;
  for (char c : project_path) {
    if (std::isalnum(static_cast<unsigned char>(c))) slug += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    else if (!slug.empty() && slug.back() != '-') slug += '-';
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  if (slug.size() > 48) slug = slug.substr(slug.size() - 48);
  if (slug.empty()) slug = "root";
  return slug + "-" + sha256_hex(project_path).substr(0, 8);
}

}  // namespace skillpipe
