#include "http_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>

#include "skillpipe/errors.hpp"

namespace skillpipe::backend_llm {
namespace {

constexpr std::size_t kMaxBody = 32u << 20;  // a reply larger than this is not a chat answer

std::once_flag g_curl_init;

struct Sink {
  std::string* body;
  std::map<std::string, std::string>* headers;
  const std::function<bool()>* cancelled;
  bool overflow = false;
};

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* sink = static_cast<Sink*>(user);
  return (*sink->cancelled && (*sink->cancelled)()) ? 1 : 0;  // non-zero aborts the transfer
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t len = size * n;
  if (sink->body->size() + len > kMaxBody) {
    sink->overflow = true;
    return 0;  // aborts the transfer
  }
  sink->body->append(data, len);
  return len;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t len = size * n;
  std::string line(data, len);
  if (line.rfind("HTTP/", 0) == 0) {
    sink->headers->clear();  // a new response (after a 100 Continue or a redirect)
    return len;
  }
  auto colon = line.find(':');
  if (colon == std::string::npos) return len;
  std::string name = line.substr(0, colon);
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string value = line.substr(colon + 1);
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.front()))) value.erase(value.begin());
  while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
  (*sink->headers)[name] = value;
  return len;
}

bool is_retryable(CURLcode c) {
  switch (c) {
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_BAD_CONTENT_ENCODING:
      return true;
    default:
      return false;
  }
}

}  // namespace

HttpClient::HttpClient() {
  std::call_once(g_curl_init, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

HttpClient::~HttpClient() {
  for (void* h : idle_) curl_easy_cleanup(static_cast<CURL*>(h));
}

void* HttpClient::borrow() {
  {
    std::lock_guard<std::mutex> lk(mu_);
    if (!idle_.empty()) {
      void* h = idle_.back();
      idle_.pop_back();
      return h;
    }
  }
  CURL* h = curl_easy_init();
  if (!h) throw Error("libcurl could not create a handle (out of memory?)");
  return h;
}

void HttpClient::give_back(void* handle) {
  std::lock_guard<std::mutex> lk(mu_);
  idle_.push_back(handle);
}

HttpResponse HttpClient::post(const HttpRequest& req) {
  HttpResponse out;
  CURL* h = static_cast<CURL*>(borrow());
  curl_easy_reset(h);  // keeps the connection cache
  Sink sink{&out.body, &out.headers, &req.cancelled};
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_slist* headers = nullptr;
  for (const auto& line : req.headers) headers = curl_slist_append(headers, line.c_str());
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip

  curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_POST, 1L);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, req.body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &sink);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeout_s * 1000));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(req.connect_timeout_s * 1000));
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // whatever libcurl can decode
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  // One connection per request. On a reused connection that the server has closed, libcurl
  // re-sends the request by itself - no backoff, no log line, and the server may have billed
  // the first one. A fresh connection makes a reset an ordinary failed attempt, which the
  // metered base retries with logged backoff. (A chat call takes seconds; a handshake does not.)
  curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
  curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);  // a redirected POST is a config error
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION,
                   req.http2 ? static_cast<long>(CURL_HTTP_VERSION_2TLS) : static_cast<long>(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(h, CURLOPT_USERAGENT, "skillpipe-backend_llm/1");
  if (req.cancelled) {
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, &sink);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  }

  CURLcode rc = curl_easy_perform(h);
  curl_slist_free_all(headers);
  out.curl_code = static_cast<int>(rc);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &out.status);
  if (rc != CURLE_OK) {
    out.curl_error = errbuf[0] ? std::string(errbuf) : std::string(curl_easy_strerror(rc));
    if (sink.overflow) out.curl_error = "the reply exceeded 32 MiB";
    out.cancelled = rc == CURLE_ABORTED_BY_CALLBACK;
    if (out.cancelled) out.curl_error = "cancelled";
    out.timed_out = rc == CURLE_OPERATION_TIMEDOUT;
    out.retryable_transport = !sink.overflow && is_retryable(rc);
  }
  give_back(h);
  return out;
}

}  // namespace skillpipe::backend_llm
