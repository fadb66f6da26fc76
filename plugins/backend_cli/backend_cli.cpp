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
#include <string>

#include "budget.hpp"
#include "cli_agents.hpp"
#include "metered_backend.hpp"
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
    "agent": {"description": "which agent CLI answers", "enum": ["claude", "codex"]},
    "binary": {"default": null, "type": "string", "description": "the executable (default: claude / codex on PATH)"},
    "model": {"default": null, "description": "model passed to the CLI (default: the CLI's own)", "type": "string"},
    "args": {"default": null, "type": "array", "items": {"type": "string"}, "description": "replaces the default flags (for CLI versions that differ)"},
    "extra_args": {"default": [], "description": "flags appended to the default ones", "type": "array", "items": {"type": "string"}},
    "bare": {"default": null, "type": "boolean", "description": "claude --bare; default: on when ANTHROPIC_API_KEY is set"},
    "timeout_s": {"default": null, "description": "seconds per call (default 180 for claude, 240 for codex)", "type": "number", "minimum": 0.01},
    "max_retries": {"default": 2, "type": "integer", "minimum": 0, "description": "retries on empty answers, timeouts and crashes (default 2)"},
    "backoff_base_s": {"default": 2.0, "description": "first retry wait; doubles per retry", "type": "number", "minimum": 0},
    "concurrency": {"default": 2, "description": "calls at once", "type": "integer", "minimum": 1},
    "cache": {"default": true, "description": "answer repeated requests from the store's response cache", "type": "boolean"},
    "workdir_root": {"default": null, "type": "string", "description": "where the temporary working directories go (default: TMPDIR)"},
    "worst_cost_usd": {"default": 0.25, "type": "number", "minimum": 0, "description": "US dollars one call may cost at most, assumed before it runs (the CLI reports the real cost only at its end): what a cost cap reserves for a call in flight, and what a call a killed night left unanswered is charged when it resumes"},
    "budget": )JSON" SKILLPIPE_BUDGET_SCHEMA R"JSON(
  }
})JSON";

class CliBackend final : public backend_common::MeteredBackend {
 public:
  void configure(const Config& c, Context& ctx) override {
    std::string agent = c.get_string("agent");
    if (agent != "claude" && agent != "codex") {
      throw ConfigError("backend_cli: agent must be claude or codex, not '" + agent + "'", "/agent");
    }
    s_.agent = agent == "claude" ? backend_cli::Agent::kClaude : backend_cli::Agent::kCodex;
    name_ = agent;
    s_.binary = expand_path(c.get_string("binary", agent));
    s_.model = c.get_string("model");
    s_.args = c.get_string_list("args");
    s_.extra_args = c.get_string_list("extra_args");
    const char* api_key = std::getenv("ANTHROPIC_API_KEY");
    // --bare skips keychain/OAuth login, so it only works with an API key (SkillOpt #68).
    s_.bare = s_.agent == backend_cli::Agent::kClaude && c.get_bool("bare", api_key && *api_key);
    timeout_s_ = c.get_double("timeout_s", s_.agent == backend_cli::Agent::kClaude ? 180 : 240);
    worst_cost_usd_ = c.get_double("worst_cost_usd", 0.25);
    workdir_root_ = c.has("workdir_root") ? expand_path(c.get_string("workdir_root"))
                                          : fs::temp_directory_path().string();
    resolved_ = backend_common::find_executable(s_.binary);
    backend_common::MeterSettings m;
    m.name = "backend_cli";
    m.calls_counter = "paid_cli_calls";
    m.cache = c.get_bool("cache", true);
    m.caps = backend_common::read_budget_caps(c.get_object("budget"));
    m.backoff.max_retries = static_cast<int>(c.get_int("max_retries", 2));
    m.backoff.base_s = c.get_double("backoff_base_s", 2.0);
    m.backoff.jitter = 0.25;
    m.concurrency = static_cast<int>(c.get_int("concurrency", 2));
    configure_metering(m, ctx);
  }

  bool available(std::string* why) const override {
    if (!resolved_.empty()) {
      if (why) why->clear();
      return true;
    }
    if (why) {
      *why = s_.agent == backend_cli::Agent::kClaude
                 ? "the claude CLI ('" + s_.binary + "') was not found on PATH: install Claude Code and log in "
                   "once with `claude`, or set `binary`"
                 : "the codex CLI ('" + s_.binary + "') was not found on PATH: install it (npm i -g @openai/codex) "
                   "and run `codex login`, or set `binary`";
    }
    return false;
  }

  std::string identity() const override { return name_ + "-cli:" + (s_.model.empty() ? "default" : s_.model); }
  bool paid() const override { return true; }

  CostEstimate estimate(const ChatRequest& request) const override {
    CostEstimate e;
    e.calls = 1;
    e.tokens_in = backend_common::estimate_prompt_tokens(request.messages);
    e.tokens_out = std::min(request.max_tokens, 512);
    return e;
  }

 protected:
  // One prompt on stdin; the cache key covers the agent, model and every flag.
  backend_common::PreparedCall prepare(const ChatRequest& redacted, Context&) override {
    backend_common::PreparedCall c;
    c.payload = std::string(backend_common::kReplayMarker) + "\n" + backend_common::flatten_prompt(redacted.messages);
    c.cache_kind = "cli";
    c.cache_material = name_ + "\n" + s_.model + "\n";
    for (const auto& a : s_.args) c.cache_material += a + "\x1f";
    for (const auto& a : s_.extra_args) c.cache_material += a + "\x1f";
    c.cache_material += "\nsample=" + std::to_string(redacted.sample) + backend_common::draw_of(redacted) + "\n" + c.payload;
    c.est_tokens_in = backend_common::estimate_prompt_tokens(redacted.messages);
    c.max_tokens_out = redacted.max_tokens;
    c.worst_cost_usd = worst_cost_usd_;  // reserved against a cost cap until the CLI reports
    c.max_attempt_s = timeout_s_;
    return c;
  }

  backend_common::AttemptResult call_once(const ChatRequest&, const backend_common::PreparedCall& call,
                                    const backend_common::AttemptLimits& limits, Context& ctx) override {
    using Outcome = backend_common::AttemptResult::Outcome;
    const backend_cli::AgentAnswer a = run_once(call.payload, limits, ctx);
    backend_common::AttemptResult r;
    r.message = a.error;
    switch (a.failure) {
      case backend_cli::Failure::kNone:
        r.response.text = a.text;
        r.response.model = a.model.empty() ? identity() : a.model;
        r.response.finish_reason = "stop";
        r.response.usage = a.usage;
        r.usage_reported = a.has_usage;
        r.response.cost_usd = a.cost_usd;
        r.cost_reported = true;  // the agent's own figure (0 when it reports none)
        return r;
      case backend_cli::Failure::kAuth:
        r.outcome = Outcome::kFailForGood;
        r.message += s_.agent == backend_cli::Agent::kClaude ? " -- log in by running `claude` once (or set ANTHROPIC_API_KEY)"
                                                     : " -- log in with `codex login` (or set OPENAI_API_KEY)";
        return r;
      case backend_cli::Failure::kFatal:
        r.outcome = Outcome::kFailForGood;
        r.message += " -- check the CLI version, or set `args` for this version";
        return r;
      case backend_cli::Failure::kUsageLimit:
        r.outcome = Outcome::kBudgetSpent;
        return r;
      case backend_cli::Failure::kEmpty:
      case backend_cli::Failure::kTransient:
        break;
    }
    r.outcome = Outcome::kRetry;
    return r;
  }

 private:
  // One run of the CLI in a fresh temporary directory, removed afterwards.
  backend_cli::AgentAnswer run_once(const std::string& prompt, const backend_common::AttemptLimits& limits, Context&) {
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
    backend_common::ProcessSpec spec;
    spec.argv = backend_cli::agent_argv(s_, workdir, answer_file);
    spec.argv[0] = resolved_;
    spec.argv = backend_common::dying_with_parent(std::move(spec.argv));
    spec.cwd = workdir;
    spec.stdin_text = prompt;
    spec.env_unset = backend_cli::agent_env_unset(s_);
    spec.env_set = backend_cli::agent_env_set(s_);
    spec.timeout_s = std::min(timeout_s_, std::max(0.05, limits.wall_left_s));  // never past the wall cap
    backend_common::ProcessResult p = backend_common::run_process(spec, limits.cancelled);
    std::string answer_text = read_file(answer_file).value_or("");
    fs::remove_all(root, ec);
    return backend_cli::read_answer(s_, p, answer_text);
  }

  double worst_cost_usd_ = 0.25;
  backend_cli::AgentSettings s_;
  std::string name_ = "claude";
  std::string resolved_;
  double timeout_s_ = 180;
  std::string workdir_root_;
};

}  // namespace
}  // namespace skillpipe

SKILLPIPE_PLUGIN(skillpipe::StageKind::kBackend, "1.0.0",
                 "Agent CLI backend: `claude -p` or `codex exec` (isolated, no tools, no history written)",
                 skillpipe::kSchemaJson,
                 [] { return std::make_unique<skillpipe::CliBackend>(); });
