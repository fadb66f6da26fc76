// Full nights through the CLI with backend_llm against a scripted HTTP server: a garbage
// reflection and its retry, the optimizer model, rollouts in the reflection, plan and budget
// caps (also across a kill and resume), the paid-call count, unreachable and unavailable
// endpoints.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <map>
#include <mutex>
#include <regex>

#include "skillpipe/kit/util.hpp"
#include "night_cli_support.hpp"
#include "test_support.hpp"
#if __has_include("scripted_server.hpp")
#include "scripted_server.hpp"
#define NIGHT_HAVE_SCRIPTED_SERVER 1
#endif

namespace skillpipe {
namespace {

using namespace night_test;

#ifdef NIGHT_HAVE_SCRIPTED_SERVER
// backend_llm against a scripted OpenAI-compatible server. Replays answer the codeword right
// only when the documents hold the PINEAPPLE rule; at temperature > 0 (rollouts) an unknowing
// agent is right every other time. Reflection first answers prose, then (on the retry) JSON.
class NightScripted : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.set_responder([this](const testing::ScriptedRequest& req) {
      testing::Action a = respond(req);
      a.latency_s = latency_s_;
      return a;
    });
  }

  testing::Action respond(const testing::ScriptedRequest& req) {
    std::lock_guard<std::mutex> lock(mu_);
    if (req.body.find("optimizer of coding-agent instructions") != std::string::npos) {
      reflect_bodies_.push_back(req.body);
      if (garbage_always_ || req.body.find("previous reply was not valid JSON") == std::string::npos)
        return testing::Action::ok("I would add a rule about codewords, I think.");
      return testing::Action::ok(
          "```json\n{\"edits\":[{\"op\":\"add\",\"content\":\"The project codeword is PINEAPPLE, then a "
          "dash and the ticket number.\",\"rationale\":\"every failure used the wrong codeword\",\"kind\":"
          "\"skill_defect\"}]}\n```");
    }
    replay_bodies_.push_back(req.body);
    std::smatch m;
    const std::string n = std::regex_search(req.body, m, ticket_) ? m[1].str() : "0";
    bool right = req.body.find("codeword is PINEAPPLE") != std::string::npos;
    if (!right && req.body.find("\"temperature\":0.7") != std::string::npos) right = (sampled_[n]++ % 2) == 0;
    return testing::Action::ok((right ? "PINEAPPLE-" : "BANANA-") + n);
  }

  // Writes the pipeline of a night on data/night/scripted.json; `consolidate` is the stage's
  // extra config, `llm_extra` the backends'.
  std::string write_pipeline(const std::string& consolidate, const std::string& llm_extra, std::string base_url) {
    if (base_url.empty()) base_url = server_.openai_base_url();
    const std::string llm = "{provider: openai, base_url: \"" + base_url +
                            "\", api_key_env: NIGHT_TEST_KEY, max_retries: 0, timeout_s: 10" + llm_extra;
    write_text(tmp_.file("night.yaml"),
               "skillpipe: 1\n"
               "store: {plugin: store_files}\n"
               "backends:\n"
               "  target: {plugin: backend_llm, config: " +
                   llm +
                   ", model: target-model}}\n"
                   "  optimizer: {plugin: backend_llm, config: " +
                   llm +
                   ", model: optimizer-model}}\n"
                   "stages:\n"
                   "  - id: mine\n"
                   "    plugin: mine_personas\n"
                   "    config: {fixture: \"" +
                   data("scripted.json") +
                   "\", persona: pine}\n"
                   "  - id: judge\n"
                   "    plugin: judge_exact\n"
                   "    inputs: [mine]\n"
                   "  - id: consolidate\n"
                   "    plugin: consolidate_reflect\n"
                   "    inputs: [mine, judge]\n"
                   "    config: {backend: target, fanout: false" +
                   consolidate + "}\n");
    return tmp_.file("night.yaml");
  }

  Night night(const std::string& consolidate, const std::string& llm_extra = "", bool with_key = true,
              std::string base_url = "") {
    return run_night(write_pipeline(consolidate, llm_extra, std::move(base_url)), tmp_.file("proj"),
                     tmp_.file("store"), {},
                     with_key ? std::vector<std::string>{"NIGHT_TEST_KEY=test-key-123"}
                              : std::vector<std::string>{"NIGHT_TEST_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL"});
  }

  // Starts the night written last without waiting (output to /dev/null).
  pid_t spawn_night() {
    const std::vector<std::string> args = {testing::skillpipe_bin(), "run", tmp_.file("night.yaml"), "--project",
                                           tmp_.file("proj"), "--store", tmp_.file("store")};
    const pid_t pid = ::fork();
    if (pid == 0) {
      const int null = ::open("/dev/null", O_RDWR);
      ::dup2(null, 0), ::dup2(null, 1), ::dup2(null, 2);
      ::setenv("NIGHT_TEST_KEY", "test-key-123", 1);
      ::setenv("SKILLPIPE_STORE_FSYNC", "0", 1);  // SIGKILL is a process crash: the page cache survives
      std::vector<char*> argv;
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    return pid;
  }

  // Every answer bills 11 + 7 tokens (the scripted server's usage).
  long billed_tokens() const { return 18L * server_.requests(); }

  testing::ScriptedServer server_;
  TempDir tmp_;
  std::mutex mu_;
  std::vector<std::string> reflect_bodies_, replay_bodies_;
  std::map<std::string, int> sampled_;
  bool garbage_always_ = false;  // the optimizer never gives usable JSON
  std::atomic<double> latency_s_{0};  // how long every answer takes
  const std::regex ticket_{"ticket ([0-9]+)"};
};

TEST_F(NightScripted, GarbageReflectionIsRetriedAndTheOptimizerModelReflects) {
  const Night n = night(", optimizer_backend: optimizer, gate_mode: strict");
  ASSERT_EQ(n.cmd.exit_code, 0) << n.cmd.err << n.cmd.out;
  EXPECT_EQ(n.action(), "accept") << n.cmd.out;
  ASSERT_EQ(reflect_bodies_.size(), 2u);
  EXPECT_NE(reflect_bodies_[1].find("previous reply was not valid JSON"), std::string::npos);
  EXPECT_NE(notes_of(n.report()).find("skill reflection: no JSON edit list found in the reply; asked once more"),
            std::string::npos);
  // Two models: reflection on the optimizer, replays on the target.
  for (const auto& b : reflect_bodies_) EXPECT_NE(b.find("optimizer-model"), std::string::npos);
  for (const auto& b : replay_bodies_) EXPECT_NE(b.find("target-model"), std::string::npos);
  EXPECT_NE(std::string(n.report()["attrs"]["models"].GetString()).find("reflection"), std::string::npos);
  EXPECT_DOUBLE_EQ(n.report()["candidate_val"].GetDouble(), 1.0);
  EXPECT_GT(n.report()["llm_calls"].GetInt64(), 10);
  EXPECT_GT(n.report()["tokens"]["input"].GetInt64(), 0);
}

// An optimizer that never answers usably fails the stage (exit 1, a clear message); the
// night is not published as an empty `no_edits` night.
TEST_F(NightScripted, UnusableOptimizerFailsTheStage) {
  garbage_always_ = true;
  const Night n = night(", optimizer_backend: optimizer");
  EXPECT_EQ(n.cmd.exit_code, 1) << n.cmd.err << n.cmd.out;
  EXPECT_NE(n.cmd.err.find("the optimizer"), std::string::npos) << n.cmd.err;
  EXPECT_NE(n.cmd.err.find("the retry was not usable either"), std::string::npos) << n.cmd.err;
  EXPECT_NE(n.cmd.err.find("nothing staged"), std::string::npos) << n.cmd.err;
}

TEST_F(NightScripted, RolloutsShowGoodAndBadAttemptsSideBySide) {
  const Night n = night(", rollouts_k: 2");
  ASSERT_EQ(n.cmd.exit_code, 0) << n.cmd.err << n.cmd.out;
  ASSERT_FALSE(reflect_bodies_.empty());
  EXPECT_NE(reflect_bodies_[0].find("answered well and badly"), std::string::npos) << reflect_bodies_[0];
  EXPECT_NE(reflect_bodies_[0].find("GOOD (score 1.0000): PINEAPPLE-"), std::string::npos);
  EXPECT_NE(reflect_bodies_[0].find("BAD (score"), std::string::npos);
}

TEST_F(NightScripted, PlanOverTheCapIsRefusedBeforeAnyPaidCall) {
  const Night n = night("", ", budget: {max_tokens: 400}");
  ASSERT_EQ(n.cmd.exit_code, 0) << n.cmd.err << n.cmd.out;
  EXPECT_EQ(n.action(), "budget_refused") << n.cmd.out;
  EXPECT_EQ(server_.requests(), 0);
  EXPECT_NE(notes_of(n.report()).find("on_over_budget=fit"), std::string::npos);
  EXPECT_GT(n.report()["metrics"]["plan_tokens"].GetDouble(), 400);
}

TEST_F(NightScripted, BudgetRunningOutStopsTheNightHonestly) {
  // Told to run past its plan, the night spends up to the cap and says the budget ended it.
  const Night n = night(", on_over_budget: run", ", budget: {max_tokens: 400}");
  ASSERT_EQ(n.cmd.exit_code, 0) << n.cmd.err << n.cmd.out;
  EXPECT_EQ(n.action(), "budget_stopped") << n.cmd.out;
  EXPECT_EQ(n.report()["proposals"].Size(), 0u);
}

// The report counts every call the server saw, once (the night's spend ledger).
TEST_F(NightScripted, TheReportCountsExactlyTheCallsTheServerWasPaidFor) {
  const Night n = night(", optimizer_backend: optimizer, gate_mode: strict");
  ASSERT_EQ(n.cmd.exit_code, 0) << n.cmd.err << n.cmd.out;
  const auto& r = n.report();
  EXPECT_EQ(r["llm_calls"].GetInt64() - r["cached_calls"].GetInt64(), server_.requests());
  EXPECT_EQ(r["tokens"]["input"].GetInt64() + r["tokens"]["output"].GetInt64(), billed_tokens());
  EXPECT_EQ(r["counts"]["spend.consolidate.paid_calls"].GetInt64(), server_.requests());
  const std::string md = read_text(n.dir() + "/report.md");
  EXPECT_NE(md.find("(" + std::to_string(server_.requests()) + " paid,"), std::string::npos) << md;
  // `status` shows the same spend.
  const auto st = run_skillpipe({"status", "--project", tmp_.file("proj"), "--store", tmp_.file("store")});
  EXPECT_NE(st.out.find("Spend: " + std::to_string(server_.requests()) + " paid call(s)"), std::string::npos)
      << st.out;
}

// A night with a token cap killed with SIGKILL after N answers and resumed never makes the
// server bill more than the cap, to the token: the ledger counts a call in flight at its
// worst case, and nothing is read from a saved total.
TEST_F(NightScripted, AKilledAndResumedNightNeverPassesItsTokenCap) {
  constexpr long kCap = 900;
  // Small answers keep each call's worst case small, so the cap allows several calls.
  const std::string llm_extra = ", max_tokens: 40, budget: {max_tokens: " + std::to_string(kCap) + "}";
  latency_s_ = 0.05;
  write_pipeline(", on_over_budget: run", llm_extra, "");
  const Night whole = run_night(tmp_.file("night.yaml"), tmp_.file("proj"), tmp_.file("store"), {},
                                {"NIGHT_TEST_KEY=test-key-123"});
  ASSERT_EQ(whole.cmd.exit_code, 0) << whole.cmd.err;
  ASSERT_EQ(whole.action(), "budget_stopped") << "the cap must end the night for the test to mean anything ("
                                              << server_.requests() << " calls, " << billed_tokens() << " tokens)";
  const long uninterrupted = billed_tokens();
  ASSERT_LE(uninterrupted, kCap);
  ASSERT_GE(server_.requests(), 6) << "the cap must allow a few calls for the kills to land between them\n"
                                    << notes_of(whole.report());
  for (const int kill_after : {1, 3, 6, 12}) {
    SCOPED_TRACE("killed after " + std::to_string(kill_after) + " answers");
    server_.reset_counters();
    std::filesystem::remove_all(tmp_.file("store"));
    write_pipeline(", on_over_budget: run", llm_extra, "");
    const pid_t pid = spawn_night();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (server_.requests() < kill_after && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the night ended before the kill";
    const Night resumed = run_night(tmp_.file("night.yaml"), tmp_.file("proj"), tmp_.file("store"), {},
                                    {"NIGHT_TEST_KEY=test-key-123"});
    ASSERT_EQ(resumed.cmd.exit_code, 0) << resumed.cmd.err;
    EXPECT_TRUE(resumed.summary["resumed"].GetBool());
    EXPECT_LE(billed_tokens(), kCap) << "uninterrupted: " << uninterrupted;
    std::printf("killed after %d answers: the server billed %ld tokens in %d calls (cap %ld; uninterrupted %ld)\n",
                kill_after, billed_tokens(), server_.requests(), kCap, uninterrupted);
    // The report never counts less than the server billed.
    const auto& t = resumed.report()["tokens"];
    EXPECT_GE(t["input"].GetInt64() + t["output"].GetInt64(), billed_tokens());
  }
}

// An endpoint that refuses every connection fails the night with the backend's own error.
TEST_F(NightScripted, AnUnreachableEndpointFailsTheNightWithTheBackendsError) {
  std::string url;
  {
    testing::ScriptedServer gone;
    url = gone.openai_base_url();
  }  // nothing listens there any more
  const Night n = night("", "", true, url);
  EXPECT_NE(n.cmd.exit_code, 0) << n.cmd.out;
  EXPECT_NE(n.cmd.err.find("the replay backend said: POST " + url), std::string::npos) << n.cmd.err;
}

TEST_F(NightScripted, UnavailableBackendCostsNothing) {
  // A remote OpenAI endpoint without its key: backend_llm reports itself unavailable.
  const Night n = night("", "", /*with_key=*/false, "https://api.openai.com/v1");
  ASSERT_EQ(n.cmd.exit_code, 0) << n.cmd.err << n.cmd.out;
  EXPECT_NE(notes_of(n.report()).find("backend 'target' is not available"), std::string::npos) << n.cmd.out;
  EXPECT_EQ(server_.requests(), 0);
}
#endif

}  // namespace
}  // namespace skillpipe
