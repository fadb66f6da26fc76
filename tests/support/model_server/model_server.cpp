#include "model_server.hpp"

#include <httplib.h>
#include <rapidjson/document.h>

#include <chrono>
#include <ctime>
#include <stdexcept>

#include "json_out.hpp"

namespace skillpipe::model_server {
namespace {

// Plain "application/json" would be brotli-compressed by httplib when the client accepts
// it; with a charset parameter it is sent as is (what the log and a human expect to see).
constexpr const char* kJson = "application/json; charset=utf-8";
constexpr const char* kSse = "text/event-stream";  // never compressed by httplib

bool secret_header(const std::string& name) {
  return name == "authorization" || name == "x-api-key" || name == "cookie" || name == "proxy-authorization";
}

std::map<std::string, std::string> logged_headers(const httplib::Request& req) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : req.headers) {
    std::string name = k;
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    out[name] = secret_header(name) ? "<masked, " + std::to_string(v.size()) + " chars>" : v;
  }
  return out;
}

std::string query_of(const httplib::Request& req) {
  std::string q;
  for (const auto& [k, v] : req.params) q += (q.empty() ? "" : "&") + k + "=" + v;
  return q;
}

void summarize(LoggedRequest& l, const Reply& r) {
  l.rule = r.rule;
  l.reply_text = r.text;
  l.reply_calls = r.tool_calls;
}

LoggedRequest start_entry(long seq, const httplib::Request& req) {
  LoggedRequest l;
  l.seq = seq;
  l.method = req.method;
  l.path = req.path;
  l.query = query_of(req);
  l.headers = logged_headers(req);
  l.body = req.body;
  return l;
}

std::string log_line(const LoggedRequest& l) {
  JsonOut j;
  j.obj().ki("seq", l.seq).ks("method", l.method).ks("path", l.path).ks("query", l.query).ks("api", l.api);
  j.kb("stream", l.stream).ki("status", l.status).ks("rule", l.rule);
  j.key("reply").obj().ks("text", l.reply_text).key("tool_calls").arr();
  for (const auto& c : l.reply_calls) j.obj().ks("name", c.name).kraw("input", c.input_json.empty() ? "{}" : c.input_json).end();
  j.end_arr().end();
  j.key("headers").obj();
  for (const auto& [k, v] : l.headers) j.ks(k, v);
  j.end();
  rapidjson::Document d;
  d.Parse(l.body.data(), l.body.size());
  if (!l.body.empty() && !d.HasParseError()) {
    j.kraw("body", l.body);
  } else {
    j.ks("body", l.body);
  }
  j.end();
  return j.str();
}

// Tool inputs are spliced into the response as raw JSON: refuse a policy's invalid one
// rather than send a stream no client can parse.
void check_tool_inputs(const Reply& r) {
  for (const auto& c : r.tool_calls) {
    rapidjson::Document d;
    d.Parse(c.input_json.data(), c.input_json.size());
    if (!c.input_json.empty() && (d.HasParseError() || !d.IsObject())) {
      throw std::runtime_error("the input of tool call " + c.name + " is not a JSON object: " + c.input_json);
    }
  }
}

Conversation parse_for(Api api, const std::string& body) {
  switch (api) {
    case Api::kAnthropic: return parse_anthropic(body);
    case Api::kResponses: return parse_responses(body);
    case Api::kChat: return parse_chat(body);
  }
  throw std::logic_error("unknown api");
}

}  // namespace

ModelServer::ModelServer(PolicyPtr policy, ServerOptions opts)
    : server_(std::make_unique<httplib::Server>()), opts_(std::move(opts)), policy_(std::move(policy)) {
  if (!opts_.log_path.empty()) {
    log_file_.open(opts_.log_path, std::ios::app);
    if (!log_file_) throw std::runtime_error("model server: cannot open the request log " + opts_.log_path);
  }
  server_->new_task_queue = [] { return new httplib::ThreadPool(16); };
  server_->set_tcp_nodelay(true);
  server_->set_payload_max_length(64 * 1024 * 1024);
  auto model = [this](Api api) {
    return [this, api](const httplib::Request& req, httplib::Response& res) { handle_model(api, req, res); };
  };
  server_->Post("/v1/messages", model(Api::kAnthropic));
  server_->Post("/v1/responses", model(Api::kResponses));
  server_->Post("/responses", model(Api::kResponses));
  server_->Post("/v1/chat/completions", model(Api::kChat));
  server_->Post("/chat/completions", model(Api::kChat));
  auto other = [this](const httplib::Request& req, httplib::Response& res) { handle_other(req, res); };
  server_->Post(".*", other);
  server_->Get(".*", other);
  server_->Put(".*", other);
  server_->Delete(".*", other);
  server_->Patch(".*", other);
  server_->Options(".*", other);
  port_ = opts_.port > 0 ? (server_->bind_to_port("127.0.0.1", opts_.port) ? opts_.port : -1)
                         : server_->bind_to_any_port("127.0.0.1");
  if (port_ <= 0) {
    throw std::runtime_error("model server: cannot bind 127.0.0.1:" + std::to_string(opts_.port) +
                             " (port in use? pass 0 for any free port)");
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // stop() is a no-op until the accept loop runs; wait for it so destruction never hangs.
  for (int i = 0; i < 5000 && !server_->is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

ModelServer::~ModelServer() { stop(); }

void ModelServer::stop() {
  {
    std::lock_guard<std::mutex> lk(stop_mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  stop_cv_.notify_all();
  server_->stop();
  if (thread_.joinable()) thread_.join();
}

std::string ModelServer::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
std::string ModelServer::openai_base_url() const { return base_url() + "/v1"; }

void ModelServer::set_policy(PolicyPtr policy) {
  std::lock_guard<std::mutex> lk(mu_);
  policy_ = std::move(policy);
}

std::vector<LoggedRequest> ModelServer::requests() const {
  std::lock_guard<std::mutex> lk(mu_);
  return log_;
}

std::vector<LoggedRequest> ModelServer::model_calls() const {
  std::vector<LoggedRequest> out;
  for (auto& r : requests()) {
    if (r.is_model_call()) out.push_back(std::move(r));
  }
  return out;
}

void ModelServer::clear_log() {
  std::lock_guard<std::mutex> lk(mu_);
  log_.clear();
}

void ModelServer::record(LoggedRequest r) {
  std::lock_guard<std::mutex> lk(mu_);
  if (log_file_.is_open()) {
    log_file_ << log_line(r) << '\n';
    log_file_.flush();
  }
  log_.push_back(std::move(r));
}

void ModelServer::wait_ms(int ms) {
  if (ms <= 0) return;
  std::unique_lock<std::mutex> lk(stop_mu_);
  stop_cv_.wait_for(lk, std::chrono::milliseconds(ms), [this] { return stopping_; });
}

void ModelServer::handle_model(Api api, const httplib::Request& req, httplib::Response& res) {
  LoggedRequest l = start_entry(++seq_, req);
  l.api = api_name(api);
  Conversation conv;
  Reply reply;
  try {
    conv = parse_for(api, req.body);
  } catch (const std::exception& e) {
    reply = Reply::error(400, "invalid_request_error", std::string("scripted model server: ") + e.what());
  }
  if (!reply.failed()) {
    l.stream = conv.stream;
    PolicyPtr policy;
    {
      std::lock_guard<std::mutex> lk(mu_);
      policy = policy_;
    }
    try {
      reply = policy->decide(conv);
      check_tool_inputs(reply);
    } catch (const std::exception& e) {
      reply = Reply::error(500, "api_error", std::string("scripted model policy failed: ") + e.what());
    }
  }
  summarize(l, reply);
  IdSource ids{opts_.id_prefix, ++responses_};
  res.set_header(api == Api::kAnthropic ? "request-id" : "x-request-id", ids.make("req"));
  wait_ms(reply.delay_ms);
  if (reply.failed()) {
    res.status = reply.status;
    if (!reply.retry_after.empty()) res.set_header("Retry-After", reply.retry_after);
    res.set_content(encode_error_body(api, reply), kJson);
  } else {
    serve(api, conv, reply, ids, res);
  }
  l.status = res.status;
  record(std::move(l));
}

// Sends the reply; with failure injection, sends only the first `cut_after_events` events
// (or half the body), stalls `hang_ms`, then drops the connection without finishing.
void ModelServer::serve(Api api, const Conversation& conv, const Reply& reply, const IdSource& ids,
                        httplib::Response& res) {
  const long created = static_cast<long>(std::time(nullptr));
  res.status = 200;
  const bool drop = reply.cut_after_events >= 0 || reply.hang_ms > 0;
  const int hang = reply.hang_ms;
  if (!conv.stream) {
    std::string body = encode_body(api, conv, reply, ids, created);
    if (!drop) {
      res.set_content(body, kJson);
      return;
    }
    std::string part = reply.cut_after_events >= 0 ? body.substr(0, body.size() / 2) : std::string();
    res.set_content_provider(body.size(), kJson, [this, part, hang](size_t offset, size_t, httplib::DataSink& sink) {
      if (offset == 0 && !part.empty()) sink.write(part.data(), part.size());
      wait_ms(hang);
      return false;
    });
    return;
  }
  std::vector<SseEvent> events = encode_stream(api, conv, reply, ids, created);
  size_t keep = events.size();
  if (reply.cut_after_events >= 0) keep = std::min(keep, static_cast<size_t>(reply.cut_after_events));
  else if (hang > 0) keep = 0;
  std::vector<std::string> frames;
  for (size_t i = 0; i < keep; ++i) frames.push_back(format_sse(events[i]));
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider(kSse, [this, frames, drop, hang](size_t, httplib::DataSink& sink) {
    for (const auto& f : frames) {
      if (!sink.write(f.data(), f.size())) return false;
    }
    if (drop) {
      wait_ms(hang);
      return false;
    }
    sink.done();
    return true;
  });
}

void ModelServer::handle_other(const httplib::Request& req, httplib::Response& res) {
  LoggedRequest l = start_entry(++seq_, req);
  const bool anthropic = req.has_header("anthropic-version");
  res.status = 200;
  if (req.method == "HEAD" || (req.method == "GET" && req.path == "/")) {
    res.status = 200;
  } else if (req.method == "GET" && (req.path == "/v1/models" || req.path == "/models")) {
    res.set_content(anthropic ? R"({"data":[{"type":"model","id":"scripted-model","display_name":"Scripted model",)"
                                R"("created_at":"2026-01-01T00:00:00Z"}],"has_more":false,"first_id":"scripted-model",)"
                                R"("last_id":"scripted-model"})"
                              : R"({"object":"list","data":[{"id":"scripted-model","object":"model","created":0,)"
                                R"("owned_by":"skillpipe"}]})",
                    kJson);
  } else if (req.method == "POST" && req.path == "/v1/messages/count_tokens") {
    res.set_content("{\"input_tokens\":" + std::to_string(Usage{}.input_tokens) + "}", kJson);
  } else {
    res.status = 404;
    Reply r = Reply::error(404, {}, "scripted model server: no route for " + req.method + " " + req.path);
    res.set_content(encode_error_body(anthropic ? Api::kAnthropic : Api::kChat, r), kJson);
  }
  l.status = res.status;
  record(std::move(l));
}

}  // namespace skillpipe::model_server
