// util_time.cpp - ISO 8601 times, durations and the clock (kit/util.hpp).
#include <chrono>
#include <cstdlib>
#include <ctime>

#include "skillpipe/kit/util.hpp"

namespace skillpipe {

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

}  // namespace skillpipe
