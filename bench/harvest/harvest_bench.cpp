// harvest_bench - how fast the harvester plugins digest a transcript corpus.
//
//   python3 ../shared/bench/gen_corpus.py --out /tmp/corpus --mb 1024
//   harvest_bench --corpus /tmp/corpus [--threads 2] [--max-sessions 0] [--reharvest-runs 5]
//
// Loads harvest_claude and harvest_codex as .so files (as a pipeline does), with an
// in-memory state store for cursors, then measures:
//   cold      first harvest, no cursors: MB/s over the corpus bytes, sessions/s
//   unchanged a re-harvest of the same untouched corpus (every file a cursor hit), ms
//   peak RSS  getrusage(RUSAGE_SELF).ru_maxrss after the cold harvest
// Figures are printed as text and as one JSON line.
#include <sys/resource.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>

#include "host/basic_context.hpp"
#include "host/plugin_registry.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/store.hpp"
#include "skillpipe/testing/memory_store.hpp"

namespace po = boost::program_options;
using namespace skillpipe;

namespace {

using skillpipe::testing::MemoryStore;

std::int64_t corpus_bytes(const std::string& dir) {
  std::int64_t n = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file(ec)) n += static_cast<std::int64_t>(it->file_size(ec));
  return n;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double cpu_seconds() {
  struct rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

struct Pass {
  double seconds = 0;
  double cpu = 0;     // user + system seconds of all threads: robust to a busy machine
  std::size_t sessions = 0;
  std::map<std::string, std::int64_t> counts;
};

}  // namespace

int main(int argc, char** argv) {
  std::string corpus;
  int threads = 2;
  std::int64_t max_sessions = 0;
  int reharvests = 5;
  po::options_description desc("harvest_bench options");
  desc.add_options()("help", "show this help")
      ("corpus", po::value(&corpus), "directory written by gen_corpus.py (has claude/ and codex/)")
      ("threads", po::value(&threads), "parser threads per harvester (default 2)")
      ("max-sessions", po::value(&max_sessions), "session cap, newest first (default 0 = none)")
      ("reharvest-runs", po::value(&reharvests), "unchanged re-harvests to time (default 5)");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "harvest_bench: " << e.what() << "\n" << desc;
    return 2;
  }
  if (vm.count("help") || corpus.empty()) {
    std::cout << "usage: harvest_bench --corpus DIR [options]\n" << desc;
    return corpus.empty() && !vm.count("help") ? 2 : 0;
  }

  host::PluginRegistry reg(host::plugin_search_dirs({}, {}));
  MemoryStore store{"", ""};  // state only: the harvesters keep their cursors there
  host::Services services;
  services.store = &store;
  RunInfo run;
  run.project = "all";

  std::vector<std::pair<std::string, std::shared_ptr<Harvester>>> stages;
  try {
    for (const char* name : {"harvest_claude", "harvest_codex"}) {
      auto h = reg.create_as<Harvester>(name);
      std::string home = corpus + (std::string(name) == "harvest_claude" ? "/claude" : "/codex");
      std::string cfg = "{\"home\":\"" + home + "\",\"project_scope\":\"all\",\"lookback_hours\":0,"
                        "\"settle_minutes\":0,\"max_sessions\":" + std::to_string(max_sessions) +
                        ",\"threads\":" + std::to_string(threads) + "}";
      host::BasicContext ctx(name, run, &services);
      h->configure(Config::parse(cfg), ctx);
      stages.emplace_back(name, h);
    }
  } catch (const std::exception& e) {
    std::cerr << "harvest_bench: " << e.what() << "\n";
    return 3;
  }

  auto pass = [&]() {
    Pass p;
    double c0 = cpu_seconds();
    auto t0 = std::chrono::steady_clock::now();
    for (auto& [name, h] : stages) {
      host::BasicContext ctx(name, run, &services);
      p.sessions += h->harvest(ctx).size();
      for (const auto& [k, v] : ctx.counts()) p.counts[name + "." + k] += v;
    }
    p.seconds = seconds_since(t0);
    p.cpu = cpu_seconds() - c0;
    return p;
  };

  std::int64_t bytes = corpus_bytes(corpus);
  Pass cold = pass();
  struct rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  double peak_mb = static_cast<double>(ru.ru_maxrss) / 1024.0;
  double best_ms = 1e18, sum_ms = 0;
  std::size_t re_sessions = 0;
  for (int i = 0; i < reharvests; ++i) {
    Pass re = pass();
    best_ms = std::min(best_ms, re.seconds * 1000.0);
    sum_ms += re.seconds * 1000.0;
    re_sessions += re.sessions;
  }
  double mb = static_cast<double>(bytes) / (1024.0 * 1024.0);
  std::printf("corpus            %.1f MB (%s)\n", mb, corpus.c_str());
  std::printf("threads           %d per harvester, max_sessions %lld\n", threads, static_cast<long long>(max_sessions));
  std::printf("cold harvest      %.3f s  %.0f MB/s  %zu sessions  %.0f sessions/s\n", cold.seconds,
              mb / cold.seconds, cold.sessions, static_cast<double>(cold.sessions) / cold.seconds);
  std::printf("cpu time          %.3f s (user+sys, all threads): %.0f MB per cpu-second\n", cold.cpu, mb / cold.cpu);
  std::printf("peak RSS          %.1f MB\n", peak_mb);
  if (reharvests > 0)
    std::printf("unchanged re-run  best %.1f ms, mean %.1f ms over %d runs (%zu sessions re-emitted)\n", best_ms,
                sum_ms / reharvests, reharvests, re_sessions);
  for (const auto& [k, v] : cold.counts) std::printf("  %-40s %lld\n", k.c_str(), static_cast<long long>(v));
  std::printf("{\"corpus_mb\":%.1f,\"threads\":%d,\"cold_s\":%.3f,\"cold_cpu_s\":%.3f,\"mb_per_s\":%.0f,\"sessions\":%zu,"
              "\"sessions_per_s\":%.0f,\"peak_rss_mb\":%.1f,\"reharvest_best_ms\":%.1f}\n",
              mb, threads, cold.seconds, cold.cpu, mb / cold.seconds, cold.sessions,
              static_cast<double>(cold.sessions) / cold.seconds, peak_mb, reharvests > 0 ? best_ms : 0.0);
  return 0;
}
