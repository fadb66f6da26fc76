// backend_cli: `claude -p` and `codex exec` driven through stand-in executables on PATH
// (tests/data/backends/bin) that mimic each CLI's output contract and record every call.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "backend_env.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/spend_ledger.hpp"
#include "skillpipe/kit/util.hpp"
#include "test_support.hpp"

namespace skillpipe::testing {
namespace {

namespace fs = std::filesystem;

class BackendsCli : public ::testing::Test {
 protected:
  BackendsCli()
      : path_("PATH", (test_data_dir() + "/backends/bin:" + std::getenv("PATH")).c_str()),
        log_env_("FAKE_CLI_LOG", log_.path().c_str()),
        home_env_("HOME", home_.path().c_str()),
        codex_home_("CODEX_HOME", nullptr),
        claudecode_("CLAUDECODE", "1") {}

  std::shared_ptr<Backend> make(const std::string& agent, const std::string& extra = "") {
    // `extra` comes first: the first of duplicate keys wins.
    return env_.make("backend_cli", R"({"agent":")" + agent + "\"," + (extra.empty() ? "" : extra + ",") +
                                        R"("backoff_base_s":0.01,"timeout_s":10})");
  }
  int calls() const {
    auto c = read_file(log_.file("count"));
    return c ? std::stoi(*c) : 0;
  }
  std::string call(int n, const std::string& what) const { return read_text(log_.file("call-" + std::to_string(n) + "." + what)); }
  bool has_arg(int n, const std::string& arg) const { return ("\n" + call(n, "args")).find("\n" + arg + "\n") != std::string::npos; }
  bool home_is_empty() const { return fs::is_empty(home_.path()); }

  TempDir log_, home_;
  ScopedEnv path_, log_env_, home_env_, codex_home_, claudecode_;
  BackendEnv env_{"agent"};
};

TEST_F(BackendsCli, ClaudeAnswersInACleanDirectoryWithoutTouchingHistory) {
  auto b = make("claude");
  ASSERT_TRUE(b->available(nullptr));
  ChatRequest req = user_request("Summarise the task.");
  req.messages.insert(req.messages.begin(), {"system", "Follow the skill."});
  ChatResponse r = b->complete(req, env_.ctx());
  EXPECT_EQ(r.text, "stand-in answer");
  EXPECT_EQ(r.usage.input, 150);
  EXPECT_EQ(r.usage.cache_read, 30);
  EXPECT_EQ(r.usage.output, 9);
  EXPECT_NEAR(r.cost_usd, 0.0042, 1e-12);
  EXPECT_EQ(r.model, "claude-stand-in");
  EXPECT_EQ(b->identity(), "claude-cli:default");
  EXPECT_TRUE(b->paid());

  ASSERT_EQ(calls(), 1);
  // Prompt on stdin, starting with the replay marker the harvesters skip.
  std::string in = call(1, "stdin");
  EXPECT_EQ(in.rfind("[skillpipe-replay]\n", 0), 0u) << in;
  EXPECT_NE(in.find("Follow the skill."), std::string::npos);
  EXPECT_NE(in.find("Summarise the task."), std::string::npos);
  // Print mode, JSON result, tools off, no MCP servers, nothing persisted.
  for (const char* a : {"-p", "--output-format", "json", "--tools", "", "--strict-mcp-config", "--no-session-persistence"}) {
    EXPECT_TRUE(has_arg(1, a)) << "missing argument '" << a << "' in:\n" << call(1, "args");
  }
  // A fresh, empty working directory that is gone afterwards.
  std::string cwd = trim(call(1, "cwd"));
  EXPECT_NE(cwd, fs::current_path().string());
  EXPECT_EQ(trim(call(1, "ls")), "");
  EXPECT_FALSE(fs::exists(cwd));
  EXPECT_TRUE(home_is_empty()) << "a session was written into the user's history";
  EXPECT_EQ(trim(call(1, "env")), "CLAUDECODE=unset") << "a nested claude refuses to start with CLAUDECODE set";
}

TEST_F(BackendsCli, CodexAnswersFromTheOutputFileWithoutTouchingHistory) {
  auto b = make("codex", R"("model":"gpt-5-codex")");
  ChatResponse r = b->complete(user_request("Write a commit message."), env_.ctx());
  EXPECT_EQ(r.text, "stand-in answer");
  EXPECT_EQ(r.usage.input, 200);
  EXPECT_EQ(r.usage.cache_read, 50);
  EXPECT_EQ(r.usage.output, 12);
  EXPECT_EQ(b->identity(), "codex-cli:gpt-5-codex");
  ASSERT_EQ(calls(), 1);
  EXPECT_EQ(call(1, "stdin").rfind("[skillpipe-replay]\n", 0), 0u);
  for (const char* a : {"exec", "--ephemeral", "--skip-git-repo-check", "--json", "read-only", "-m", "gpt-5-codex", "-"}) {
    EXPECT_TRUE(has_arg(1, a)) << "missing argument '" << a << "' in:\n" << call(1, "args");
  }
  EXPECT_TRUE(has_arg(1, trim(call(1, "cwd")))) << "-C names the clean working directory";
  EXPECT_EQ(trim(call(1, "ls")), "");
  EXPECT_TRUE(home_is_empty()) << "a rollout was written into ~/.codex";
}

TEST_F(BackendsCli, CodexReconnectNoticesAreNotErrors) {
  ScopedEnv mode("FAKE_CLI_MODE", "reconnect_then_ok");
  auto b = make("codex");
  EXPECT_EQ(trim(b->complete(user_request("x"), env_.ctx()).text), "stand-in answer");
  EXPECT_EQ(calls(), 1);
}

TEST_F(BackendsCli, EmptyAnswerIsRetried) {
  ScopedEnv mode("FAKE_CLI_MODE", "empty_then_ok");
  auto b = make("claude");
  EXPECT_EQ(b->complete(user_request("x"), env_.ctx()).text, "stand-in answer");
  EXPECT_EQ(calls(), 2);
}

TEST_F(BackendsCli, AlwaysEmptyEndsAsRetryableErrorNotAnAnswer) {
  ScopedEnv mode("FAKE_CLI_MODE", "empty");
  auto b = make("codex", R"("max_retries":2)");
  try {
    b->complete(user_request("x"), env_.ctx());
    FAIL() << "an empty answer must not be returned";
  } catch (const RetryableError& e) {
    EXPECT_NE(std::string(e.what()).find("empty"), std::string::npos) << e.what();
  }
  EXPECT_EQ(calls(), 3);
}

TEST_F(BackendsCli, AuthErrorsAreErrorsNeverAnswers) {
  for (const std::string agent : {"claude", "codex"}) {
    ScopedEnv mode("FAKE_CLI_MODE", "auth");
    ::unlink(log_.file("count").c_str());
    auto b = make(agent);
    try {
      b->complete(user_request("x"), env_.ctx());
      FAIL() << agent << ": an auth failure came back as an answer";
    } catch (const RetryableError& e) {
      FAIL() << agent << ": auth errors must not be retried: " << e.what();
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("log in"), std::string::npos) << e.what();
    }
    EXPECT_THROW(b->complete(user_request("y"), env_.ctx()), Error);
    EXPECT_EQ(calls(), 1) << agent << ": the second call must not start the CLI again";
  }
}

TEST_F(BackendsCli, UsageLimitEndsTheBudget) {
  ScopedEnv mode("FAKE_CLI_MODE", "usage_limit");
  auto b = make("codex");
  EXPECT_THROW(b->complete(user_request("x"), env_.ctx()), BudgetExceeded);
  EXPECT_TRUE(b->budget().exhausted);
  EXPECT_NE(b->budget().reason.find("usage limit"), std::string::npos);
  EXPECT_EQ(calls(), 1);
}

TEST_F(BackendsCli, TokenCapStopsCalls) {
  auto b = make("claude", R"("budget":{"max_tokens":200})");
  b->complete(user_request("first"), env_.ctx());  // 150 + 9 tokens
  EXPECT_THROW(b->complete(user_request("second"), env_.ctx()), BudgetExceeded);
  EXPECT_EQ(calls(), 1);
  EXPECT_EQ(b->budget().tokens_used, 159);
}

TEST_F(BackendsCli, UnknownFlagSaysHowToAdapt) {
  ScopedEnv mode("FAKE_CLI_MODE", "unknown_flag");
  auto b = make("claude");
  try {
    b->complete(user_request("x"), env_.ctx());
    FAIL() << "expected an error";
  } catch (const RetryableError&) {
    FAIL() << "retrying cannot fix a flag";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("args"), std::string::npos) << e.what();
  }
  EXPECT_EQ(calls(), 1);
}

// The CLI reports its cost only at the end, so a cost cap reserves `worst_cost_usd` for a call
// before it starts: a cap below it starts no CLI (a call in flight, or one a killed night left
// unanswered, counts at that worst case).
TEST_F(BackendsCli, CostCapReservesTheWorstCaseBeforeStartingTheCli) {
  auto b = make("claude", R"("budget":{"max_cost_usd":0.2},"worst_cost_usd":0.25)");
  EXPECT_THROW(b->complete(user_request("x"), env_.ctx()), BudgetExceeded);
  EXPECT_EQ(calls(), 0);
  EXPECT_NE(b->budget().reason.find("may cost up to"), std::string::npos) << b->budget().reason;
  auto ok = make("claude", R"("budget":{"max_cost_usd":0.3},"worst_cost_usd":0.25)");
  EXPECT_NO_THROW(ok->complete(user_request("x"), env_.ctx()));
  EXPECT_EQ(calls(), 1);
}

// A call's reservation carries the longest it may take (timeout x attempts): a kill that leaves
// it unanswered counts that much wall time on resume, so a wall-time cap holds across the kill.
TEST_F(BackendsCli, AReservationCarriesTheLongestTheCallMayTake) {
  env_.store().next_night("0001-test", "");
  auto b = make("claude", R"("max_retries":1)");  // timeout_s 10 (make), 2 attempts
  b->complete(user_request("x"), env_.ctx());
  const auto ledger = read_spend(&env_.store());
  ASSERT_FALSE(ledger.empty());
  EXPECT_EQ(ledger.front().event, SpendEvent::kReserve);
  EXPECT_DOUBLE_EQ(ledger.front().max_s, 20);
  EXPECT_LT(sum_spend(ledger).wall_s, 10) << "answered: its own wall time, not the bound";
  std::vector<SpendEntry> killed{ledger.front()};  // the same night killed before the answer
  EXPECT_GE(sum_spend(killed).wall_s, 20);
}

TEST_F(BackendsCli, TimeoutKillsTheWholeProcessGroup) {
  ScopedEnv mode("FAKE_CLI_MODE", "hang");
  auto b = make("claude", R"("timeout_s":0.4,"max_retries":0)");
  auto t0 = std::chrono::steady_clock::now();
  try {
    b->complete(user_request("x"), env_.ctx());
    FAIL() << "expected a timeout";
  } catch (const RetryableError& e) {
    EXPECT_NE(std::string(e.what()).find("timed out"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 2.0);
  // The stand-in's own `sleep` child must be dead too (a zombie waiting to be reaped by
  // init counts as dead: it was killed).
  const std::string child = trim(call(1, "child"));
  auto running = [&] {
    auto stat = read_file("/proc/" + child + "/stat");
    if (!stat) return false;
    auto close = stat->rfind(')');
    return close != std::string::npos && close + 2 < stat->size() && (*stat)[close + 2] != 'Z' && (*stat)[close + 2] != 'X';
  };
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = !running();
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(gone) << "the CLI's child process " << child << " survived the timeout";
}

TEST_F(BackendsCli, CrashIsRetriedThenReported) {
  ScopedEnv mode("FAKE_CLI_MODE", "crash");
  auto b = make("claude", R"("max_retries":1)");
  try {
    b->complete(user_request("x"), env_.ctx());
    FAIL() << "expected an error";
  } catch (const RetryableError& e) {
    EXPECT_NE(std::string(e.what()).find("139"), std::string::npos) << e.what();
  }
  EXPECT_EQ(calls(), 2);
}

TEST_F(BackendsCli, RepeatedRequestIsAnsweredFromTheCache) {
  auto b = make("claude");
  b->complete(user_request("same"), env_.ctx());
  ChatResponse again = b->complete(user_request("same"), env_.ctx());
  EXPECT_TRUE(again.cached);
  EXPECT_EQ(again.text, "stand-in answer");
  EXPECT_EQ(calls(), 1);
}

TEST_F(BackendsCli, SecretsAreRedactedFromThePrompt) {
  auto b = make("claude");
  b->complete(user_request("use AKIAIOSFODNN7EXAMPLE to deploy"), env_.ctx());
  std::string in = call(1, "stdin");
  EXPECT_EQ(in.find("AKIAIOSFODNN7EXAMPLE"), std::string::npos) << in;
  EXPECT_NE(in.find("[REDACTED:"), std::string::npos);
}

TEST_F(BackendsCli, MissingBinaryIsUnavailableWithAHint) {
  auto b = make("codex", R"("binary":"codex-not-installed-here")");
  std::string why;
  EXPECT_FALSE(b->available(&why));
  EXPECT_NE(why.find("codex login"), std::string::npos) << why;
  EXPECT_THROW(b->complete(user_request("x"), env_.ctx()), Error);
}

}  // namespace
}  // namespace skillpipe::testing
