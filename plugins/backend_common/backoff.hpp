// backoff.hpp - retry delays: exponential with jitter, and the server's Retry-After.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string_view>

namespace skillpipe::backend_common {

struct BackoffPolicy {
  int max_retries = 4;             // retries after the first attempt
  double base_s = 1.0;             // delay before retry 1; doubles each retry
  double max_s = 60.0;             // cap on one computed delay
  double jitter = 0.5;             // fraction of each delay drawn at random (0 = exact)
  double max_retry_after_s = 300;  // a longer Retry-After is not worth waiting for tonight
};

class Backoff {
 public:
  // `seed` makes the jitter reproducible (tests); otherwise it is seeded from the OS.
  Backoff(BackoffPolicy policy, std::optional<std::uint64_t> seed = std::nullopt);
  const BackoffPolicy& policy() const { return policy_; }
  // Delay before retry number `retry` (1-based): base * 2^(retry-1), capped, of which a
  // `jitter` fraction is random so many clients hitting one 429 do not retry in lockstep.
  double delay_s(int retry);

 private:
  BackoffPolicy policy_;
  std::mutex mu_;
  std::mt19937_64 rng_;
};

// Seconds to wait from a Retry-After (or retry-after-ms when `milliseconds`) header value:
// delta-seconds (fractions accepted) or an HTTP-date. nullopt when unparsable.
std::optional<double> parse_retry_after(std::string_view value, std::int64_t now_epoch_s,
                                        bool milliseconds = false);

}  // namespace skillpipe::backend_common
