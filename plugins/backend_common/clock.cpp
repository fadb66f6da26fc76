#include "clock.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

namespace skillpipe::backend_common {
namespace {

double steady_now_s() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

class RealClock final : public Clock {
 public:
  double now_s() override { return steady_now_s(); }
  void sleep_s(double s) override {
    if (s > 0) std::this_thread::sleep_for(std::chrono::duration<double>(s));
  }
};

class VirtualClock final : public Clock {
 public:
  double now_s() override {
    std::lock_guard<std::mutex> lk(mu_);
    return steady_now_s() + offset_s_;
  }
  void sleep_s(double s) override {
    if (s <= 0) return;
    std::lock_guard<std::mutex> lk(mu_);
    offset_s_ += s;
  }

 private:
  std::mutex mu_;
  double offset_s_ = 0;
};

}  // namespace

std::unique_ptr<Clock> make_real_clock() { return std::make_unique<RealClock>(); }
std::unique_ptr<Clock> make_virtual_clock() { return std::make_unique<VirtualClock>(); }

bool sleep_interruptible(Clock& clock, double s, const std::function<bool()>& cancelled) {
  constexpr double kSlice = 0.2;
  double left = s;
  while (left > 0) {
    if (cancelled && cancelled()) return false;
    double step = std::min(left, kSlice);
    clock.sleep_s(step);
    left -= step;
  }
  return !(cancelled && cancelled());
}

}  // namespace skillpipe::backend_common
