// rate_limiter.hpp - how many requests may be in flight, and how many per minute.
//
// A concurrency limit (a counting semaphore) plus sliding one-minute windows for requests
// and tokens per minute. Every attempt, retries included, takes a permit, so a retry storm
// cannot exceed the provider's limits either.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>

#include "clock.hpp"

namespace skillpipe::backend_common {

class RateLimiter {
 public:
  // 0 for rpm/tpm means no limit.
  RateLimiter(Clock& clock, int max_concurrency, double requests_per_minute, double tokens_per_minute);

  class Permit {
   public:
    Permit() = default;
    Permit(RateLimiter* owner, std::uint64_t id) : owner_(owner), id_(id) {}
    Permit(Permit&& o) noexcept : owner_(o.owner_), id_(o.id_) { o.owner_ = nullptr; }
    Permit& operator=(Permit&& o) noexcept;
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit();
    // Replaces the token estimate recorded for this request with what it really used.
    void settle(std::int64_t actual_tokens);

   private:
    RateLimiter* owner_ = nullptr;
    std::uint64_t id_ = 0;
  };

  // Blocks until a slot is free and the windows allow `est_tokens` more. Throws Error
  // ("cancelled") when `cancelled` turns true while waiting.
  Permit acquire(std::int64_t est_tokens, const std::function<bool()>& cancelled);
  int in_flight() const;

 private:
  struct Entry {
    double t;
    std::int64_t tokens;
    std::uint64_t id;
  };
  void release(std::uint64_t id);
  void settle(std::uint64_t id, std::int64_t tokens);
  void prune_locked(double now);

  Clock& clock_;
  const int max_concurrency_;
  const double rpm_;
  const double tpm_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int in_flight_ = 0;
  std::deque<Entry> window_;
  std::uint64_t next_id_ = 1;
};

}  // namespace skillpipe::backend_common
