// The order a harvest's digests leave in (harvest_order.hpp).
#include "harvest_order.hpp"

#include <algorithm>

namespace skillpipe::harvest {

DigestOrder::DigestOrder(DigestSink& sink, std::int64_t max_sessions, std::size_t files)
    : sink_(sink), max_sessions_(max_sessions), waiting_(files), settled_(files, 0), evicted_(files, 0) {}

// Min-heap on age: the top is the oldest kept digest (ties: the later path).
bool DigestOrder::newer(const Kept& a, const Kept& b) {
  if (a.ended_ms != b.ended_ms) return a.ended_ms > b.ended_ms;
  return a.digest.raw_path > b.digest.raw_path;
}

bool DigestOrder::room_for(std::size_t i) const { return max_sessions_ > 0 || i < next_out_ + kWindow; }

bool DigestOrder::cap_full_older_than(std::int64_t mtime_ms) const {
  return max_sessions_ > 0 && static_cast<std::int64_t>(heap_.size()) >= max_sessions_ &&
         mtime_ms < heap_.front().ended_ms;
}

void DigestOrder::keep(std::size_t i, std::int64_t ended_ms, SessionDigest&& d) {
  if (max_sessions_ <= 0) {
    waiting_[i].push_back(std::move(d));
    return;
  }
  heap_.push_back({ended_ms, i, std::move(d)});
  std::push_heap(heap_.begin(), heap_.end(), newer);
  if (static_cast<std::int64_t>(heap_.size()) > max_sessions_) {
    std::pop_heap(heap_.begin(), heap_.end(), newer);
    evicted_[heap_.back().file] = 1;
    ++capped_;
    heap_.pop_back();
  }
}

bool DigestOrder::settle(std::size_t i) {
  settled_[i] = 1;
  const std::size_t before = next_out_;
  for (; next_out_ < settled_.size() && settled_[next_out_]; ++next_out_) {
    std::vector<SessionDigest> ds = std::move(waiting_[next_out_]);
    for (auto& d : ds) put(std::move(d));
  }
  return next_out_ != before;
}

void DigestOrder::put_kept() {
  std::vector<Kept> kept = std::move(heap_);
  heap_.clear();
  std::sort(kept.begin(), kept.end(), newer);
  for (auto& k : kept)
    if (!evicted_[k.file]) put(std::move(k.digest));
    else ++capped_;
}

// Once the sink has failed nothing more goes out: the failure is marked before the caller's
// lock is released, so no other worker puts in between.
void DigestOrder::put(SessionDigest&& d) {
  if (stopped_) return;
  const auto prompts = static_cast<std::int64_t>(d.user_prompts.size());
  try {
    sink_.put(std::move(d));
  } catch (...) {
    stopped_ = true;
    throw;
  }
  ++sessions_;
  prompts_ += prompts;
}

}  // namespace skillpipe::harvest
