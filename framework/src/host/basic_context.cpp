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
}  // namespace

void request_cancel() { g_cancel.store(true); }
bool cancel_requested() { return g_cancel.load(); }

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
