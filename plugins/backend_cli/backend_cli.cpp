// backend_cli - an agent CLI (`claude -p` or `codex exec`) as a chat backend.
//
// For users whose model access is an agent subscription rather than an API key. One plugin
// serves both CLIs (config `agent`): they share everything but the command line and the
// output format (cli_agents.cpp). Each call runs in a fresh empty temporary directory with
// the prompt on stdin; empty answers and transient failures are retried; authentication
// errors stop the backend with a message saying how to log in, and are never returned as
// answers.
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "backoff.hpp"
#include "budget.hpp"
#include "cli_agents.hpp"
#include "clock.hpp"
#include "rate_limiter.hpp"
#include "request_text.hpp"
#include "response_cache.hpp"
#include "skillpipe/backend.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/plugin.hpp"
#include "skillpipe/store.hpp"
#include "subprocess.hpp"

namespace skillpipe {
namespace {

namespace fs = std::filesystem;

const char* const kSchemaJson = R"JSON({
  "$schema": "http://json-schema.org/draft-04/schema#",
  "title": "backend_cli",
  "description": "An agent CLI as a backend: claude -p or codex exec. Prompt on stdin, empty temporary working directory, tools off, nothing saved to the user's history.",
  "type": "object",
  "additionalProperties": false,
  "required": ["agent"],
  "properties": {
    "agent": {"enum": ["claude", "codex"]},
    "binary": {"type": "string", "description": "the executable (default: claude / codex on PATH)"},
    "model": {"type": "string"},
    "args": {"type": "array", "items": {"type": "string"}, "description": "replaces the default flags (for CLI versions that differ)"},
    "extra_args": {"type": "array", "items": {"type": "string"}},
    "bare": {"type": "boolean", "description": "claude --bare; default: on when ANTHROPIC_API_KEY is set"},
    "timeout_s": {"type": "number", "minimum": 0.01},
    "max_retries": {"type": "integer", "minimum": 0, "description": "retries on empty answers, timeouts and crashes (default 2)"},
    "backoff_base_s": {"type": "number", "minimum": 0},
    "concurrency": {"type": "integer", "minimum": 1},
    "cache": {"type": "boolean"},
    "workdir_root": {"type": "string", "description": "where the temporary working directories go (default: TMPDIR)"},
    "budget": )JSON" SKILLPIPE_BUDGET_SCHEMA R"JSON(
  }
})JSON";

class CliBackend final : public Backend {
 public:
  void configure(const Config& c, Context& ctx) override {
    std::string agent = c.get_string("agent");
    if (agent != "claude" && agent != "codex") {
      throw ConfigError("backend_cli: agent must be claude or codex, not '" + agent + "'", "/agent");
    }
    s_.agent = agent == "claude" ? cli::Agent::kClaude : cli::Agent::kCodex;
    name_ = agent;
    s_.binary = expand_path(c.get_string("binary", agent));
    s_.model = c.get_string("model");
    s_.args = c.get_string_list("args");
    s_.extra_args = c.get_string_list("extra_args");
    const char* api_key = std::getenv("ANTHROPIC_API_KEY");
    // --bare skips keychain/OAuth login, so it only works with an API key (SkillOpt #68).
    s_.bare = s_.agent == cli::Agent::kClaude && c.get_bool("bare", api_key && *api_key);
    timeout_s_ = c.get_double("timeout_s", s_.agent == cli::Agent::kClaude ? 180 : 240);
    backends::BackoffPolicy policy;
    policy.max_retries = static_cast<int>(c.get_int("max_retries", 2));
    policy.base_s = c.get_double("backoff_base_s", 2.0);
    policy.jitter = 0.25;
    backoff_ = std::make_unique<backends::Backoff>(policy);
    cache_ = c.get_bool("cache", true);
    workdir_root_ = c.has("workdir_root") ? expand_path(c.get_string("workdir_root"))
                                          : fs::temp_directory_path().string();
    clock_ = backends::make_real_clock();
    budget_ = std::make_unique<backends::BudgetTracker>(*clock_, backends::read_budget_caps(c.get_object("budget")));
    limiter_ = std::make_unique<backends::RateLimiter>(*clock_, static_cast<int>(c.get_int("concurrency", 2)), 0, 0);
    budget_key_ = ctx.stage_id().empty() ? std::string("backend_cli") : ctx.stage_id();
    store_ = ctx.store();
    resolved_ = cli::find_executable(s_.binary);
  }

  bool available(std::string* why) const override {
    if (!resolved_.empty()) {
      if (why) why->clear();
      return true;
    }
    if (why) {
      *why = s_.agent == cli::Agent::kClaude
                 ? "the claude CLI ('" + s_.binary + "') was not found on PATH: install Claude Code and log in "
                   "once with `claude`, or set `binary`"
                 : "the codex CLI ('" + s_.binary + "') was not found on PATH: install it (npm i -g @openai/codex) "
                   "and run `codex login`, or set `binary`";
    }
    return false;
  }

  std::string identity() const override { return name_ + "-cli:" + (s_.model.empty() ? "default" : s_.model); }
  bool paid() const override { return true; }
  BudgetState budget() const override {
    if (!budget_) return {};
    budget_->load_from(store_, budget_key_);  // a resumed night reports what it already spent
    return budget_->state();
  }
  void finish(Context& ctx) override {
    if (budget_) budget_->save_to(ctx.store(), budget_key_, true);
  }

  CostEstimate estimate(const ChatRequest& request) const override {
    CostEstimate e;
    e.calls = 1;
    e.tokens_in = backends::estimate_prompt_tokens(request.messages);
    e.tokens_out = std::min(request.max_tokens, 512);
    return e;
  }

  ChatResponse complete(const ChatRequest& request, Context& ctx) override {
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (!fatal_.empty()) throw Error(fatal_);
    }
    std::string why;
    if (!available(&why)) throw Error("backend_cli: " + why);
    const double t0 = clock_->now_s();
    std::int64_t redactions = 0;
    auto messages = backends::redact_messages(request.messages, &redactions);
    if (redactions > 0) ctx.count("redactions", redactions);
    const std::string prompt = std::string(backends::kReplayMarker) + "\n" + backends::flatten_prompt(messages);

    std::string material = name_ + "\n" + s_.model + "\n";
    for (const auto& a : s_.args) material += a + "\x1f";
    for (const auto& a : s_.extra_args) material += a + "\x1f";
    material += "\nsample=" + std::to_string(request.sample) + backends::draw_of(request) + "\n" + prompt;
    const std::string key = backends::cache_key("cli", material);
    if (cache_) {
      if (auto hit = backends::cache_lookup(ctx, key)) {
        hit->latency_ms = (clock_->now_s() - t0) * 1000.0;
        ctx.count("cache_hits");
        return *hit;
      }
    }

    budget_->load_from(ctx.store(), budget_key_);
    const std::int64_t est_in = backends::estimate_prompt_tokens(messages);
    const std::uint64_t reservation = budget_->reserve(est_in + request.max_tokens, 0);
    cli::AgentAnswer answer;
    double started = t0;
    try {
      answer = call_with_retries(prompt, ctx, &started);
    } catch (...) {
      budget_->release(reservation);
      throw;
    }
    ChatResponse r;
    r.text = answer.text;
    r.model = answer.model.empty() ? identity() : answer.model;
    r.finish_reason = "stop";
    if (answer.has_usage) {
      r.usage = answer.usage;
    } else {
      r.usage.input = est_in;
      r.usage.output = backends::estimate_tokens(r.text);
    }
    r.cost_usd = answer.cost_usd;
    budget_->commit(reservation, r.usage.total(), r.cost_usd);
    budget_->save_to(ctx.store(), budget_key_, false);
    r.latency_ms = (clock_->now_s() - started) * 1000.0;  // from the first run, without slot waits
    ctx.count("cli_calls");
    if (cache_) backends::cache_save(ctx, key, r);
    return r;
  }

 private:
  // One run of the CLI in a fresh temporary directory, removed afterwards.
  cli::AgentAnswer run_once(const std::string& prompt, Context& ctx) {
    std::string tmpl = workdir_root_ + "/skillpipe-" + name_ + "-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (!::mkdtemp(buf.data())) {
      throw Error("backend_cli: cannot create a temporary directory under " + workdir_root_);
    }
    const std::string root = buf.data();
    const std::string workdir = root + "/work";
    const std::string answer_file = root + "/answer.txt";
    std::error_code ec;
    fs::create_directory(workdir, ec);
    cli::ProcessSpec spec;
    spec.argv = cli::agent_argv(s_, workdir, answer_file);
    spec.argv[0] = resolved_;
    spec.cwd = workdir;
    spec.stdin_text = prompt;
    spec.env_unset = cli::agent_env_unset(s_);
    spec.env_set = cli::agent_env_set(s_);
    spec.timeout_s = std::min(timeout_s_, std::max(0.05, budget_->wall_left_s()));  // never past the wall cap
    cli::ProcessResult p = cli::run_process(spec, [&ctx] { return ctx.cancelled(); });
    std::string answer_text = read_file(answer_file).value_or("");
    fs::remove_all(root, ec);
    return cli::read_answer(s_, p, answer_text);
  }

  cli::AgentAnswer call_with_retries(const std::string& prompt, Context& ctx, double* started) {
    const int max_retries = std::max(0, backoff_->policy().max_retries);
    for (int attempt = 0;; ++attempt) {
      budget_->check_wall();
      cli::AgentAnswer a;
      {
        auto permit = limiter_->acquire(0, [&ctx] { return ctx.cancelled(); });
        if (attempt == 0) *started = clock_->now_s();
        a = run_once(prompt, ctx);
      }
      switch (a.failure) {
        case cli::Failure::kNone:
          return a;
        case cli::Failure::kAuth:
          latch(a.error + (s_.agent == cli::Agent::kClaude
                               ? " -- log in by running `claude` once (or set ANTHROPIC_API_KEY)"
                               : " -- log in with `codex login` (or set OPENAI_API_KEY)"));
          break;
        case cli::Failure::kFatal:
          latch(a.error + " -- check the CLI version, or set `args` for this version");
          break;
        case cli::Failure::kUsageLimit:
          budget_->exhaust(a.error);
        case cli::Failure::kEmpty:
        case cli::Failure::kTransient:
          break;
      }
      if (attempt >= max_retries) {
        throw RetryableError(a.error + " (gave up after " + std::to_string(attempt + 1) + " attempts)");
      }
      double delay = backoff_->delay_s(attempt + 1);
      ctx.logger().warn("backend_cli: {}; retry {}/{} in {:.1f} s", a.error, attempt + 1, max_retries, delay);
      ctx.count("retries");
      if (!backends::sleep_interruptible(*clock_, delay, [&ctx] { return ctx.cancelled(); })) {
        throw Error("cancelled while waiting to retry");
      }
    }
  }

  [[noreturn]] void latch(const std::string& message) {
    {
      std::lock_guard<std::mutex> lk(mu_);
      if (fatal_.empty()) fatal_ = message;
    }
    throw Error(message);
  }

  cli::AgentSettings s_;
  std::string name_ = "claude";
  std::string resolved_;
  double timeout_s_ = 180;
  bool cache_ = true;
  std::string workdir_root_;
  std::unique_ptr<backends::Clock> clock_;
  std::unique_ptr<backends::Backoff> backoff_;
  std::unique_ptr<backends::BudgetTracker> budget_;
  std::unique_ptr<backends::RateLimiter> limiter_;
  std::string budget_key_;
  Store* store_ = nullptr;
  std::mutex mu_;
  std::string fatal_;
};

}  // namespace
}  // namespace skillpipe

SKILLPIPE_PLUGIN(skillpipe::StageKind::kBackend, "1.0.0",
                 "Agent CLI backend: `claude -p` or `codex exec` (isolated, no tools, no history written)",
                 skillpipe::kSchemaJson,
                 [] { return std::unique_ptr<skillpipe::StageBase>(new skillpipe::CliBackend); });
