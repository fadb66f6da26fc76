#include "host/progress.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>

namespace skillpipe::host {

namespace {

std::atomic<int> g_display{-1};  // -1: not decided yet, use isatty(2)

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

int terminal_width(std::FILE* out) {
  winsize ws{};
  if (::ioctl(::fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20) return ws.ws_col;
  return 80;
}

std::string fixed1(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

}  // namespace

void set_progress_display(bool enabled) { g_display.store(enabled ? 1 : 0); }

bool progress_display_enabled() {
  const int v = g_display.load();
  return v < 0 ? ::isatty(2) != 0 : v == 1;
}

std::string human_bytes(std::int64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(std::max<std::int64_t>(bytes, 0));
  int u = 0;
  while (v >= 1024.0 && u < 4) {
    v /= 1024.0;
    ++u;
  }
  return u == 0 ? std::to_string(bytes) + " B" : fixed1(v) + " " + kUnits[u];
}

std::string human_duration(double seconds) {
  const auto s = static_cast<long long>(std::llround(std::max(0.0, seconds)));
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
  return buf;
}

TerminalProgress::TerminalProgress(std::string label, std::FILE* out, Clock clock, int enabled)
    : label_(std::move(label)),
      out_(out),
      clock_(clock ? std::move(clock) : Clock(steady_ms)),
      enabled_(enabled < 0 ? progress_display_enabled() : enabled == 1) {}

TerminalProgress::~TerminalProgress() { finish(); }

void TerminalProgress::set_total(std::int64_t total) {
  finish();  // a new phase: the previous one gets its summary, the count restarts
  std::lock_guard lock(mu_);
  total_.store(total);
  done_.store(0);
  total_bytes_.store(0);
  bytes_.store(0);
  start_ms_ = clock_();
  last_draw_ms_ = -1;
  active_ = true;
}

void TerminalProgress::set_unit(std::string_view unit) {
  std::lock_guard lock(mu_);
  unit_ = std::string(unit);
}

void TerminalProgress::set_total_bytes(std::int64_t bytes) { total_bytes_.store(bytes); }

void TerminalProgress::advance_bytes(std::int64_t bytes) { bytes_.fetch_add(bytes); }

void TerminalProgress::advance(std::int64_t n) {
  done_.fetch_add(n);
  {
    std::lock_guard lock(mu_);
    if (!active_) {  // work without a set_total: a phase of unknown size
      active_ = true;
      start_ms_ = clock_();
    }
  }
  draw(false);
}

void TerminalProgress::draw(bool force) {
  if (!enabled_) return;
  std::lock_guard lock(mu_);
  const std::int64_t now = clock_();
  const bool last = total_.load() > 0 && done_.load() >= total_.load();
  // At most ten redraws a second, but always the first and the last, so a short phase shows.
  if (!force && !last && last_draw_ms_ >= 0 && now - last_draw_ms_ < 100) return;
  last_draw_ms_ = now;
  const auto width = static_cast<std::size_t>(terminal_width(out_) - 1);
  std::string text = line_locked(now, true);
  // Never wrap (a wrapped line cannot be redrawn): drop the bar before the numbers, then cut.
  if (text.size() > width) text = line_locked(now, false);
  if (text.size() > width) text.resize(width);
  std::fprintf(out_, "\r%s\x1b[K", text.c_str());
  std::fflush(out_);
  drawn_ = true;
}

std::string TerminalProgress::line() const {
  std::lock_guard lock(mu_);
  return line_locked(clock_(), true);
}

std::string TerminalProgress::line_locked(std::int64_t now, bool bar) const {
  const std::int64_t done = done_.load();
  // More done than announced means the total was wrong: show the count alone, never "5/1".
  const std::int64_t total = done > total_.load() ? 0 : total_.load();
  const std::int64_t tb = total_bytes_.load(), b = bytes_.load();
  const double secs = static_cast<double>(now - start_ms_) / 1000.0;
  std::string s = "[" + label_ + "] ";
  if (total > 0 && bar) {
    const int width = 20;
    const auto filled = static_cast<int>(width * std::min(done, total) / total);
    s += "[" + std::string(static_cast<std::size_t>(filled), '#') + std::string(static_cast<std::size_t>(width - filled), '.') + "] ";
  }
  s += std::to_string(done) + (total > 0 ? "/" + std::to_string(total) : "") + " " + unit_;
  double remaining = -1;
  if (tb > 0 || b > 0) {
    s += "  " + human_bytes(b) + (tb > 0 ? " / " + human_bytes(tb) : "");
    const double rate = secs > 0 ? static_cast<double>(b) / secs : 0;
    if (rate > 0) s += "  " + human_bytes(static_cast<std::int64_t>(rate)) + "/s";
    if (rate > 0 && tb > 0) remaining = static_cast<double>(std::max<std::int64_t>(tb - b, 0)) / rate;
  } else if (secs > 0 && done > 0) {
    const double rate = static_cast<double>(done) / secs;
    s += "  " + fixed1(rate) + " " + unit_ + "/s";
    if (total > 0) remaining = static_cast<double>(std::max<std::int64_t>(total - done, 0)) / rate;
  }
  s += remaining >= 0 ? "  ETA " + human_duration(remaining) : "  ETA --:--";
  return s;
}

std::string TerminalProgress::summary() const {
  std::lock_guard lock(mu_);
  const double secs = static_cast<double>(clock_() - start_ms_) / 1000.0;
  const std::int64_t b = bytes_.load();
  std::string s = label_ + ": " + std::to_string(done_.load()) + " " + unit_;
  if (b > 0) s += ", " + human_bytes(b);
  s += " in " + fixed1(secs) + " s";
  if (b > 0 && secs > 0) s += " (" + human_bytes(static_cast<std::int64_t>(static_cast<double>(b) / secs)) + "/s)";
  return s;
}

void TerminalProgress::finish(bool with_summary) {
  bool print = false, erase = false;
  {
    std::lock_guard lock(mu_);
    print = enabled_ && active_ && with_summary && (drawn_ || done_.load() > 0);
    erase = enabled_ && drawn_;
    active_ = false;
  }
  if (!print && !erase) return;
  if (print) std::fprintf(out_, "\r\x1b[K%s\n", summary().c_str());
  else std::fprintf(out_, "\r\x1b[K");
  std::fflush(out_);
  std::lock_guard lock(mu_);
  drawn_ = false;
}

}  // namespace skillpipe::host
