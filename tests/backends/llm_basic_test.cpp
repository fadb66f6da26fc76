// backend_llm: both wire protocols, parameters, errors that must not be retried, the
// redaction of outbound bodies, availability and key handling.
#include <sys/stat.h>

#include <string>
#include <thread>

#include "llm_test_util.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/schema.hpp"
#include "test_support.hpp"

namespace skillpipe::testing {
namespace {

TEST_F(BackendsLlm, OpenAiAnswerUsageCostAndHeaders) {
  auto b = env_.make("backend_llm", llm_config(server_, R"("prices":{"scripted":{"input_per_mtok":2,"output_per_mtok":8}})"));
  Action compressed = Action::ok("the answer");
  compressed.compress = true;  // the client accepts compressed replies and decodes them
  server_.push(compressed);
  ChatRequest req = user_request("What is 2+2?", 32);
  req.messages.insert(req.messages.begin(), {"system", "Be brief."});
  ChatResponse r = b->complete(req, env_.ctx());
  EXPECT_EQ(r.text, "the answer");
  EXPECT_EQ(r.usage.input, 11);
  EXPECT_EQ(r.usage.output, 7);
  EXPECT_NEAR(r.cost_usd, (11 * 2 + 7 * 8) / 1e6, 1e-12);
  EXPECT_FALSE(r.cached);
  EXPECT_EQ(r.model, "scripted-model");
  EXPECT_GT(r.latency_ms, 0);
  EXPECT_EQ(b->identity(), "openai:scripted");
  EXPECT_FALSE(b->paid());  // a loopback server costs nothing

  auto got = server_.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].path, "/v1/chat/completions");
  EXPECT_EQ(got[0].headers["authorization"], std::string("Bearer ") + kTestKey);
  EXPECT_NE(got[0].body.find(R"("model":"scripted")"), std::string::npos);
  EXPECT_NE(got[0].body.find(R"({"role":"system","content":"Be brief."})"), std::string::npos);
  EXPECT_NE(got[0].body.find(R"("max_tokens":32)"), std::string::npos);
  EXPECT_NE(got[0].body.find(R"("temperature":0.0)"), std::string::npos);
}

TEST_F(BackendsLlm, AnthropicMessagesApi) {
  auto b = env_.make("backend_llm", llm_config(server_, "", "anthropic"));
  server_.push(Action::ok("bonjour"));
  ChatRequest req = user_request("Say hello in French", 20);
  req.messages.insert(req.messages.begin(), {"system", "Answer in one word."});
  req.stop = {"\n\n"};
  ChatResponse r = b->complete(req, env_.ctx());
  EXPECT_EQ(r.text, "bonjour");
  EXPECT_EQ(r.usage.input, 11);
  EXPECT_EQ(r.usage.output, 7);
  EXPECT_EQ(r.finish_reason, "end_turn");
  EXPECT_EQ(b->identity(), "anthropic:scripted");
  auto got = server_.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].path, "/v1/messages");
  EXPECT_EQ(got[0].headers["x-api-key"], kTestKey);
  EXPECT_EQ(got[0].headers["anthropic-version"], "2023-06-01");
  EXPECT_EQ(got[0].headers.count("authorization"), 0u);
  // Instructions go to the top-level system field; only user/assistant turns are messages.
  EXPECT_NE(got[0].body.find(R"("system":"Answer in one word.")"), std::string::npos);
  EXPECT_EQ(got[0].body.find(R"("role":"system")"), std::string::npos);
  EXPECT_NE(got[0].body.find(R"("stop_sequences":["\n\n"])"), std::string::npos);
}

TEST_F(BackendsLlm, ParametersAndExtraBodyPassThrough) {
  auto b = env_.make("backend_llm",
                     llm_config(server_, R"("temperature":0.3,"max_tokens":100,"seed":77,"extra_body":{"top_p":0.5,"reasoning":{"effort":"low"}})"));
  ChatRequest req = user_request("hi", 500);
  req.stop = {"END"};
  b->complete(req, env_.ctx());
  ChatRequest seeded = user_request("hi again", 50);
  seeded.seed = 5;
  b->complete(seeded, env_.ctx());
  auto got = server_.received();
  ASSERT_EQ(got.size(), 2u);
  const std::string& body = got[0].body;
  EXPECT_NE(body.find(R"("temperature":0.3)"), std::string::npos) << body;
  EXPECT_NE(body.find(R"("max_tokens":100)"), std::string::npos) << "capped by config";
  EXPECT_NE(body.find(R"("stop":["END"])"), std::string::npos);
  EXPECT_NE(body.find(R"("seed":77)"), std::string::npos);
  EXPECT_NE(body.find(R"("top_p":0.5)"), std::string::npos);
  EXPECT_NE(body.find(R"("reasoning":{"effort":"low"})"), std::string::npos);
  EXPECT_NE(got[1].body.find(R"("seed":5)"), std::string::npos) << "the request's own seed wins";
  EXPECT_NE(got[1].body.find(R"("max_tokens":50)"), std::string::npos);
}

TEST_F(BackendsLlm, UnauthorizedFailsFastAndNeverLogsTheKey) {
  auto b = env_.make("backend_llm", llm_config(server_));
  server_.set_default(Action::error(401));
  auto t0 = std::chrono::steady_clock::now();
  try {
    b->complete(user_request("hello"), env_.ctx());
    FAIL() << "expected an error";
  } catch (const RetryableError& e) {
    FAIL() << "401 must not be retryable: " << e.what();
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("401"), std::string::npos) << msg;
    EXPECT_NE(msg.find(kTestKeyEnv), std::string::npos) << "says where the key came from: " << msg;
    EXPECT_EQ(msg.find(kTestKey), std::string::npos) << "the key itself leaked into the message";
  }
  // The same bad key cannot work for the next call either: no second request is sent.
  EXPECT_THROW(b->complete(user_request("another"), env_.ctx()), Error);
  EXPECT_EQ(server_.requests(), 1);
  EXPECT_LT(seconds_since(t0), 1.0);
  EXPECT_NE(env_.log().find("401"), std::string::npos);
  EXPECT_EQ(env_.log().find(kTestKey), std::string::npos) << "the key leaked into the log";
}

TEST_F(BackendsLlm, NotFoundNamesModelAndUrl) {
  auto b = env_.make("backend_llm", llm_config(server_));
  server_.set_default(Action::error(404));
  try {
    b->complete(user_request("hello"), env_.ctx());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("404"), std::string::npos);
    EXPECT_NE(msg.find("'scripted'"), std::string::npos) << msg;
    EXPECT_NE(msg.find(server_.openai_base_url()), std::string::npos) << msg;
  }
  EXPECT_EQ(server_.requests(), 1);
}

TEST_F(BackendsLlm, BadRequestIsNotRetriedButDoesNotStopLaterCalls) {
  auto b = env_.make("backend_llm", llm_config(server_));
  server_.push(Action::error(400));
  try {
    b->complete(user_request("too long"), env_.ctx());
    FAIL() << "expected an error";
  } catch (const RetryableError&) {
    FAIL() << "400 is permanent";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("scripted error 400"), std::string::npos) << "quotes the provider";
  }
  EXPECT_EQ(server_.requests(), 1);
  EXPECT_EQ(b->complete(user_request("fine"), env_.ctx()).text.rfind("ok ", 0), 0u);
}

// A reply nested a million levels deep (a broken or hostile server) is an error with the
// server named, not a stack overflow: the parse refuses it before recursing.
TEST_F(BackendsLlm, ADeeplyNestedReplyIsAnErrorNotACrash) {
  auto b = env_.make("backend_llm", llm_config(server_));
  const std::string deep = std::string(1000000, '[') + std::string(1000000, ']');
  Action answer = Action::error(200);  // a 200 whose body is not a reply: malformed, retried
  answer.body = deep;
  server_.push(answer);
  EXPECT_EQ(b->complete(user_request("first"), env_.ctx()).text.rfind("ok ", 0), 0u);
  EXPECT_EQ(server_.requests(), 2);
  Action refusal = Action::error(400);  // an error whose body is not an error object
  refusal.body = deep;
  server_.push(refusal);
  try {
    b->complete(user_request("second"), env_.ctx());
    ADD_FAILURE() << "expected the 400 to be an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("HTTP 400"), std::string::npos) << e.what();
    EXPECT_LT(std::string(e.what()).size(), 4096u) << "the body is quoted, not pasted whole";
  }
  EXPECT_EQ(server_.requests(), 3);
}

TEST_F(BackendsLlm, PlantedSecretsNeverReachTheServer) {
  const std::string aws = "AKIAIOSFODNN7EXAMPLE";
  const std::string gh = "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789";
  const std::string openai = "sk-proj-Q2xhdWRlSXNOb3RBS2V5QnV0TG9va3NMaWtlT25l";
  auto b = env_.make("backend_llm", llm_config(server_, R"("extra_body":{"user":")" + gh + R"("})"));
  ChatRequest req = user_request("deploy with " + aws + " and " + openai);
  req.messages.insert(req.messages.begin(), {"system", "token: " + gh});
  b->complete(req, env_.ctx());
  auto got = server_.received();
  ASSERT_EQ(got.size(), 1u);
  for (const auto& secret : {aws, gh, openai}) {
    EXPECT_EQ(got[0].body.find(secret), std::string::npos) << secret << " reached the server: " << got[0].body;
  }
  EXPECT_NE(got[0].body.find("[REDACTED:"), std::string::npos);
  EXPECT_GE(env_.ctx().counts()["redactions"], 4);
}

TEST(BackendsLlmSetup, UnavailableWithoutKeyTellsHowToEnable) {
  ScopedEnv a("ANTHROPIC_API_KEY", nullptr), o("OPENAI_API_KEY", nullptr), u("OPENAI_BASE_URL", nullptr);
  BackendEnv env;
  auto b = env.make("backend_llm", "{}");
  std::string why;
  EXPECT_FALSE(b->available(&why));
  EXPECT_NE(why.find("ANTHROPIC_API_KEY"), std::string::npos) << why;
  EXPECT_NE(why.find("OPENAI_API_KEY"), std::string::npos) << why;
  EXPECT_THROW(b->complete(user_request("x"), env.ctx()), Error);
}

TEST(BackendsLlmSetup, AutoPicksProviderFromEnvironment) {
  ScopedEnv a("ANTHROPIC_API_KEY", nullptr), o("OPENAI_API_KEY", "sk-test-not-a-real-key-000000000000");
  ScopedEnv u("OPENAI_BASE_URL", nullptr), m("OPENAI_MODEL", nullptr);
  BackendEnv env;
  auto b = env.make("backend_llm", "{}");
  EXPECT_TRUE(b->available(nullptr));
  EXPECT_EQ(b->identity(), "openai:gpt-4o-mini");
  EXPECT_TRUE(b->paid());
  ScopedEnv a2("ANTHROPIC_API_KEY", "sk-ant-test-not-a-real-key-0000000000");
  auto c = env.make("backend_llm", R"({"model":"claude-haiku-4-5"})");
  EXPECT_EQ(c->identity(), "anthropic:claude-haiku-4-5");
}

TEST(BackendsLlmSetup, LocalServerNeedsNoKey) {
  ScopedEnv a("ANTHROPIC_API_KEY", nullptr), o("OPENAI_API_KEY", nullptr);
  ScriptedServer server;
  ScopedEnv u("OPENAI_BASE_URL", server.openai_base_url().c_str());
  BackendEnv env;
  auto b = env.make("backend_llm", R"({"model":"llama3"})");
  ASSERT_TRUE(b->available(nullptr));
  b->complete(user_request("hi"), env.ctx());
  auto got = server.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].headers.count("authorization"), 0u);
}

TEST(BackendsLlmSetup, KeyFileIsReadAndLooseModeWarned) {
  ScriptedServer server;
  TempDir dir;
  write_text(dir.file("key"), "file-key-123\n");
  ::chmod(dir.file("key").c_str(), 0644);
  BackendEnv env("llm/test", dir.path());
  auto b = env.make("backend_llm", R"({"provider":"openai","base_url":")" + server.openai_base_url() +
                                       R"(","model":"m","api_key_file":"key"})");
  b->complete(user_request("hi"), env.ctx());
  EXPECT_EQ(server.received().at(0).headers["authorization"], "Bearer file-key-123");
  EXPECT_NE(env.log().find("chmod 600"), std::string::npos);
  EXPECT_EQ(env.log().find("file-key-123"), std::string::npos);
}

TEST(BackendsLlmSetup, KeysCannotBeWrittenIntoThePipeline) {
  auto registry = make_registry();
  const std::string schema = registry->load("backend_llm").desc->config_schema_json;
  EXPECT_TRUE(check_config_against_schema(schema, R"({"provider":"openai","api_key_env":"MY_KEY"})").empty());
  auto issues = check_config_against_schema(schema, R"({"provider":"openai","api_key":"sk-abc"})");
  ASSERT_FALSE(issues.empty());
  EXPECT_NE(issues[0].message.find("api_key"), std::string::npos) << issues[0].message;
}

TEST(BackendsLlmSetup, CostCapNeedsAPrice) {
  ScopedEnv k(kTestKeyEnv, kTestKey);
  BackendEnv env;
  EXPECT_THROW(env.make("backend_llm", R"({"provider":"openai","base_url":"http://127.0.0.1:9/v1","model":"unpriced",)"
                                       R"("api_key_env":"SKILLPIPE_TEST_LLM_KEY","budget":{"max_cost_usd":1}})"),
               ConfigError);
}

}  // namespace
}  // namespace skillpipe::testing
