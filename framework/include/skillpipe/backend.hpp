// backend.hpp - the chat-completion service interface (LLMs, agent CLIs, mocks, hand-off).
//
// Backends are named services, not pipeline nodes: replay, the LLM judge, the LLM miner and
// reflection look them up with Context::backend(id). complete() is called concurrently
// from the evaluation service's worker threads, so implementations must be thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "skillpipe/records.hpp"
#include "skillpipe/stage.hpp"

namespace skillpipe {

struct ChatMessage {
  std::string role;     // system | user | assistant
  std::string content;
  bool operator==(const ChatMessage&) const = default;
};

// What an agentic backend needs to re-solve a task in a workspace; the evaluation service
// fills it for replays (chat backends ignore it and answer the messages).
struct ReplaySetup {
  TaskRecord task;
  std::string skill_name;      // the skill under test ("" = none)
  std::string skill_text;      // its whole SKILL.md, frontmatter included
  std::string memory_text;     // the memory document ("" = none)
};

struct ChatRequest {
  std::vector<ChatMessage> messages;
  double temperature = 0.0;
  int max_tokens = 1024;
  std::vector<std::string> stop;
  std::optional<std::int64_t> seed;
  int sample = 0;               // rollout index; part of the cache key
  std::string purpose;          // replay | judge | reflect | mine | draft
  // Structured facts about the request that are not part of the prompt (task id, tags,
  // reference). Never sent to a provider; deterministic test backends read them.
  Attrs meta;
  std::optional<ReplaySetup> replay;  // purpose "replay": the task and documents, for agentic backends
};

struct ChatResponse {
  std::string text;
  TokenUsage usage;
  double latency_ms = 0;
  double cost_usd = 0;
  bool cached = false;
  std::string model;
  std::string finish_reason;
  std::optional<Trajectory> trajectory;  // what an agentic backend's agent did; chat backends: none
};

// A rough forecast of a request's size, for plan-before-spending.
struct CostEstimate {
  std::int64_t calls = 0;
  std::int64_t tokens_in = 0;
  std::int64_t tokens_out = 0;
  double cost_usd = 0;
};

struct BudgetState {
  std::int64_t tokens_used = 0;
  double cost_used = 0;
  double wall_s = 0;
  std::optional<std::int64_t> max_tokens;
  std::optional<double> max_cost;
  std::optional<double> max_wall_s;
  bool exhausted = false;
  std::string reason;           // which cap ended it
};

class SKILLPIPE_VISIBLE Backend : public Component {
 public:
  ~Backend() override;
  // False when the backend cannot serve (no key configured, CLI not installed...); `why`
  // tells the user how to enable it. Stages then do what they can without it.
  virtual bool available(std::string* why) const = 0;
  // Identity for cache keys and reports, e.g. "openai:gpt-4o-mini".
  virtual std::string identity() const = 0;
  // Throws RetryableError only after its own retries are exhausted, BudgetExceeded when a
  // cap is reached, Error for permanent failures (bad key, bad model).
  virtual ChatResponse complete(const ChatRequest& request, Context& ctx) = 0;
  // Whether calls cost money (a real provider) - paid backends refuse unreviewed task files.
  virtual bool paid() const { return false; }
  virtual CostEstimate estimate(const ChatRequest& request) const;
  virtual BudgetState budget() const { return {}; }
};

// Optional (ABI 4.1), for a backend whose calls start slowly: an agent CLI spends seconds of
// CPU starting up before its first model call. The evaluation service tells such a backend
// which requests its workers are about to make, in the order they will make them, so it can
// get the next ones ready while earlier ones wait on the model. A backend opts in by also
// deriving from Lookahead; the host finds it with dynamic_cast, so a plugin built before 4.1
// is never asked. Getting ready must cost no model call and no budget: a call that never
// comes (a budget stop, a cancel, an answer from the cache) wastes only local work.
class SKILLPIPE_VISIBLE Lookahead {
 public:
  virtual ~Lookahead();
  // complete() will be called with these requests, in this order (several batches may be
  // expected at once). Called from the evaluation service's thread before its workers start.
  virtual void expect(const std::vector<ChatRequest>& upcoming, Context& ctx) = 0;
  // These calls will not come any more (the batch ended, maybe early): release what was made
  // ready for them. Called once per expect(), after the batch's workers stopped.
  virtual void forget(const std::vector<ChatRequest>& upcoming, Context& ctx) = 0;
};

}  // namespace skillpipe
