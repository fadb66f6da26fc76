// test_doubles.hpp - in-test services for judge and miner tests: a scripted Backend (replies
// in order, or computed; "!retryable" / "!budget" / "!error" throw) and an in-memory Store
// (state only). Registered in host::Services like the host registers real ones.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "skillpipe/backend.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/store.hpp"

namespace skillpipe::testing {

class ScriptedBackend : public Backend {
 public:
  std::vector<std::string> replies;                              // consumed in order
  std::function<std::string(const ChatRequest&)> reply_fn;       // used when set
  bool is_paid = false;
  bool is_available = true;

  bool available(std::string* why) const override {
    if (!is_available && why) *why = "scripted: switched off";
    return is_available;
  }
  std::string identity() const override { return "scripted:test"; }
  bool paid() const override { return is_paid; }

  ChatResponse complete(const ChatRequest& req, Context&) override {
    std::string text;
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(req);
      if (reply_fn) {
        text = reply_fn(req);
      } else {
        if (next_ >= replies.size()) throw Error("scripted backend: no reply left");
        text = replies[next_++];
      }
    }
    if (text == "!retryable") throw RetryableError("scripted: 503 after retries");
    if (text == "!budget") throw BudgetExceeded("scripted: max_cost reached");
    if (text == "!error") throw Error("scripted: 401 bad key");
    ChatResponse r;
    r.text = text;
    r.usage.input = 10;
    r.usage.output = 5;
    return r;
  }

  std::vector<ChatRequest> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  mutable std::mutex mu_;
  std::size_t next_ = 0;
  std::vector<ChatRequest> requests_;
};

// Only per-project state is real; the miner needs nothing else.
class MemoryStore : public Store {
 public:
  std::map<std::string, std::string, std::less<>> state;

  NightHandle open_night(const std::string& project, Context&) override { return night_ = {project, "0001-test", "", false}; }
  void close_night(bool) override {}
  const NightHandle& night() const override { return night_; }
  void append(std::string_view, const std::vector<std::string>&) override {}
  std::vector<std::string> read(std::string_view) const override { return {}; }
  void write_artifact(std::string_view, std::string_view) override {}
  std::optional<std::string> read_artifact(std::string_view) const override { return std::nullopt; }
  void stage(const std::vector<Proposal>&, const NightReport&) override {}
  std::vector<NightReport> past_reports(std::string_view) const override { return {}; }
  std::optional<std::string> get_state(std::string_view key) const override {
    auto it = state.find(key);
    if (it == state.end()) return std::nullopt;
    return it->second;
  }
  void put_state(std::string_view key, std::string_view value) override { state[std::string(key)] = std::string(value); }
  std::optional<std::string> cache_get(std::string_view) const override { return std::nullopt; }
  void cache_put(std::string_view, std::string_view) override {}
  CommandResult status(std::string_view, bool) override { return {}; }
  CommandResult adopt(const AdoptRequest&, bool) override { return {}; }
  CommandResult rollback(const RollbackRequest&, bool) override { return {}; }
  CommandResult history(std::string_view, bool) override { return {}; }

 private:
  NightHandle night_;
};

}  // namespace skillpipe::testing
