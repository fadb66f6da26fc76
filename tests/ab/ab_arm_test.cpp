// An A/B arm's wrappers around the configured backend (host/ab/arm.hpp).
#include <gtest/gtest.h>

#include "host/ab/arm.hpp"
#include "host/basic_context.hpp"

using namespace skillpipe::host::ab;

namespace {

class AheadBackend final : public skillpipe::Backend, public skillpipe::Lookahead {
 public:
  bool available(std::string*) const override { return true; }
  std::string identity() const override { return "ahead"; }
  skillpipe::ChatResponse complete(const skillpipe::ChatRequest&, skillpipe::Context&) override { return {}; }
  void expect(const std::vector<skillpipe::ChatRequest>& r, skillpipe::Context&) override { expected += r.size(); }
  void forget(const std::vector<skillpipe::ChatRequest>& r, skillpipe::Context&) override { forgotten += r.size(); }
  std::size_t expected = 0, forgotten = 0;
};

}  // namespace

// An arm meters its backend through a wrapper; the wrapper passes a Lookahead on, so an agent
// backend inside an A/B arm still gets its next replays ready.
TEST(AbArm, TheUsageMeterPassesTheBackendsLookaheadOn) {
  skillpipe::host::Services svc;
  skillpipe::host::BasicContext ctx("ab", skillpipe::RunInfo{}, &svc);
  AheadBackend inner;
  UsageMeter m(&inner);
  auto* ahead = dynamic_cast<skillpipe::Lookahead*>(static_cast<skillpipe::Backend*>(&m));
  ASSERT_NE(ahead, nullptr);
  const std::vector<skillpipe::ChatRequest> two(2);
  ahead->expect(two, ctx);
  ahead->forget(two, ctx);
  EXPECT_EQ(inner.expected, 2u);
  EXPECT_EQ(inner.forgotten, 2u);
  struct Plain final : skillpipe::Backend {
    bool available(std::string*) const override { return true; }
    std::string identity() const override { return "plain"; }
    skillpipe::ChatResponse complete(const skillpipe::ChatRequest&, skillpipe::Context&) override { return {}; }
  } plain;
  UsageMeter p(&plain);
  p.expect(two, ctx);  // nothing to tell: a no-op
  p.forget(two, ctx);
}
