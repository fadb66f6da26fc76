// clock.hpp - the time source backends use for backoff, rate limits and wall-time caps.
//
// Injectable so tests can check backoff timing without waiting: a virtual clock's sleep
// advances its time at once. Backends pick one from their config (`test_virtual_clock`).
#pragma once

#include <functional>
#include <memory>

namespace skillpipe::backend_common {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual double now_s() = 0;        // monotonic seconds
  virtual void sleep_s(double s) = 0;
};

std::unique_ptr<Clock> make_real_clock();
// Real monotonic time plus every sleep so far; sleeping never blocks. Thread-safe (sleeps
// from concurrent threads add up, so only single-threaded timing is exact).
std::unique_ptr<Clock> make_virtual_clock();

// Sleeps `s` in short slices so Ctrl-C (`cancelled`) is noticed; false if cancelled.
bool sleep_interruptible(Clock& clock, double s, const std::function<bool()>& cancelled);

}  // namespace skillpipe::backend_common
