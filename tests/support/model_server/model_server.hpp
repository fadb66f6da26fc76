// model_server.hpp - a scripted model server on loopback that the real agent CLIs talk to.
//
// Routes (every request, answered or not, is logged):
//   POST /v1/messages                  Anthropic Messages, SSE when "stream": true
//   POST /v1/messages/count_tokens     {"input_tokens": <Usage::input_tokens of the policy's reply>}
//   POST /v1/responses, /responses     OpenAI Responses, SSE when "stream": true
//   POST /v1/chat/completions, /chat/completions   OpenAI Chat Completions
//   GET  /v1/models, /models           one model, "scripted-model" (Anthropic or OpenAI shape)
//   HEAD /                             200 (Claude Code probes the base URL)
//   anything else                      404 with an API-shaped error body
// The policy decides each model reply from the parsed request; see policy.hpp, script.hpp
// and skill_agent.hpp. It binds 127.0.0.1 only: CLIs must never reach another endpoint.
#pragma once

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "policy.hpp"

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace skillpipe::model_server {

struct ServerOptions {
  int port = 0;               // 0: any free port
  std::string log_path;       // JSONL request log, appended ("" = kept in memory only)
  std::string id_prefix = "scripted";  // ids are <kind>_<prefix>_<n>; unique per server
};

struct LoggedRequest {
  long seq = 0;               // 1-based arrival order
  std::string method, path, query;
  std::string api;            // anthropic | responses | chat | "" (not a model call)
  bool stream = false;
  int status = 0;             // the HTTP status answered
  std::string rule;           // which rule/step produced the reply
  std::string reply_text;     // the reply's text and tool calls, for assertions
  std::vector<ToolCall> reply_calls;
  std::map<std::string, std::string> headers;  // lower-case names; credentials masked
  std::string body;           // the raw request body
  bool is_model_call() const { return !api.empty(); }
};

class ModelServer {
 public:
  explicit ModelServer(PolicyPtr policy, ServerOptions opts = {});
  ~ModelServer();
  ModelServer(const ModelServer&) = delete;
  ModelServer& operator=(const ModelServer&) = delete;

  int port() const { return port_; }
  std::string base_url() const;             // http://127.0.0.1:PORT (ANTHROPIC_BASE_URL)
  std::string openai_base_url() const;      // http://127.0.0.1:PORT/v1 (Codex base_url)
  void set_policy(PolicyPtr policy);

  std::vector<LoggedRequest> requests() const;      // everything, in arrival order
  std::vector<LoggedRequest> model_calls() const;   // only the model API calls
  void clear_log();                                 // the in-memory log (the file keeps all)
  void stop();                                      // idempotent; the destructor calls it

 private:
  void handle_model(Api api, const httplib::Request& req, httplib::Response& res);
  void handle_other(const httplib::Request& req, httplib::Response& res);
  void serve(Api api, const Conversation& conv, const Reply& reply, const IdSource& ids, httplib::Response& res);
  void record(LoggedRequest r);
  void wait_ms(int ms);  // returns early when the server stops

  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  ServerOptions opts_;
  mutable std::mutex mu_;
  PolicyPtr policy_;
  std::vector<LoggedRequest> log_;
  std::ofstream log_file_;
  std::atomic<long> seq_{0};
  std::atomic<long> responses_{0};
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
};

}  // namespace skillpipe::model_server
