// http_client.hpp - HTTPS POST with libcurl, one connection per request.
//
// libcurl gives TLS, HTTP/2 (negotiated by ALPN), and proxies from the environment
// (https_proxy, no_proxy...). Connections are not reused: on a reused connection the server
// had closed, libcurl re-sends the request by itself (no backoff, no log line, and the first
// may have been billed); see http_client.cpp. Easy handles are pooled (a call borrows one and
// returns it), which keeps their DNS and TLS session caches warm.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace skillpipe::backend_llm {

struct HttpRequest {
  std::string url;
  std::vector<std::string> headers;   // "Name: value"
  std::string body;
  double timeout_s = 120;
  double connect_timeout_s = 10;
  bool http2 = true;
  std::function<bool()> cancelled;    // polled during the transfer; true aborts it (Ctrl-C)
};

struct HttpResponse {
  long status = 0;                    // 0 when no response arrived
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  int curl_code = 0;                  // CURLcode; 0 = the exchange completed
  std::string curl_error;             // readable transport error
  bool timed_out = false;
  bool retryable_transport = false;   // connection refused/reset, timeout, truncated body...
  bool cancelled = false;
};

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResponse post(const HttpRequest& request);

 private:
  void* borrow();
  void give_back(void* handle);

  std::mutex mu_;
  std::vector<void*> idle_;           // CURL* handles with warm connections
};

}  // namespace skillpipe::backend_llm
