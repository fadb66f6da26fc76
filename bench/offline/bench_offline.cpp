// bench_offline: the offline night's two costs, measured.
//  1. The safety review (review_skill_document) on a drafted skill and on a 10x larger one.
//  2. mine_patterns (loaded as a plugin, no store) over N synthetic sessions drawn from F
//     recurring task families: wall time and patterns found, cold and with a warm state.
// Usage: bench_offline [--sessions N] [--families F] [--skill FILE]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "host/basic_context.hpp"
#include "host/plugin_registry.hpp"
#include "skillpipe/config.hpp"
#include "skillpipe/kit/safety.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/stage.hpp"

namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

void bench_review(const std::string& text) {
  for (int scale : {1, 10}) {
    std::string doc = text;
    for (int i = 1; i < scale; ++i) doc += text.substr(text.find("\n## "));
    const int reps = scale == 1 ? 50 : 10;
    std::size_t findings = 0;
    const auto t0 = Clock::now();
    for (int i = 0; i < reps; ++i) findings += skillpipe::review_skill_document(doc).size();
    const double ms = ms_since(t0) / reps;
    std::printf("safety review: %7zu bytes  %8.2f ms/review  %6.1f KB/s  (%zu findings)\n", doc.size(), ms,
                doc.size() / 1024.0 / (ms / 1000.0), findings / reps);
  }
}

std::vector<skillpipe::SessionDigest> synthetic(int n, int families, unsigned seed) {
  static const char* kVerbs[] = {"fix", "update", "add", "refactor", "deploy", "write", "review", "migrate"};
  static const char* kObjects[] = {"flaky test",      "changelog",     "api client",   "login page",
                                   "database schema", "release notes", "docker image", "payment webhook",
                                   "search index",    "ci pipeline"};
  static const char* kTools[] = {"Read", "Grep", "Edit", "Bash", "Glob", "TodoWrite", "WebFetch"};
  std::mt19937 rng(seed);
  std::vector<skillpipe::SessionDigest> out;
  for (int i = 0; i < n; ++i) {
    const int f = static_cast<int>(rng() % static_cast<unsigned>(families));
    skillpipe::SessionDigest d;
    d.session_id = "s" + std::to_string(i);
    d.project = "/bench/project";
    d.ended_at = skillpipe::format_iso8601_s(1'790'000'000'000LL + i * 60'000LL);
    d.user_prompts = {std::string(kVerbs[f % 8]) + " the " + kObjects[(f / 8) % 10] + " for module" +
                          std::to_string(f) + " part " + std::to_string(rng() % 5),
                      rng() % 4 == 0 ? "that's wrong, try again" : "thanks, perfect"};
    d.feedback_signals = {{1, rng() % 4 == 0 ? "negative" : "positive", "x"}};
    d.assistant_finals = {"Done: changed " + std::to_string(rng() % 9 + 1) + " files and the checks pass."};
    for (int t = 0; t < 4; ++t) d.tools.push_back({kTools[(f + t) % 7], 1, 0});
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int sessions = 2000, families = 200;
  std::string skill = std::string(SKILLPIPE_BENCH_SOURCE_DIR) + "/tests/data/offline/expected_fix_flaky_test.SKILL.md";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--sessions")
      sessions = std::atoi(argv[i + 1]);
    else if (a == "--families")
      families = std::atoi(argv[i + 1]);
    else if (a == "--skill")
      skill = argv[i + 1];
  }
  const auto text = skillpipe::read_file(skill);
  if (!text) {
    std::fprintf(stderr, "cannot read %s\n", skill.c_str());
    return 1;
  }
  bench_review(*text);

  skillpipe::host::PluginRegistry reg({SKILLPIPE_BENCH_PLUGIN_DIR});
  skillpipe::host::Services services;
  skillpipe::RunInfo run;
  run.project = "/bench/project";
  const auto digests = synthetic(sessions, families, 7);
  auto miner = reg.create_as<skillpipe::Miner>("mine_patterns");
  skillpipe::host::BasicContext ctx("patterns", run, &services);
  miner->configure(skillpipe::Config::parse("{\"emit\": \"all\"}"), ctx);
  const auto t0 = Clock::now();
  const auto tasks = miner->mine(skillpipe::DigestList(digests), ctx);
  // Families differ by verb, object and a module number; the module number alone does not
  // separate two requests at the default similarity, so at most min(F, 80) patterns form.
  std::printf("mine_patterns: %d sessions, %d families (%d verb/object pairs) -> %zu patterns in %.1f ms\n", sessions,
              families, std::min(families, 80), tasks.size(), ms_since(t0));
  return 0;
}
