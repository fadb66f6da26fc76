// The scripted model server over real HTTP on loopback: each API's stream and body, side
// calls, failure injection and the request log.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <rapidjson/document.h>

#include <chrono>
#include <fstream>
#include <string>
#include <vector>

#include "model_server.hpp"
#include "script.hpp"
#include "test_support.hpp"

namespace skillpipe::model_server {
namespace {

using skillpipe::testing::TempDir;

struct Sse {
  std::string name;
  rapidjson::Document data;
};

std::vector<Sse> parse_sse(const std::string& body) {
  std::vector<Sse> out;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t end = body.find("\n\n", pos);
    if (end == std::string::npos) break;
    std::string frame = body.substr(pos, end - pos);
    pos = end + 2;
    Sse e;
    size_t data_at = frame.find("data: ");
    if (frame.starts_with("event: ")) e.name = frame.substr(7, frame.find('\n') - 7);
    std::string data = frame.substr(data_at + 6);
    if (data != "[DONE]") e.data.Parse(data.c_str());
    out.push_back(std::move(e));
  }
  return out;
}

std::string post(ModelServer& s, const std::string& path, const std::string& body, int* status = nullptr) {
  httplib::Client cli("127.0.0.1", s.port());
  cli.set_read_timeout(5, 0);
  auto res = cli.Post(path.c_str(), {{"x-api-key", "sk-ant-secret-value"}}, body, "application/json");
  if (status) *status = res ? res->status : -1;
  return res ? res->body : std::string();
}

// A POST over a plain socket, reading until the server closes: unlike an HTTP client it
// keeps what arrived before a dropped connection.
std::string raw_post(int port, const std::string& path, const std::string& body) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return {};
  }
  std::string req = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    "Connection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  if (::send(fd, req.data(), req.size(), 0) < 0) {
    ::close(fd);
    return {};
  }
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

PolicyPtr script(const std::string& text) { return ScriptPolicy::parse(text); }

const std::string kToolScript = R"(
usage: {input_tokens: 1234, output_tokens: 56, cache_read_input_tokens: 7}
rules:
  - reply: {text: "Let me look.", tool: Bash, input: {command: "git log --oneline --merges", description: "List merges"}}
)";

TEST(ModelServerHttp, AnthropicStreamCarriesToolUseAsInputJsonDeltas) {
  ModelServer s(script(kToolScript));
  std::string body = post(s, "/v1/messages?beta=true",
                          R"({"model":"claude-x","stream":true,"messages":[{"role":"user","content":"go"}]})");
  auto events = parse_sse(body);
  ASSERT_GE(events.size(), 8u);
  EXPECT_EQ(events[0].name, "message_start");
  EXPECT_EQ(events[0].data["message"]["usage"]["input_tokens"].GetInt(), 1234);
  EXPECT_EQ(events[0].data["message"]["usage"]["cache_read_input_tokens"].GetInt(), 7);
  std::string text, json, tool;
  for (const auto& e : events) {
    if (e.name == "content_block_start" && std::string(e.data["content_block"]["type"].GetString()) == "tool_use") {
      tool = e.data["content_block"]["name"].GetString();
    }
    if (e.name != "content_block_delta") continue;
    const auto& d = e.data["delta"];
    if (std::string(d["type"].GetString()) == "text_delta") text += d["text"].GetString();
    if (std::string(d["type"].GetString()) == "input_json_delta") json += d["partial_json"].GetString();
  }
  EXPECT_EQ(text, "Let me look.");
  EXPECT_EQ(tool, "Bash");
  EXPECT_EQ(json, R"({"command":"git log --oneline --merges","description":"List merges"})");
  const auto& delta = events[events.size() - 2];
  EXPECT_EQ(delta.name, "message_delta");
  EXPECT_STREQ(delta.data["delta"]["stop_reason"].GetString(), "tool_use");
  EXPECT_EQ(delta.data["usage"]["output_tokens"].GetInt(), 56);
  EXPECT_EQ(events.back().name, "message_stop");
}

TEST(ModelServerHttp, AnthropicBodyWithoutStreaming) {
  ModelServer s(std::make_shared<FixedPolicy>(Reply::say("plain answer")), ServerOptions{0, "", "t"});
  rapidjson::Document d;
  d.Parse(post(s, "/v1/messages", R"({"model":"m","messages":[{"role":"user","content":"hi"}]})").c_str());
  EXPECT_STREQ(d["id"].GetString(), "msg_t_1");
  EXPECT_STREQ(d["content"][0]["text"].GetString(), "plain answer");
  EXPECT_STREQ(d["stop_reason"].GetString(), "end_turn");
  EXPECT_EQ(d["usage"]["input_tokens"].GetInt(), 100);  // the documented default
}

TEST(ModelServerHttp, ResponsesStreamHasFunctionCallItemsAndUsage) {
  ModelServer s(script(kToolScript));
  auto events = parse_sse(post(s, "/v1/responses",
                               R"({"model":"gpt-5.5","stream":true,"input":[{"type":"message","role":"user","content":"go"}]})"));
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front().name, "response.created");
  EXPECT_EQ(events.back().name, "response.completed");
  const auto& usage = events.back().data["response"]["usage"];
  EXPECT_EQ(usage["input_tokens"].GetInt(), 1241);  // OpenAI counts cached tokens as input
  EXPECT_EQ(usage["input_tokens_details"]["cached_tokens"].GetInt(), 7);
  EXPECT_EQ(usage["output_tokens"].GetInt(), 56);
  std::string text, args;
  int items_done = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    EXPECT_EQ(e.data["sequence_number"].GetInt(), static_cast<int>(i));
    if (e.name == "response.output_text.delta") text += e.data["delta"].GetString();
    if (e.name == "response.function_call_arguments.delta") args += e.data["delta"].GetString();
    if (e.name == "response.output_item.done") ++items_done;
  }
  EXPECT_EQ(text, "Let me look.");
  EXPECT_EQ(args, R"({"command":"git log --oneline --merges","description":"List merges"})");
  EXPECT_EQ(items_done, 2);
  const auto& output = events.back().data["response"]["output"];
  ASSERT_EQ(output.Size(), 2u);
  EXPECT_STREQ(output[1]["type"].GetString(), "function_call");
  EXPECT_STREQ(output[1]["name"].GetString(), "Bash");
}

TEST(ModelServerHttp, ChatCompletionsStreamAndBody) {
  ModelServer s(script(kToolScript));
  auto events = parse_sse(post(s, "/v1/chat/completions",
                               R"({"model":"m","stream":true,"messages":[{"role":"user","content":"go"}]})"));
  ASSERT_GE(events.size(), 3u);
  EXPECT_TRUE(events.back().name.empty());
  std::string args;
  for (const auto& e : events) {
    if (!e.data.IsObject() || !e.data.HasMember("choices") || e.data["choices"].Empty()) continue;
    const auto& delta = e.data["choices"][0]["delta"];
    if (delta.HasMember("tool_calls")) args += delta["tool_calls"][0]["function"]["arguments"].GetString();
  }
  EXPECT_EQ(args, R"({"command":"git log --oneline --merges","description":"List merges"})");
  const auto& fin = events[events.size() - 2].data;
  EXPECT_STREQ(fin["choices"][0]["finish_reason"].GetString(), "tool_calls");
  EXPECT_EQ(fin["usage"]["prompt_tokens"].GetInt(), 1241);
  rapidjson::Document d;
  d.Parse(post(s, "/chat/completions", R"({"model":"m","messages":[{"role":"user","content":"go"}]})").c_str());
  EXPECT_STREQ(d["choices"][0]["message"]["tool_calls"][0]["function"]["name"].GetString(), "Bash");
}

TEST(ModelServerHttp, InjectedErrorsHaveTheApisShapeAndRetryAfter) {
  ModelServer s(script(R"(
rules:
  - when: {user: overloaded}
    reply: {error: {status: 529, retry_after: "2"}}
  - reply: {error: {status: 500, message: "boom"}}
)"));
  httplib::Client cli("127.0.0.1", s.port());
  auto res = cli.Post("/v1/messages", R"({"model":"m","messages":[{"role":"user","content":"overloaded"}]})",
                      "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 529);
  EXPECT_EQ(res->get_header_value("Retry-After"), "2");
  EXPECT_EQ(res->body, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_scripted"})");
  int status = 0;
  std::string body = post(s, "/v1/responses", R"({"model":"m","input":"x"})", &status);
  EXPECT_EQ(status, 500);
  EXPECT_EQ(body, R"({"error":{"message":"boom","type":"server_error","param":null,"code":null}})");
}

TEST(ModelServerHttp, CutStreamEndsWithoutMessageStop) {
  ModelServer s(script("rules: [{reply: {text: 'a long answer that is cut', cut_after: 3}}]"));
  std::string raw = raw_post(s.port(), "/v1/messages", R"({"model":"m","stream":true,"messages":[{"role":"user","content":"x"}]})");
  EXPECT_NE(raw.find("HTTP/1.1 200"), std::string::npos);
  EXPECT_NE(raw.find("event: ping"), std::string::npos);
  EXPECT_NE(raw.find("event: content_block_start"), std::string::npos);  // the 3rd event
  EXPECT_EQ(raw.find("content_block_delta"), std::string::npos);
  EXPECT_EQ(raw.find("\r\n0\r\n\r\n"), std::string::npos);  // no final chunk: the stream was cut
}

TEST(ModelServerHttp, StreamErrorEventsPerApi) {
  ModelServer s(script("rules: [{reply: {text: partial, stream_error: Overloaded}}]"));
  auto a = parse_sse(post(s, "/v1/messages", R"({"model":"m","stream":true,"messages":[{"role":"user","content":"x"}]})"));
  EXPECT_EQ(a.back().name, "error");
  EXPECT_STREQ(a.back().data["error"]["message"].GetString(), "Overloaded");
  auto r = parse_sse(post(s, "/v1/responses", R"({"model":"m","stream":true,"input":"x"})"));
  EXPECT_EQ(r.back().name, "response.failed");
  EXPECT_STREQ(r.back().data["response"]["error"]["message"].GetString(), "Overloaded");
}

TEST(ModelServerHttp, SlowReplyTimesOutAClientAndStopDoesNotWaitForIt) {
  auto s = std::make_unique<ModelServer>(script("rules: [{reply: {text: late, delay_ms: 3000}}]"));
  httplib::Client cli("127.0.0.1", s->port());
  cli.set_read_timeout(0, 300 * 1000);
  auto start = std::chrono::steady_clock::now();
  auto res = cli.Post("/v1/messages", R"({"model":"m","messages":[{"role":"user","content":"x"}]})", "application/json");
  EXPECT_FALSE(res);  // read timeout
  s.reset();          // the waiting handler wakes up on stop
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2500));
}

TEST(ModelServerHttp, APolicysInvalidToolInputIsA500NotABrokenStream) {
  ModelServer s(std::make_shared<FunctionPolicy>([](const Conversation&) { return Reply::call("Bash", "ls -la"); }));
  int status = 0;
  std::string body = post(s, "/v1/messages", R"({"model":"m","stream":true,"messages":[{"role":"user","content":"x"}]})", &status);
  EXPECT_EQ(status, 500);
  EXPECT_NE(body.find("the input of tool call Bash is not a JSON object: ls -la"), std::string::npos) << body;
}

TEST(ModelServerHttp, SideCallsAreAnsweredAndEverythingIsLogged) {
  TempDir dir;
  ModelServer s(std::make_shared<SkillAgentPolicy>(), ServerOptions{0, dir.file("log.jsonl"), "scripted"});
  httplib::Client cli("127.0.0.1", s.port());
  EXPECT_EQ(cli.Head("/")->status, 200);
  EXPECT_EQ(cli.Get("/v1/models")->status, 200);
  int status = 0;
  EXPECT_EQ(post(s, "/v1/messages/count_tokens", R"({"model":"m","messages":[]})", &status), R"({"input_tokens":100})");
  post(s, "/v2/unknown", "{}", &status);
  EXPECT_EQ(status, 404);
  post(s, "/v1/messages", "not json", &status);
  EXPECT_EQ(status, 400);
  post(s, "/v1/messages", R"({"model":"m","messages":[{"role":"user","content":"hello"}]})", &status);
  auto log = s.requests();
  ASSERT_EQ(log.size(), 6u);
  EXPECT_EQ(log[3].path, "/v2/unknown");
  EXPECT_EQ(log[3].status, 404);
  EXPECT_EQ(log[5].api, "anthropic");
  EXPECT_EQ(log[5].reply_text, "Done.");
  EXPECT_EQ(log[5].headers.at("x-api-key"), "<masked, 19 chars>");
  EXPECT_EQ(s.model_calls().size(), 2u);
  std::ifstream in(dir.file("log.jsonl"));
  std::string line, last;
  int lines = 0;
  while (std::getline(in, line)) {
    rapidjson::Document d;
    d.Parse(line.c_str());
    EXPECT_FALSE(d.HasParseError()) << line;
    ++lines;
    last = line;
  }
  EXPECT_EQ(lines, 6);
  EXPECT_NE(last.find(R"("body":{"model":"m","messages":[{"role":"user","content":"hello"}]})"), std::string::npos);
  EXPECT_EQ(last.find("sk-ant-secret-value"), std::string::npos);
}

}  // namespace
}  // namespace skillpipe::model_server
