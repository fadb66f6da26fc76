#include "rate_limiter.hpp"

#include <algorithm>
#include <chrono>

#include "skillpipe/errors.hpp"

namespace skillpipe::backend_common {

RateLimiter::RateLimiter(Clock& clock, int max_concurrency, double requests_per_minute,
                         double tokens_per_minute)
    : clock_(clock),
      max_concurrency_(std::max(1, max_concurrency)),
      rpm_(requests_per_minute),
      tpm_(tokens_per_minute) {}

RateLimiter::Permit& RateLimiter::Permit::operator=(Permit&& o) noexcept {
  if (this != &o) {
    if (owner_) owner_->release(id_);
    owner_ = o.owner_;
    id_ = o.id_;
    o.owner_ = nullptr;
  }
  return *this;
}

RateLimiter::Permit::~Permit() {
  if (owner_) owner_->release(id_);
}

void RateLimiter::Permit::settle(std::int64_t actual_tokens) {
  if (owner_) owner_->settle(id_, actual_tokens);
}

int RateLimiter::in_flight() const {
  std::lock_guard<std::mutex> lk(mu_);
  return in_flight_;
}

void RateLimiter::prune_locked(double now) {
  while (!window_.empty() && window_.front().t <= now - 60.0) window_.pop_front();
}

RateLimiter::Permit RateLimiter::acquire(std::int64_t est_tokens, const std::function<bool()>& cancelled) {
  auto is_cancelled = [&] { return cancelled && cancelled(); };
  {
    std::unique_lock<std::mutex> lk(mu_);
    while (in_flight_ >= max_concurrency_) {
      if (is_cancelled()) throw Error("cancelled while waiting for a free request slot");
      cv_.wait_for(lk, std::chrono::milliseconds(200));
    }
    ++in_flight_;
  }
  std::uint64_t id = 0;
  try {
    for (;;) {
      double wait = 0;
      {
        std::lock_guard<std::mutex> lk(mu_);
        double now = clock_.now_s();
        prune_locked(now);
        if (rpm_ > 0 && static_cast<double>(window_.size()) >= rpm_) {
          // The oldest request leaves the window first.
          std::size_t k = window_.size() - static_cast<std::size_t>(rpm_);
          wait = std::max(wait, window_[k].t + 60.0 - now);
        }
        if (tpm_ > 0 && !window_.empty()) {
          std::int64_t sum = 0;
          for (const auto& e : window_) sum += e.tokens;
          // Wait until enough old requests expire for this one to fit.
          std::int64_t excess = sum + est_tokens - static_cast<std::int64_t>(tpm_);
          for (const auto& e : window_) {
            if (excess <= 0) break;
            wait = std::max(wait, e.t + 60.0 - now);
            excess -= e.tokens;
          }
        }
        if (wait <= 0) {
          id = next_id_++;
          window_.push_back({now, est_tokens, id});
          return Permit(this, id);
        }
      }
      if (is_cancelled()) throw Error("cancelled while waiting for the rate limit");
      clock_.sleep_s(std::min(wait, 0.25));
    }
  } catch (...) {
    std::lock_guard<std::mutex> lk(mu_);
    --in_flight_;
    cv_.notify_one();
    throw;
  }
}

void RateLimiter::release(std::uint64_t) {
  std::lock_guard<std::mutex> lk(mu_);
  --in_flight_;
  cv_.notify_one();
}

void RateLimiter::settle(std::uint64_t id, std::int64_t tokens) {
  std::lock_guard<std::mutex> lk(mu_);
  for (auto& e : window_) {
    if (e.id == id) {
      e.tokens = tokens;
      break;
    }
  }
}

}  // namespace skillpipe::backend_common
