// run_harvest() streams (issue 19): without a session cap, digests go out while files are
// still being parsed, in the files' order whatever the threads, and only a window of files
// waits in memory; a sink that fails stops the harvest and moves no cursor.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

#include "skillpipe/errors.hpp"
#include "skillpipe/kit/harvest.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/testing/memory_store.hpp"
#include "skillpipe/testing/plugin_loader.hpp"

namespace skillpipe::testing {
namespace {

using conformance::HarnessContext;

// `n` transcript files, file i written i seconds before the newest (so file 0 is read first).
harvest::Candidates files(int n) {
  harvest::Candidates c;
  for (int i = 0; i < n; ++i) {
    harvest::FileInfo f;
    f.path = f.key = "/transcripts/" + std::to_string(i) + ".jsonl";
    f.inode = static_cast<std::uint64_t>(i + 1);
    f.size = 100;
    f.mtime_ns = (std::int64_t{1800000000} - i) * 1000000000;
    c.files.push_back(f);
  }
  return c;
}

harvest::Options options(int threads) {
  harvest::Options o;
  o.scope = harvest::ProjectScope::kAll;
  o.lookback_hours = 0;
  o.settle_minutes = 0;
  o.threads = threads;
  return o;
}

// Two sessions per file, named after it and ended when it was written; counts the files parsed.
struct CountingParser {
  std::atomic<int>* parsed;
  harvest::FileResult operator()(const harvest::FileJob& job, const harvest::Options&) const {
    ++*parsed;
    harvest::FileResult r;
    for (const char* part : {"a", "b"}) {
      SessionDigest d;
      d.session_id = job.file.path + "#" + part;
      d.ended_at = format_iso8601_s(job.file.mtime_ns / 1000000);
      d.source = "test";
      d.project = "/p";
      d.user_prompts = {"fix the build"};
      r.digests.push_back(std::move(d));
    }
    r.end_offset = job.file.size;
    return r;
  }
};

struct RecordingSink final : DigestSink {
  std::atomic<int>* parsed = nullptr;
  int parsed_at_first_put = -1;
  std::vector<std::string> ids;
  void put(SessionDigest d) override {
    if (ids.empty()) parsed_at_first_put = parsed->load();
    ids.push_back(d.session_id);
  }
};

RunInfo run_info() {
  RunInfo run;
  run.project = "all";
  run.now_utc = "2027-01-15T08:00:00Z";
  return run;
}

TEST(HarvestStream, DigestsGoOutWhileFilesAreStillBeingParsed) {
  constexpr int kFiles = 400;
  std::atomic<int> parsed{0};
  RecordingSink sink;
  sink.parsed = &parsed;
  HarnessContext ctx("claude", run_info());
  harvest::run_harvest(ctx, options(4), files(kFiles), CountingParser{&parsed}, sink);
  ASSERT_EQ(sink.ids.size(), 2u * kFiles);
  // Workers stay within 64 files of the oldest file not yet out, so the first file's digests
  // leave before most files are read: a harvest never holds every digest.
  EXPECT_LE(sink.parsed_at_first_put, 64 + 4);
  EXPECT_EQ(ctx.counts().at("sessions"), 2 * kFiles);
}

TEST(HarvestStream, TheOrderIsTheFilesOrderWhateverTheThreads) {
  std::vector<std::vector<std::string>> runs;
  for (int threads : {1, 4, 4}) {
    std::atomic<int> parsed{0};
    RecordingSink sink;
    sink.parsed = &parsed;
    HarnessContext ctx("claude", run_info());
    harvest::run_harvest(ctx, options(threads), files(150), CountingParser{&parsed}, sink);
    runs.push_back(sink.ids);
  }
  ASSERT_EQ(runs[0].size(), 300u);
  EXPECT_EQ(runs[0].front(), "/transcripts/0.jsonl#a") << "newest file first, its sessions in order";
  EXPECT_EQ(runs[0][1], "/transcripts/0.jsonl#b");
  EXPECT_EQ(runs[0].back(), "/transcripts/149.jsonl#b");
  EXPECT_EQ(runs[1], runs[0]);
  EXPECT_EQ(runs[2], runs[0]);
}

TEST(HarvestStream, ASinkThatFailsStopsTheHarvestAndMovesNoCursor) {
  struct FullDisk final : DigestSink {
    int puts = 0;
    void put(SessionDigest) override {
      if (++puts == 3) throw Error("No space left on device");
    }
  };
  MemoryStore store;
  std::atomic<int> parsed{0};
  FullDisk sink;
  HarnessContext ctx("claude", run_info(), {}, &store);
  try {
    harvest::run_harvest(ctx, options(4), files(300), CountingParser{&parsed}, sink);
    FAIL() << "the sink's error must fail the harvest";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("No space left"), std::string::npos) << e.what();
  }
  EXPECT_EQ(sink.puts, 3) << "nothing is put after the failure";
  EXPECT_LT(parsed.load(), 300) << "the workers stop";
  EXPECT_FALSE(store.get_state("harvest.cursors.claude")) << "a failed harvest is read again next time";
}

TEST(HarvestStream, WithACapTheNewestSessionsGoOutAtTheEnd) {
  std::atomic<int> parsed{0};
  RecordingSink sink;
  sink.parsed = &parsed;
  HarnessContext ctx("claude", run_info());
  harvest::Options o = options(2);
  o.max_sessions = 10;
  harvest::run_harvest(ctx, o, files(100), CountingParser{&parsed}, sink);
  EXPECT_EQ(sink.ids.size(), 10u);
  for (const auto& id : sink.ids) EXPECT_LT(std::stoi(id.substr(13)), 5) << id << ": one of the 5 newest files";
}

}  // namespace
}  // namespace skillpipe::testing
