// bench_backend - does backend_llm keep C requests in flight, and is a re-run free?
//
//   bench_backend [--tasks N] [--latency-ms L] [--concurrency C] [--threads T] [--repeat R]
//                 [--store memory|files] [--night 0|1]
//
// Sends N distinct requests to the scripted loopback server, which answers each after L ms,
// through backend_llm limited to C in flight, from T caller threads (default C). Reports the
// wall time against the ideal N*L/C (target <= 1.15x) for R runs on fresh stores (best and
// median: on a shared machine the scheduler adds noise, the best run shows the backend's own
// overhead), then repeats the requests with a fresh backend on the last run's store and
// reports how many reached the server (target 0). `--store files` puts the response cache and
// the night's spend in a real store_files store (fsync on, a night open), so every paid call
// also commits its spend durably; `--night 1` opens a night in the in-memory store, which turns
// the spend commits on without the disk.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "host/basic_context.hpp"
#include "host/plugin_registry.hpp"
#include "skillpipe/testing/memory_store.hpp"
#include "scripted_server.hpp"
#include "skillpipe/backend.hpp"
#include "skillpipe/config.hpp"
#include "skillpipe/store.hpp"

using namespace skillpipe;

namespace {

struct Options {
  int tasks = 200;
  int latency_ms = 50;
  int concurrency = 8;
  int threads = 0;
  int repeat = 3;
  std::string store = "memory";
  bool night = false;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    int v = std::atoi(argv[i + 1]);
    if (!std::strcmp(argv[i], "--store")) o.store = argv[i + 1];
    else if (!std::strcmp(argv[i], "--night")) o.night = v != 0;
    else if (!std::strcmp(argv[i], "--tasks")) o.tasks = v;
    else if (!std::strcmp(argv[i], "--latency-ms")) o.latency_ms = v;
    else if (!std::strcmp(argv[i], "--concurrency")) o.concurrency = v;
    else if (!std::strcmp(argv[i], "--threads")) o.threads = v;
    else if (!std::strcmp(argv[i], "--repeat")) o.repeat = std::max(1, v);
    else {
      std::fprintf(stderr,
                   "usage: bench_backend [--tasks N] [--latency-ms L] [--concurrency C] [--threads T] [--repeat R] "
                   "[--store memory|files] [--night 0|1]\n");
      std::exit(2);
    }
  }
  if (o.threads <= 0) o.threads = o.concurrency;
  if (o.store != "memory" && o.store != "files") {
    std::fprintf(stderr, "bench_backend: --store is memory or files\n");
    std::exit(2);
  }
  return o;
}

// Runs every task through `b` from `threads` threads; returns the wall time in seconds and
// adds each call's latency (ms) to `latencies`.
double run_all(Backend& b, Context& ctx, int tasks, int threads, std::atomic<int>& errors,
               std::vector<double>& latencies) {
  std::atomic<int> next{0};
  std::mutex mu;
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = next++; i < tasks; i = next++) {
        ChatRequest r;
        r.messages = {{"user", "bench task " + std::to_string(i)}};
        r.max_tokens = 64;
        try {
          double ms = b.complete(r, ctx).latency_ms;
          std::lock_guard<std::mutex> lk(mu);
          latencies.push_back(ms);
        } catch (const std::exception& e) {
          if (errors++ == 0) std::fprintf(stderr, "call failed: %s\n", e.what());
        }
      }
    });
  }
  for (auto& th : pool) th.join();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  testing::ScriptedServer server;
  testing::Action slow = testing::Action::ok();
  slow.latency_s = o.latency_ms / 1000.0;
  server.set_default(slow);

  RunInfo run;
  run.project = "/bench";
  host::PluginRegistry registry({SKILLPIPE_BENCH_PLUGIN_DIR});
  const std::string config = R"({"provider":"openai","base_url":")" + server.openai_base_url() +
                             R"(","model":"bench","concurrency":)" + std::to_string(o.concurrency) + "}";
  auto make = [&](host::BasicContext& ctx) {
    auto b = registry.create_as<Backend>("backend_llm");
    b->configure(Config::parse(config), ctx);
    return b;
  };

  std::atomic<int> errors{0};
  std::vector<double> walls;
  std::vector<double> latencies, rerun_latencies;
  int peak = 0, first_calls = 0, rerun_calls = 0;
  double rerun_wall = 0;
  char tmpl[] = "/tmp/skillpipe-bench-XXXXXX";
  const std::string tmp = o.store == "files" ? ::mkdtemp(tmpl) : "";
  for (int rep = 0; rep < o.repeat; ++rep) {
    // A fresh store per run (empty cache: every request reaches the server).
    std::shared_ptr<Store> files;
    testing::MemoryStore memory{"", o.night ? "0001-bench" : ""};
    host::Services services;
    services.store = &memory;
    host::BasicContext ctx("llm/bench", run, &services);
    if (o.store == "files") {
      files = registry.create_as<Store>("store_files");
      files->configure(Config::parse(R"({"root":")" + tmp + "/" + std::to_string(rep) + R"("})"), ctx);
      files->open_night(run.project, ctx);
      services.store = files.get();
    }
    server.reset_counters();
    {
      auto b = make(ctx);
      walls.push_back(run_all(*b, ctx, o.tasks, o.threads, errors, latencies));
    }
    first_calls = server.requests();
    peak = std::max(peak, server.max_in_flight());
    if (rep == o.repeat - 1) {
      auto b = make(ctx);  // a new backend on the same store: a re-run of the night
      rerun_wall = run_all(*b, ctx, o.tasks, o.threads, errors, rerun_latencies);
      rerun_calls = server.requests() - first_calls;
    }
    if (files) files->close_night(false);
  }
  if (!tmp.empty()) std::filesystem::remove_all(tmp);
  std::vector<double> sorted = walls;
  std::sort(sorted.begin(), sorted.end());
  const double best = sorted.front();
  const double median = sorted[sorted.size() / 2];
  const double ideal = o.tasks * (o.latency_ms / 1000.0) / o.concurrency;
  const double ratio = best / ideal;

  std::printf("backend_llm bench: N=%d tasks, L=%d ms, C=%d, caller threads=%d, %d runs, store %s%s\n", o.tasks,
              o.latency_ms, o.concurrency, o.threads, o.repeat, o.store.c_str(),
              o.store == "files" || o.night ? " (a night open: spend committed per call)" : "");
  std::printf("  ideal N*L/C  : %.3f s\n", ideal);
  std::printf("  first runs   :");
  for (double w : walls) std::printf(" %.3f", w);
  std::printf(" s\n");
  std::printf("  best run     : %.3f s, ratio %.3f (target <= 1.15) %s\n", best, ratio, ratio <= 1.15 ? "OK" : "MISSED");
  std::printf("  median run   : %.3f s, ratio %.3f\n", median, median / ideal);
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double q) { return latencies.empty() ? 0.0 : latencies[static_cast<std::size_t>(q * (latencies.size() - 1))]; };
  std::printf("  call latency : p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms (server adds %d ms)\n", pct(0.5),
              pct(0.9), pct(0.99), pct(1.0), o.latency_ms);
  std::printf("  per run      : %d requests reached the server, peak in flight %d (limit %d)\n", first_calls, peak,
              o.concurrency);
  std::printf("  re-run       : %.3f s wall, %d requests reached the server (target 0) %s\n", rerun_wall, rerun_calls,
              rerun_calls == 0 ? "OK" : "MISSED");
  std::printf("  errors       : %d\n", errors.load());
  return (ratio <= 1.15 && rerun_calls == 0 && errors == 0 && peak <= o.concurrency) ? 0 : 1;
}
