// harvester_checks.hpp - what every harvester must do across nights, checked with a store
// (issue 17): harvest twice (the second run reads nothing), an appended turn is the only thing
// read next, a torn last line and an unfinished last turn of a live file wait until they are
// whole, and a planted secret never comes out. Header-only, GoogleTest assertions only.
//
//   skillpipe::testing::conformance::HarvesterFixture fx;
//   fx.file = "sessions/a.jsonl";            // where the transcript goes under the home
//   fx.transcript = "...";                  // one finished session; plants fx.secret
//   fx.next_prompt = "...";                 // one more turn: its lines up to the prompt
//   fx.next_answer = "...";                 // and the rest of it (what finishes the turn)
//   fx.secret = "ghp_...";
//   EXPECT_TRUE(skillpipe::testing::conformance::check_harvester_across_nights(library, fx));
//
// The conformance harness runs it when its options carry a fixture (harvester_fixture).
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "skillpipe/config.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/testing/memory_store.hpp"
#include "skillpipe/testing/plugin_loader.hpp"

namespace skillpipe::testing::conformance {

struct HarvesterFixture {
  std::string file;          // the transcript's path relative to the harvester's home
  std::string transcript;    // one finished session, whole lines ending in '\n'
  std::string next_prompt;   // one more turn of that session: its lines up to the prompt ...
  std::string next_answer;   // ... and the rest, which finishes the turn
  std::string secret;        // a credential planted in `transcript` ("" = none)
  std::string extra_config;  // more config keys, e.g. "\"foo\":1"; @HOME@ = the home ("" = none)
};

namespace detail {

inline void append_file(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out << text;
}

// One night's harvest: a fresh plugin object on the shared store, as the host runs it.
inline std::vector<SessionDigest> harvest_once(const Library& lib, const std::string& config, Store& store) {
  RunInfo run;
  run.project = "all";
  HarnessContext ctx("harvest", run, {}, &store);
  auto h = lib.create<Harvester>();
  h->configure(Config::parse(config), ctx);
  std::vector<SessionDigest> out = harvest_all(*h, ctx);
  h->finish(ctx);
  return out;
}

}  // namespace detail

inline ::testing::AssertionResult check_harvester_across_nights(const Library& lib, const HarvesterFixture& fx) {
  namespace fs = std::filesystem;
  if (!lib.ok()) return ::testing::AssertionFailure() << lib.error();
  const char* tmp = std::getenv("TMPDIR");
  std::string home = std::string(tmp && *tmp ? tmp : "/tmp") + "/skillpipe-harvester-checks-XXXXXX";
  if (!::mkdtemp(home.data())) return ::testing::AssertionFailure() << "cannot create " << home;
  struct Cleanup {
    std::string dir;
    ~Cleanup() { std::error_code ec; fs::remove_all(dir, ec); }
  } cleanup{home};
  const std::string path = home + "/" + fx.file;
  std::string extra = fx.extra_config;
  for (std::size_t at; (at = extra.find("@HOME@")) != std::string::npos;) extra.replace(at, 6, home);
  auto config = [&](int settle_minutes) {
    return "{\"home\":" + json_quote(home) + ",\"project_scope\":\"all\",\"lookback_hours\":0,\"settle_minutes\":" +
           std::to_string(settle_minutes) + (extra.empty() ? "" : "," + extra) + "}";
  };
  auto leaked = [&](const std::vector<SessionDigest>& ds) {
    for (const auto& d : ds)
      if (!fx.secret.empty() && to_json(d).find(fx.secret) != std::string::npos) return true;
    return false;
  };
  MemoryStore store{"", ""};  // state only: the cursors
  detail::append_file(path, fx.transcript);
  auto first = detail::harvest_once(lib, config(0), store);
  if (first.empty()) return ::testing::AssertionFailure() << "night 1: no digest from " << fx.file;
  if (leaked(first)) return ::testing::AssertionFailure() << "night 1: the planted secret is in a digest";
  if (auto again = detail::harvest_once(lib, config(0), store); !again.empty())
    return ::testing::AssertionFailure() << "night 2 (nothing new): " << again.size() << " digest(s), expected none";
  // A live file: the new turn's prompt is written, its answer only half (a torn last line).
  const std::size_t half = fx.next_answer.size() / 2;
  detail::append_file(path, fx.next_prompt + fx.next_answer.substr(0, half));
  if (auto live = detail::harvest_once(lib, config(60), store); !live.empty())
    return ::testing::AssertionFailure() << "night 3 (an unfinished turn, a torn last line): " << live.size()
                                         << " digest(s), expected the turn to wait";
  detail::append_file(path, fx.next_answer.substr(half));
  auto next = detail::harvest_once(lib, config(60), store);
  if (next.size() != 1 || next[0].user_prompts.size() != 1)
    return ::testing::AssertionFailure() << "night 4 (the turn finished): expected one digest with only the new "
                                         << "prompt, got " << next.size() << " digest(s)"
                                         << (next.empty() ? "" : ": " + to_json(next[0]));
  if (leaked(next)) return ::testing::AssertionFailure() << "night 4: the planted secret is in a digest";
  if (auto last = detail::harvest_once(lib, config(0), store); !last.empty())
    return ::testing::AssertionFailure() << "night 5 (nothing new): " << last.size() << " digest(s), expected none";
  return ::testing::AssertionSuccess();
}

}  // namespace skillpipe::testing::conformance
