// bench_agentic - do agentic replays (backend_agent, the real agent CLI in its own workspace)
// keep C replays in flight, or does something serialise them?
//
//   eval "$(scripts/agent_clis.sh --print-env)"
//   bench_agentic [--agent claude|codex] [--tasks N] [--latency-ms L] [--concurrency C] [--prewarm W]
//
// N distinct replays of the regen task (tests/agentic/lab) on one git project, through
// backend_agent limited to C at once, from C caller threads, against the scripted loopback
// model that follows skills and answers every model call after L ms. Each replay makes K model
// calls, so the ideal wall time is N*K*L/C. The agent CLIs also need CPU (a Node process per
// replay, git, bubblewrap); on a machine with few cores that work is a second floor,
// (CPU-seconds the machine was busy) / cores, so run it on an idle machine. The ratio that says
// whether skillpipe serialises anything is wall / max(the two floors): a replay waiting on a
// lock, a serial workspace setup or a concurrency cap below C leaves both model time and
// cores unused (so does a wave of C replays whose CLI start-ups all compete for the cores
// at once and then all wait on the model at once). Like the evaluation service, it tells the
// backend which replays are coming (Lookahead), so with --prewarm W > 0 (default: C) the next
// W replays' workspaces are made and their CLIs started while earlier replays wait on the
// model; --prewarm 0 measures replays that start cold.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "backend_env.hpp"
#include "lab.hpp"
#include "model_server.hpp"
#include "test_support.hpp"
#include "warm_replays.hpp"

using namespace skillpipe;

namespace {

struct Options {
  Agent agent = Agent::kClaude;
  int tasks = 32;
  int latency_ms = 1000;
  int concurrency = 16;
  int prewarm = -1;  // -1: the backend's default (its concurrency)
};

[[noreturn]] void usage() {
  std::fprintf(stderr, "usage: bench_agentic [--agent claude|codex] [--tasks N] [--latency-ms L] [--concurrency C] [--prewarm W]\n");
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string v = argv[i + 1];
    if (!std::strcmp(argv[i], "--agent") && (v == "claude" || v == "codex")) o.agent = v == "claude" ? Agent::kClaude : Agent::kCodex;
    else if (!std::strcmp(argv[i], "--tasks")) o.tasks = std::max(1, std::atoi(v.c_str()));
    else if (!std::strcmp(argv[i], "--latency-ms")) o.latency_ms = std::max(0, std::atoi(v.c_str()));
    else if (!std::strcmp(argv[i], "--concurrency")) o.concurrency = std::max(1, std::atoi(v.c_str()));
    else if (!std::strcmp(argv[i], "--prewarm")) o.prewarm = std::max(0, std::atoi(v.c_str()));
    else usage();
  }
  if (argc % 2 == 0) usage();
  return o;
}

// CPU-seconds the whole machine has been busy: the agents run as grandchildren inside
// bubblewrap's PID namespace, which getrusage(RUSAGE_CHILDREN) does not see. Meaningful on an
// otherwise idle machine only.
double machine_busy_s() {
  const auto t = backend_agent::read_cpu_ticks();
  return t ? static_cast<double>(t->busy) / static_cast<double>(::sysconf(_SC_CLK_TCK)) : 0;
}

std::string backend_config(const Options& o, const std::string& url, const std::string& root) {
  std::string c = std::string(R"({"agent": ")") + to_string(o.agent) + R"(", "binary": ")" +
                  backend_agent::lab::agent_binary(o.agent) + R"(", "base_url": ")" + url +
                  R"(", "auth": "api_key", "api_key_env": "SKILLPIPE_TEST_MODEL_KEY", "model_retries": 0,)" +
                  R"( "max_retries": 0, "timeout_s": 600, "cache": false, "concurrency": )" +
                  std::to_string(o.concurrency) + R"(, "workspace_root": ")" + root + "\"";
  if (o.agent == Agent::kCodex) c += R"(, "model": "gpt-5.5")";
  if (o.prewarm >= 0) c += R"(, "prewarm": )" + std::to_string(o.prewarm);
  if (const std::string bw = backend_agent::lab::test_bwrap(); !bw.empty()) c += R"(, "bwrap": ")" + bw + "\"";
  return c + "}";
}

ChatRequest replay_request(const TaskRecord& task) {
  ChatRequest r;
  r.purpose = "replay";
  r.messages = {{"user", task.intent}};
  ReplaySetup rs;
  rs.task = task;
  rs.skill_name = backend_agent::lab::kSkillName;
  rs.skill_text = backend_agent::lab::kSkill;
  r.replay = rs;
  return r;
}

struct RunResult {
  double wall_s = 0;
  int completed = 0, failed = 0;
};

RunResult run_all(Backend& b, Context& ctx, const std::vector<TaskRecord>& tasks, int threads) {
  std::vector<ChatRequest> upcoming;
  for (const auto& t : tasks) upcoming.push_back(replay_request(t));
  auto* ahead = dynamic_cast<Lookahead*>(&b);
  std::atomic<std::size_t> next{0};
  std::atomic<int> completed{0}, failed{0};
  const auto t0 = std::chrono::steady_clock::now();
  if (ahead) ahead->expect(upcoming, ctx);
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (std::size_t i = next++; i < tasks.size(); i = next++) {
        try {
          const ChatResponse r = b.complete(upcoming[i], ctx);
          (r.trajectory && r.trajectory->ended == "completed" ? completed : failed)++;
        } catch (const std::exception& e) {
          if (failed++ == 0) std::fprintf(stderr, "replay failed: %s\n", e.what());
        }
      }
    });
  for (auto& th : pool) th.join();
  if (ahead) ahead->forget(upcoming, ctx);
  return {std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), completed.load(), failed.load()};
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  if (backend_agent::lab::agent_binary(o.agent).empty()) {
    std::fprintf(stderr, "bench_agentic: %s\n", backend_agent::lab::missing_agent_message(o.agent).c_str());
    return 2;
  }
  skillpipe::testing::TempDir tmp;
  const std::string project = tmp.file("project");
  backend_agent::lab::make_regen_project(project);
  std::vector<TaskRecord> tasks;
  for (int i = 0; i < o.tasks; ++i) tasks.push_back(backend_agent::lab::regen_task("bench-" + std::to_string(i), project));

  model_server::ModelServer server(backend_agent::lab::skill_model(o.latency_ms));
  skillpipe::testing::ScopedEnv key("SKILLPIPE_TEST_MODEL_KEY", "sk-test-not-a-secret");
  skillpipe::testing::BackendEnv env("backends/agent");
  env.store().next_night("0001-bench", "");
  const std::string url = o.agent == Agent::kClaude ? server.base_url() : server.openai_base_url();
  auto b = env.make("backend_agent", backend_config(o, url, tmp.file("replays")));

  const double cpu0 = machine_busy_s();
  const RunResult out = run_all(*b, env.ctx(), tasks, o.concurrency);
  const double cpu = machine_busy_s() - cpu0;
  const auto calls = static_cast<double>(server.model_calls().size());
  const double per_replay = calls / o.tasks;
  const double model_floor = calls * (o.latency_ms / 1000.0) / o.concurrency;
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const double cpu_floor = cpu / cores;
  const double floor = std::max(model_floor, cpu_floor);

  std::printf("bench_agentic: %s, N=%d replays, L=%d ms per model call, C=%d, prewarm %d, %u cores\n",
              to_string(o.agent), o.tasks, o.latency_ms, o.concurrency, o.prewarm < 0 ? o.concurrency : o.prewarm,
              cores);
  std::printf("  replays      : %d completed, %d failed; %.1f model calls per replay\n", out.completed, out.failed,
              per_replay);
  std::printf("  wall         : %.2f s\n", out.wall_s);
  std::printf("  model floor  : %.2f s (N*K*L/C), ratio %.3f\n", model_floor, out.wall_s / model_floor);
  std::printf("  cpu floor    : %.2f s (%.1f CPU-s the machine was busy / %u cores: %.0f%% used)\n", cpu_floor, cpu,
              cores, 100.0 * cpu / (cores * out.wall_s));
  std::printf("  wall / max(floors) : %.3f (target <= 1.10) %s\n", out.wall_s / floor,
              out.wall_s / floor <= 1.10 ? "OK" : "MISSED");
  return out.failed == 0 && out.wall_s / floor <= 1.10 ? 0 : 1;
}
