// test_doubles.hpp - in-test services for judge and miner tests: a scripted Backend (replies
// in order, or computed; "!retryable" / "!budget" / "!error" throw), and the SDK's in-memory
// Store (skillpipe/testing/memory_store.hpp). Registered in host::Services like the host
// registers real ones.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "skillpipe/backend.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/testing/memory_store.hpp"

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

}  // namespace skillpipe::testing
