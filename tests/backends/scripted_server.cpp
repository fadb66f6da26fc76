#include "scripted_server.hpp"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <stdexcept>

#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::testing {
namespace {

bool is_anthropic(const std::string& path) { return path == "/v1/messages"; }

// httplib listens with a backlog of 5: a client opening many connections at once gets SYNs
// dropped and waits a 1 s retransmit, which no real provider would cause. Find our listening
// socket and raise its backlog (listen() may be called again on a listening socket).
void widen_backlog(int port) {
  for (int fd = 0; fd < 4096; ++fd) {
    int listening = 0;
    socklen_t len = sizeof listening;
    if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening) continue;
    sockaddr_in addr{};
    socklen_t alen = sizeof addr;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &alen) == 0 && addr.sin_family == AF_INET &&
        ntohs(addr.sin_port) == port) {
      ::listen(fd, SOMAXCONN);
      return;
    }
  }
}

std::string ok_body(const std::string& path, const Action& a, const std::string& text) {
  std::string usage;
  if (is_anthropic(path)) {
    if (!a.omit_usage) {
      usage = ",\"usage\":{\"input_tokens\":" + std::to_string(a.input_tokens) +
              ",\"output_tokens\":" + std::to_string(a.output_tokens) + "}";
    }
    return "{\"id\":\"msg_test\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"scripted-model\","
           "\"content\":[{\"type\":\"text\",\"text\":" + json_quote(text) + "}],\"stop_reason\":\"end_turn\"" +
           usage + "}";
  }
  if (!a.omit_usage) {
    usage = ",\"usage\":{\"prompt_tokens\":" + std::to_string(a.input_tokens) +
            ",\"completion_tokens\":" + std::to_string(a.output_tokens) +
            ",\"total_tokens\":" + std::to_string(a.input_tokens + a.output_tokens) + "}";
  }
  return "{\"id\":\"chatcmpl-test\",\"object\":\"chat.completion\",\"model\":\"scripted-model\","
         "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" + json_quote(text) +
         "},\"finish_reason\":\"stop\"}]" + usage + "}";
}

std::string error_body(const std::string& path, int status) {
  std::string msg = "scripted error " + std::to_string(status);
  if (is_anthropic(path)) {
    return "{\"type\":\"error\",\"error\":{\"type\":\"scripted_error\",\"message\":" + json_quote(msg) + "}}";
  }
  return "{\"error\":{\"message\":" + json_quote(msg) + ",\"type\":\"scripted_error\",\"code\":null}}";
}

}  // namespace

ScriptedServer::ScriptedServer() : server_(std::make_unique<httplib::Server>()) {
  // Enough workers that the server is never the bottleneck of a concurrency test.
  server_->new_task_queue = [] { return new httplib::ThreadPool(64); };
  server_->set_keep_alive_max_count(100000);
  server_->set_tcp_nodelay(true);  // no Nagle + delayed-ACK stalls between header and body writes
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    int now = ++in_flight_;
    int seen = max_in_flight_.load();
    while (now > seen && !max_in_flight_.compare_exchange_weak(seen, now)) {
    }
    ++requests_;
    ScriptedRequest sr;
    sr.path = req.path;
    sr.body = req.body;
    for (const auto& [k, v] : req.headers) sr.headers[to_lower_ascii(k)] = v;
    Action a = next_action(sr);
    {
      std::lock_guard<std::mutex> lk(mu_);
      received_.push_back(sr);
    }
    // Waits exactly `s` (latency and hangs), or until the server stops.
    auto wait = [this](double s) {
      auto until = std::chrono::steady_clock::now() +
                   std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(s));
      std::unique_lock<std::mutex> lk(stop_mu_);
      stop_cv_.wait_until(lk, until, [this] { return stopping_.load(); });
    };
    if (a.latency_s > 0) wait(a.latency_s);
    if (!a.retry_after.empty()) res.set_header("Retry-After", a.retry_after);
    // httplib compresses plain "application/json" (brotli at top quality: slow enough to
    // dominate a benchmark); with a charset parameter it sends the body as is.
    const char* json_type = a.compress ? "application/json" : "application/json; charset=utf-8";
    switch (a.kind) {
      case Action::kOk: {
        std::string text = a.text.empty() ? "ok " + sha256_hex(req.body).substr(0, 12) : a.text;
        res.set_content(ok_body(req.path, a, text), json_type);
        break;
      }
      case Action::kStatus:
        res.status = a.status;
        res.set_content(a.body.empty() ? error_body(req.path, a.status) : a.body, json_type);
        break;
      case Action::kHang:
        wait(30);
        res.status = 504;
        break;
      case Action::kMalformed:
        res.set_content("{\"choices\": [ {\"message\": oops", json_type);
        break;
      case Action::kTruncated: {
        std::string full = ok_body(req.path, a, "this answer is cut short");
        res.set_content_provider(full.size() + 64, json_type,
                                 [full](size_t offset, size_t, httplib::DataSink& sink) {
                                   if (offset < full.size()) sink.write(full.data() + offset, full.size() - offset);
                                   return offset < full.size();  // false: drop the connection early
                                 });
        break;
      }
    }
    --in_flight_;
  };
  server_->Post("/v1/chat/completions", handler);
  server_->Post("/v1/messages", handler);
  port_ = server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("scripted server: cannot bind a loopback port");
  widen_backlog(port_);
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() is a no-op until the accept loop runs; wait for it so destruction never hangs.
  for (int i = 0; i < 5000 && !server_->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

ScriptedServer::~ScriptedServer() {
  {
    std::lock_guard<std::mutex> lk(stop_mu_);
    stopping_.store(true);
  }
  stop_cv_.notify_all();
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string ScriptedServer::openai_base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
std::string ScriptedServer::anthropic_base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void ScriptedServer::push(Action a) {
  std::lock_guard<std::mutex> lk(mu_);
  queue_.push_back(std::move(a));
}

void ScriptedServer::set_default(Action a) {
  std::lock_guard<std::mutex> lk(mu_);
  default_ = std::move(a);
}

void ScriptedServer::set_responder(std::function<Action(const ScriptedRequest&)> fn) {
  std::lock_guard<std::mutex> lk(mu_);
  responder_ = std::move(fn);
}

Action ScriptedServer::next_action(const ScriptedRequest& req) {
  std::function<Action(const ScriptedRequest&)> fn;
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (!responder_) {
      if (queue_.empty()) return default_;
      Action a = queue_.front();
      queue_.pop_front();
      return a;
    }
    fn = responder_;
  }
  return fn(req);
}

std::vector<ScriptedRequest> ScriptedServer::received() const {
  std::lock_guard<std::mutex> lk(mu_);
  return received_;
}

void ScriptedServer::reset_counters() {
  std::lock_guard<std::mutex> lk(mu_);
  received_.clear();
  requests_ = 0;
  max_in_flight_ = 0;
}

}  // namespace skillpipe::testing
