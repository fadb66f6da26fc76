// policy.hpp - what decides the scripted model's replies. A policy sees only what the CLI
// sent (the parsed request) and returns the next reply; the server calls it from several
// threads at once, so implementations must be thread-safe.
#pragma once

#include <functional>
#include <memory>

#include "conversation.hpp"
#include "reply.hpp"

namespace skillpipe::model_server {

class Policy {
 public:
  virtual ~Policy() = default;
  virtual Reply decide(const Conversation& c) = 0;
};
using PolicyPtr = std::shared_ptr<Policy>;

// Always the same reply.
class FixedPolicy : public Policy {
 public:
  explicit FixedPolicy(Reply r) : reply_(std::move(r)) {}
  Reply decide(const Conversation&) override { return reply_; }

 private:
  Reply reply_;
};

// A lambda as a policy (for tests that need one special case).
class FunctionPolicy : public Policy {
 public:
  explicit FunctionPolicy(std::function<Reply(const Conversation&)> fn) : fn_(std::move(fn)) {}
  Reply decide(const Conversation& c) override { return fn_(c); }

 private:
  std::function<Reply(const Conversation&)> fn_;
};

// Another policy's replies, each sent after a fixed delay (a slow model).
class DelayedPolicy : public Policy {
 public:
  DelayedPolicy(PolicyPtr inner, int delay_ms) : inner_(std::move(inner)), delay_ms_(delay_ms) {}
  Reply decide(const Conversation& c) override {
    Reply r = inner_->decide(c);
    r.delay_ms = delay_ms_;
    return r;
  }

 private:
  PolicyPtr inner_;
  int delay_ms_;
};

}  // namespace skillpipe::model_server
