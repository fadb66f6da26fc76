// scripted_server.hpp - a real HTTP server on loopback that speaks the OpenAI Chat
// Completions and Anthropic Messages APIs, scripted per request: answers, usage, latency,
// error statuses with Retry-After, hangs, malformed JSON and truncated bodies. It records
// every request and the most requests it ever had in flight. Used by tests and bench/.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
}

namespace skillpipe::testing {

struct ScriptedRequest {
  std::string path;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

struct Action {
  enum Kind { kOk, kStatus, kHang, kMalformed, kTruncated };
  Kind kind = kOk;
  std::string text;              // kOk: the answer ("" = "ok " + a hash of the request body)
  int status = 200;              // kStatus
  std::string body;              // kStatus: raw body ("" = a provider-style error object)
  std::string retry_after;       // Retry-After header value, if not empty
  long input_tokens = 11;
  long output_tokens = 7;
  bool omit_usage = false;
  double latency_s = 0;          // waits before answering (every kind)
  bool compress = false;         // let the server compress (brotli/gzip) when the client accepts it

  static Action ok(std::string text = {}) {
    Action a;
    a.text = std::move(text);
    return a;
  }
  static Action error(int status, std::string retry_after = {}) {
    Action a;
    a.kind = kStatus;
    a.status = status;
    a.retry_after = std::move(retry_after);
    return a;
  }
  static Action of(Kind k) {
    Action a;
    a.kind = k;
    return a;
  }
};

class ScriptedServer {
 public:
  ScriptedServer();
  ~ScriptedServer();
  ScriptedServer(const ScriptedServer&) = delete;
  ScriptedServer& operator=(const ScriptedServer&) = delete;

  int port() const { return port_; }
  std::string openai_base_url() const;      // http://127.0.0.1:PORT/v1
  std::string anthropic_base_url() const;   // http://127.0.0.1:PORT

  void push(Action a);                      // the next request gets the oldest queued action
  void set_default(Action a);               // used when the queue is empty
  void set_responder(std::function<Action(const ScriptedRequest&)> fn);  // overrides both

  int requests() const { return requests_.load(); }
  int max_in_flight() const { return max_in_flight_.load(); }
  std::vector<ScriptedRequest> received() const;
  void reset_counters();

 private:
  Action next_action(const ScriptedRequest& req);

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  std::atomic<int> requests_{0};
  std::atomic<int> in_flight_{0};
  std::atomic<int> max_in_flight_{0};
  mutable std::mutex mu_;
  std::deque<Action> queue_;
  Action default_;
  std::function<Action(const ScriptedRequest&)> responder_;
  std::vector<ScriptedRequest> received_;
};

}  // namespace skillpipe::testing
