#include "backoff.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <string>

namespace skillpipe::backend_common {

Backoff::Backoff(BackoffPolicy policy, std::optional<std::uint64_t> seed) : policy_(policy) {
  if (seed) {
    rng_.seed(*seed);
  } else {
    std::random_device rd;
    rng_.seed((static_cast<std::uint64_t>(rd()) << 32) ^ rd());
  }
}

double Backoff::delay_s(int retry) {
  int exponent = std::clamp(retry - 1, 0, 30);
  double d = std::min(policy_.max_s, policy_.base_s * std::ldexp(1.0, exponent));
  double j = std::clamp(policy_.jitter, 0.0, 1.0);
  if (j <= 0 || d <= 0) return std::max(0.0, d);
  std::lock_guard<std::mutex> lk(mu_);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  return d * (1.0 - j * u(rng_));
}

std::optional<double> parse_retry_after(std::string_view value, std::int64_t now_epoch_s,
                                        bool milliseconds) {
  std::string v(value);
  while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.pop_back();
  std::size_t start = 0;
  while (start < v.size() && std::isspace(static_cast<unsigned char>(v[start]))) ++start;
  v = v.substr(start);
  if (v.empty()) return std::nullopt;
  char* end = nullptr;
  double n = std::strtod(v.c_str(), &end);
  if (end && *end == '\0' && std::isfinite(n)) {
    if (n < 0) return std::nullopt;
    return milliseconds ? n / 1000.0 : n;
  }
  if (milliseconds) return std::nullopt;
  // HTTP-date, IMF-fixdate form: "Sun, 06 Nov 1994 08:49:37 GMT".
  std::tm tm{};
  const char* rest = strptime(v.c_str(), "%a, %d %b %Y %H:%M:%S", &tm);
  if (!rest) return std::nullopt;
  std::int64_t at = static_cast<std::int64_t>(timegm(&tm));
  return static_cast<double>(std::max<std::int64_t>(0, at - now_epoch_s));
}

}  // namespace skillpipe::backend_common
