#include "budget.hpp"

#include <cstdio>
#include <limits>

#include "skillpipe/errors.hpp"

namespace skillpipe::backend_common {

BudgetCaps read_budget_caps(const Config& budget) {
  BudgetCaps caps;
  if (budget.has("max_tokens")) caps.max_tokens = budget.get_int("max_tokens");
  if (budget.has("max_cost_usd")) caps.max_cost_usd = budget.get_double("max_cost_usd");
  if (budget.has("max_wall_s")) caps.max_wall_s = budget.get_double("max_wall_s");
  if (budget.has("max_calls")) caps.max_calls = budget.get_int("max_calls");
  return caps;
}

BudgetTracker::BudgetTracker(Clock& clock, BudgetCaps caps)
    : clock_(clock), caps_(caps), start_s_(clock.now_s()) {}

bool BudgetTracker::has_caps() const {
  return caps_.max_tokens || caps_.max_cost_usd || caps_.max_wall_s || caps_.max_calls;
}

double BudgetTracker::elapsed_locked() const { return prior_wall_s_ + (clock_.now_s() - start_s_); }

void BudgetTracker::exhaust_locked(const std::string& reason) {
  if (!exhausted_) {
    exhausted_ = true;
    reason_ = reason;
  }
  throw BudgetExceeded("budget exhausted: " + reason_);
}

void BudgetTracker::exhaust(const std::string& reason) {
  std::lock_guard<std::mutex> lk(mu_);
  exhaust_locked(reason);
}

static std::string fmt_usd(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "$%.4f", v);
  return buf;
}

std::uint64_t BudgetTracker::reserve(std::int64_t tokens, double cost_usd) {
  std::lock_guard<std::mutex> lk(mu_);
  if (exhausted_) throw BudgetExceeded("budget exhausted: " + reason_);
  double elapsed = elapsed_locked();
  if (caps_.max_wall_s && elapsed >= *caps_.max_wall_s) {
    exhaust_locked("wall time cap of " + std::to_string(static_cast<long long>(*caps_.max_wall_s)) +
                   " s reached");
  }
  if (caps_.max_calls) {
    const auto in_flight = static_cast<std::int64_t>(reservations_.size());
    if (used_calls_ + in_flight + 1 > *caps_.max_calls) {
      exhaust_locked("call cap of " + std::to_string(*caps_.max_calls) + " reached (" + std::to_string(used_calls_) +
                     " made, " + std::to_string(in_flight) + " in flight)");
    }
  }
  if (caps_.max_tokens) {
    std::int64_t committed = used_tokens_ + reserved_tokens_;
    if (committed + tokens > *caps_.max_tokens) {
      exhaust_locked("token cap of " + std::to_string(*caps_.max_tokens) + " reached (" +
                     std::to_string(used_tokens_) + " used, " + std::to_string(reserved_tokens_) +
                     " in flight, the next call may need up to " + std::to_string(tokens) + ")");
    }
  }
  if (caps_.max_cost_usd) {
    double committed = used_cost_ + reserved_cost_;
    if (committed + cost_usd > *caps_.max_cost_usd) {
      exhaust_locked("cost cap of " + fmt_usd(*caps_.max_cost_usd) + " reached (" + fmt_usd(used_cost_) +
                     " spent, the next call may cost up to " + fmt_usd(cost_usd) + ")");
    }
  }
  std::uint64_t id = next_id_++;
  reservations_[id] = {tokens, cost_usd};
  reserved_tokens_ += tokens;
  reserved_cost_ += cost_usd;
  return id;
}

void BudgetTracker::release(std::uint64_t reservation) {
  std::lock_guard<std::mutex> lk(mu_);
  auto it = reservations_.find(reservation);
  if (it == reservations_.end()) return;
  reserved_tokens_ -= it->second.first;
  reserved_cost_ -= it->second.second;
  reservations_.erase(it);
}

void BudgetTracker::commit(std::uint64_t reservation, std::int64_t tokens, double cost_usd) {
  std::lock_guard<std::mutex> lk(mu_);
  auto it = reservations_.find(reservation);
  if (it != reservations_.end()) {
    reserved_tokens_ -= it->second.first;
    reserved_cost_ -= it->second.second;
    reservations_.erase(it);
  }
  ++used_calls_;
  used_tokens_ += tokens;
  used_cost_ += cost_usd;
  // Mark the cap reached now so the report names it even if no later call is attempted.
  if (!exhausted_ && caps_.max_tokens && used_tokens_ >= *caps_.max_tokens) {
    exhausted_ = true;
    reason_ = "token cap of " + std::to_string(*caps_.max_tokens) + " reached";
  } else if (!exhausted_ && caps_.max_cost_usd && used_cost_ >= *caps_.max_cost_usd) {
    exhausted_ = true;
    reason_ = "cost cap of " + fmt_usd(*caps_.max_cost_usd) + " reached";
  } else if (!exhausted_ && caps_.max_calls && used_calls_ >= *caps_.max_calls) {
    exhausted_ = true;
    reason_ = "call cap of " + std::to_string(*caps_.max_calls) + " reached";
  }
}

void BudgetTracker::check_wall() {
  std::lock_guard<std::mutex> lk(mu_);
  if (exhausted_) throw BudgetExceeded("budget exhausted: " + reason_);
  if (caps_.max_wall_s && elapsed_locked() >= *caps_.max_wall_s) {
    exhaust_locked("wall time cap of " + std::to_string(static_cast<long long>(*caps_.max_wall_s)) +
                   " s reached");
  }
}

double BudgetTracker::wall_left_s() {
  std::lock_guard<std::mutex> lk(mu_);
  if (!caps_.max_wall_s) return std::numeric_limits<double>::infinity();
  return *caps_.max_wall_s - elapsed_locked();
}

void BudgetTracker::add_prior(std::int64_t calls, std::int64_t tokens, double cost_usd, double wall_s) {
  std::lock_guard<std::mutex> lk(mu_);
  used_calls_ += calls;
  used_tokens_ += tokens;
  used_cost_ += cost_usd;
  prior_wall_s_ += wall_s;
}

double BudgetTracker::run_wall_s() const { return clock_.now_s() - start_s_; }

BudgetState BudgetTracker::state() {
  std::lock_guard<std::mutex> lk(mu_);
  BudgetState s;
  s.tokens_used = used_tokens_;
  s.cost_used = used_cost_;
  s.wall_s = elapsed_locked();
  s.max_tokens = caps_.max_tokens;
  s.max_cost = caps_.max_cost_usd;
  s.max_wall_s = caps_.max_wall_s;
  s.exhausted = exhausted_;
  s.reason = reason_;
  return s;
}

}  // namespace skillpipe::backend_common
