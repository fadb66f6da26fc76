#include "host/basic_context.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "skillpipe/backend.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::host {

namespace {
std::atomic<bool> g_cancel{false};

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

void request_cancel() { g_cancel.store(true); }
bool cancel_requested() { return g_cancel.load(); }

LogProgress::LogProgress(std::string label) : label_(std::move(label)), tty_(::isatty(2) != 0) {}

void LogProgress::set_total(std::int64_t total) { total_.store(total); }

void LogProgress::advance(std::int64_t n) {
  const std::int64_t done = done_.fetch_add(n) + n;
  const std::int64_t now = steady_ms();
  std::lock_guard<std::mutex> lock(mu_);
  // A live bar on a terminal; otherwise a line at most every 5 s so cron logs stay short.
  const std::int64_t every = tty_ ? 100 : 5000;
  if (now - last_print_ms_ < every && done != total_.load()) return;
  last_print_ms_ = now;
  const std::int64_t total = total_.load();
  if (tty_) {
    const int width = 30;
    const int filled = total > 0 ? static_cast<int>(width * std::min<std::int64_t>(done, total) / total) : 0;
    std::fprintf(stderr, "\r[%s] [%.*s%*s] %lld/%lld", label_.c_str(), filled, "##############################",
                 width - filled, "", static_cast<long long>(done), static_cast<long long>(total));
    if (total > 0 && done >= total) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  } else {
    spdlog::info("[{}] {}/{}", label_, done, total);
  }
}

void LogProgress::done() {}

BasicContext::BasicContext(std::string stage_id, RunInfo run, Services* services,
                           std::vector<std::string> input_judges)
    : stage_id_(std::move(stage_id)),
      run_(std::move(run)),
      services_(services),
      input_judges_(std::move(input_judges)),
      progress_(stage_id_) {
  auto base = spdlog::default_logger();
  logger_ = base->clone(stage_id_.empty() ? "skillpipe" : stage_id_);
  if (run_.now_utc.empty()) run_.now_utc = format_iso8601_s(now_ms());
}

BasicContext::~BasicContext() = default;

spdlog::logger& BasicContext::logger() { return *logger_; }

bool BasicContext::cancelled() const { return cancel_requested(); }

void BasicContext::count(std::string_view key, std::int64_t delta) {
  std::lock_guard<std::mutex> lock(mu_);
  counts_[std::string(key)] += delta;
}

void BasicContext::record_error(std::string_view record_id, std::string_view what) {
  if (record_errors_) return record_errors_->record_error(*logger_, record_id, what);
  count("record_errors");
  logger_->warn("skipped {}: {}", record_id.empty() ? std::string_view("a record") : record_id, what);
}

std::map<std::string, std::int64_t> BasicContext::counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_;
}

Backend* BasicContext::backend(std::string_view id) {
  if (!services_) return nullptr;
  auto it = services_->backends.find(id);
  return it == services_->backends.end() ? nullptr : it->second;
}

Judge* BasicContext::judge(std::string_view id) {
  if (!services_) return nullptr;
  auto it = services_->judges.find(id);
  return it == services_->judges.end() ? nullptr : it->second;
}

Store* BasicContext::store() { return services_ ? services_->store : nullptr; }
EvaluationService* BasicContext::evaluator() { return services_ ? services_->evaluator : nullptr; }

}  // namespace skillpipe::host
