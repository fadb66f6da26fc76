// judge_llm and the LLM miner through the real backend_llm plugin, against a small
// OpenAI-compatible httplib server on loopback that scripts replies (garbage included).
#include <gtest/gtest.h>
#include <httplib.h>
#include <rapidjson/document.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>

#include "skillpipe/backend.hpp"
#include "skillpipe/config.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/task_file.hpp"
#include "test_support.hpp"

using namespace skillpipe;

namespace {

constexpr const char* kKeyEnv = "SKILLPIPE_TEST_JUDGE_KEY";

std::string completion(const std::string& text) {
  return R"({"id":"x","object":"chat.completion","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":)" +
         json_quote(text) + R"(},"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":7}})";
}

// Grader calls get garbage first, then a score; miner calls get a task array.
class FakeOpenAi {
 public:
  FakeOpenAi() {
    server_.Post("/v1/chat/completions", [this](const httplib::Request& req, httplib::Response& res) {
      rapidjson::Document d;
      d.Parse(req.body.c_str());
      std::string user;
      if (!d.HasParseError() && d.HasMember("messages"))
        for (const auto& m : d["messages"].GetArray())
          if (std::string(m["role"].GetString()) == "user") user += m["content"].GetString();
      std::lock_guard<std::mutex> lock(mu_);
      bodies_.push_back(req.body);
      std::string reply;
      if (user.find("<<<BEGIN RESPONSE>>>") != std::string::npos) {
        reply = grader_calls_++ % 2 == 0 ? "Looks fine to me!" : R"({"score": 0.85, "reason": "covers cause and fix"})";
      } else if (user.find("JSON array of 0 to 3 tasks") != std::string::npos) {
        reply = "```json\n[{\"intent\": \"Summarize an incident for the on-call channel\", \"rubric\": \"Names cause, impact "
                "and fix\", \"satisfied\": true}]\n```";
      } else {
        reply = "unexpected";
      }
      res.set_content(completion(reply), "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~FakeOpenAi() {
    server_.stop();
    thread_.join();
  }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }
  std::vector<std::string> bodies() {
    std::lock_guard<std::mutex> lock(mu_);
    return bodies_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<std::string> bodies_;
  int grader_calls_ = 0;
};

class ThroughBackendLlm : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv(kKeyEnv, "test-key-judge-1234", 1);
    backend_ = reg_->create_as<Backend>("backend_llm");
    host::BasicContext bctx("llm", RunInfo{}, &svc_);
    backend_->configure(Config::parse(R"({"provider":"openai","model":"m","api_key_env":")" + std::string(kKeyEnv) +
                                      R"(","base_url":")" + server_.base_url() +
                                      R"(","max_retries":0,"timeout_s":5,"cache":false,"paid":true})"),
                        bctx);
    svc_.backends["llm"] = backend_.get();
  }
  void TearDown() override {
    stages_.clear();
    svc_.backends.clear();
    backend_.reset();
  }
  template <class T>
  std::shared_ptr<T> make(const std::string& plugin, const std::string& cfg) {
    auto s = reg_->create_as<T>(plugin);
    s->configure(Config::parse(cfg), ctx_);
    stages_.push_back(s);
    return s;
  }

  FakeOpenAi server_;
  std::unique_ptr<host::PluginRegistry> reg_ = skillpipe::testing::make_registry();
  host::Services svc_;
  host::BasicContext ctx_{"stage", RunInfo{}, &svc_};
  std::shared_ptr<Backend> backend_;
  std::vector<std::shared_ptr<StageBase>> stages_;
};

TEST_F(ThroughBackendLlm, JudgeRetriesAGarbageReplyAndGrades) {
  auto judge = make<Judge>("judge_llm", R"({"backend": "llm"})");
  TaskRecord t;
  t.id = "inc-1";
  t.intent = "Summarize the incident";
  t.reference_kind = ReferenceKind::kRubric;
  t.reference = "Names the cause and the fix";
  ReplayResult r;
  r.response = "Disk filled up; we rotated logs.";
  const Verdict v = judge->judge(t, r, ctx_);
  EXPECT_DOUBLE_EQ(v.soft, 0.85);
  EXPECT_EQ(v.hard, 1.0);
  EXPECT_EQ(v.rationale, "covers cause and fix");
  const auto bodies = server_.bodies();
  ASSERT_EQ(bodies.size(), 2u);
  EXPECT_NE(bodies[1].find("Looks fine to me!"), std::string::npos);  // the retry shows the bad reply
}

TEST_F(ThroughBackendLlm, LlmMinerAndThePaidRefusalOfAnUnreviewedFile) {
  auto miner = make<Miner>("mine_tasks", R"({"mode": "llm", "backend": "llm"})");
  SessionDigest d;
  d.session_id = "s1";
  d.project = "/src/app";
  d.started_at = "2026-01-01T00:00:00Z";
  d.user_prompts = {"write up what happened with the outage for #oncall"};
  d.assistant_finals = {"Summary: ..."};
  const auto tasks = miner->mine(DigestList({d}), ctx_);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].intent, "Summarize an incident for the on-call channel");
  EXPECT_EQ(tasks[0].judge.rubric, "Names cause, impact and fix");

  skillpipe::testing::TempDir tmp;
  TaskRecord t;
  t.id = "a";
  t.intent = "Summarize an incident";
  skillpipe::testing::write_text(tmp.file("t.jsonl"), task_file_text({t}, {}, false));
  auto file_miner = make<Miner>("mine_tasks", R"({"replay_backend": "llm", "tasks_file": ")" + tmp.file("t.jsonl") + "\"}");
  EXPECT_THROW(file_miner->mine(DigestList(), ctx_), ConfigError);
}

}  // namespace
