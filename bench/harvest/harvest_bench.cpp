// harvest_bench - how fast the harvester plugins digest a transcript corpus.
//
//   python3 ../shared/bench/gen_corpus.py --out /tmp/corpus --mb 1024
//   harvest_bench --corpus /tmp/corpus [--threads 2] [--max-sessions 0] [--reharvest-runs 5]
//
// Loads harvest_claude and harvest_codex as .so files (as a pipeline does), with an
// in-memory state store for cursors, then measures:
//   cold      first harvest, no cursors: MB/s over the bytes the harvesters actually read
//             (less than the corpus with --max-sessions: older files are never opened),
//             and over the corpus, sessions/s
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
  // Content bytes the harvesters read (their "<stage>.bytes" counters).
  std::int64_t bytes_read() const {
    std::int64_t n = 0;
    for (const auto& [k, v] : counts)
      if (k.ends_with(".bytes")) n += v;
    return n;
  }
};

struct Args {
  std::string corpus;
  int threads = 2;
  std::int64_t max_sessions = 0;
  int reharvests = 5;
};

// 0: run; otherwise the exit code.
int parse_args(int argc, char** argv, Args& a) {
  po::options_description desc("harvest_bench options");
  desc.add_options()("help", "show this help")
      ("corpus", po::value(&a.corpus), "directory written by gen_corpus.py (has claude/ and codex/)")
      ("threads", po::value(&a.threads), "parser threads per harvester (default 2)")
      ("max-sessions", po::value(&a.max_sessions), "session cap, newest first (default 0 = none)")
      ("reharvest-runs", po::value(&a.reharvests), "unchanged re-harvests to time (default 5)");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "harvest_bench: " << e.what() << "\n" << desc;
    return 2;
  }
  if (vm.count("help") || a.corpus.empty()) {
    std::cout << "usage: harvest_bench --corpus DIR [options]\n" << desc;
    return a.corpus.empty() && !vm.count("help") ? 2 : 1;
  }
  return 0;
}

using Stages = std::vector<std::pair<std::string, std::shared_ptr<Harvester>>>;

Stages load_harvesters(host::PluginRegistry& reg, host::Services& services, const RunInfo& run, const Args& a) {
  Stages stages;
  for (const char* name : {"harvest_claude", "harvest_codex"}) {
    auto h = reg.create_as<Harvester>(name);
    std::string home = a.corpus + (std::string(name) == "harvest_claude" ? "/claude" : "/codex");
    std::string cfg = "{\"home\":\"" + home + "\",\"project_scope\":\"all\",\"lookback_hours\":0,"
                      "\"settle_minutes\":0,\"max_sessions\":" + std::to_string(a.max_sessions) +
                      ",\"threads\":" + std::to_string(a.threads) + "}";
    host::BasicContext ctx(name, run, &services);
    h->configure(Config::parse(cfg), ctx);
    stages.emplace_back(name, h);
  }
  return stages;
}

// Counts the digests and drops them, as a night's sink does once it has written them.
struct CountingSink final : DigestSink {
  std::size_t n = 0;
  void put(SessionDigest) override { ++n; }
};

Pass harvest_pass(Stages& stages, host::Services& services, const RunInfo& run) {
  Pass p;
  double c0 = cpu_seconds();
  auto t0 = std::chrono::steady_clock::now();
  for (auto& [name, h] : stages) {
    host::BasicContext ctx(name, run, &services);
    CountingSink sink;
    h->harvest(sink, ctx);
    p.sessions += sink.n;
    for (const auto& [k, v] : ctx.counts()) p.counts[name + "." + k] += v;
  }
  p.seconds = seconds_since(t0);
  p.cpu = cpu_seconds() - c0;
  return p;
}

void print_cold(const Args& a, const Pass& cold, std::int64_t corpus, double peak_mb, double best_ms) {
  const double mb = static_cast<double>(corpus) / (1024.0 * 1024.0);
  const double read_mb = static_cast<double>(cold.bytes_read()) / (1024.0 * 1024.0);
  std::int64_t prompts = 0;
  for (const auto& [k, v] : cold.counts)
    if (k.ends_with(".prompts")) prompts += v;
  std::printf("corpus            %.1f MB (%s)\n", mb, a.corpus.c_str());
  std::printf("threads           %d per harvester, max_sessions %lld\n", a.threads,
              static_cast<long long>(a.max_sessions));
  std::printf("cold harvest      %.3f s  %.0f MB/s over %.1f MB read (%.0f MB/s over the corpus)  %zu sessions  "
              "%.0f sessions/s\n",
              cold.seconds, read_mb / cold.seconds, read_mb, mb / cold.seconds, cold.sessions,
              static_cast<double>(cold.sessions) / cold.seconds);
  std::printf("cpu time          %.3f s (user+sys, all threads): %.0f MB read per cpu-second\n", cold.cpu,
              read_mb / cold.cpu);
  std::printf("peak RSS          %.1f MB\n", peak_mb);
  for (const auto& [k, v] : cold.counts) std::printf("  %-40s %lld\n", k.c_str(), static_cast<long long>(v));
  std::printf("{\"corpus_mb\":%.1f,\"read_mb\":%.1f,\"threads\":%d,\"cold_s\":%.3f,\"cold_cpu_s\":%.3f,"
              "\"mb_per_s\":%.0f,\"sessions\":%zu,\"prompts\":%lld,\"sessions_per_s\":%.0f,\"peak_rss_mb\":%.1f,"
              "\"reharvest_best_ms\":%.1f}\n",
              mb, read_mb, a.threads, cold.seconds, cold.cpu, read_mb / cold.seconds, cold.sessions,
              static_cast<long long>(prompts), static_cast<double>(cold.sessions) / cold.seconds, peak_mb, best_ms);
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  if (const int rc = parse_args(argc, argv, a)) return rc == 1 ? 0 : rc;
  host::PluginRegistry reg(host::plugin_search_dirs({}, {}));
  MemoryStore store{"", ""};  // state only: the harvesters keep their cursors there
  host::Services services;
  services.store = &store;
  RunInfo run;
  run.project = "all";
  Stages stages;
  try {
    stages = load_harvesters(reg, services, run, a);
  } catch (const std::exception& e) {
    std::cerr << "harvest_bench: " << e.what() << "\n";
    return 3;
  }
  const std::int64_t bytes = corpus_bytes(a.corpus);
  const Pass cold = harvest_pass(stages, services, run);
  struct rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  const double peak_mb = static_cast<double>(ru.ru_maxrss) / 1024.0;
  double best_ms = 0, sum_ms = 0;
  std::size_t re_sessions = 0;
  for (int i = 0; i < a.reharvests; ++i) {
    const Pass re = harvest_pass(stages, services, run);
    best_ms = i == 0 ? re.seconds * 1000.0 : std::min(best_ms, re.seconds * 1000.0);
    sum_ms += re.seconds * 1000.0;
    re_sessions += re.sessions;
  }
  if (a.reharvests > 0)
    std::printf("unchanged re-run  best %.1f ms, mean %.1f ms over %d runs (%zu sessions re-emitted)\n", best_ms,
                sum_ms / a.reharvests, a.reharvests, re_sessions);
  print_cold(a, cold, bytes, peak_mb, best_ms);
  return 0;
}
