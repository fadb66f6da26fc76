// Memory is bounded by configuration, never by the input (issue 21): a generated 2 GiB
// `.jsonl.zst` (2 GiB once decompressed) is harvested by `skillpipe harvest` running under
// an address-space limit of 128 MiB (RLIMIT_AS, as `ulimit -v 131072`), and its peak RSS is
// checked too. The files are generated streaming (libzstd), so the test itself stays small.
// Labelled "slow" (ctest -L slow / -LE slow); see tests/harvest/CMakeLists.txt.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zstd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>

#include "harvest_test_util.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::testing {
namespace {

constexpr std::int64_t kContentBytes = std::int64_t{2} << 30;  // 2 GiB decompressed
constexpr rlim_t kAddressSpace = rlim_t{128} << 20;             // 128 MiB

// Writes lines from `next` (called with the line number, returns "" when done) into a zstd
// stream until kContentBytes are written; returns the content size.
std::int64_t write_zst(const std::string& path, const std::function<std::string(std::int64_t)>& next) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error("cannot write " + path);
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 1);
  std::vector<char> out(ZSTD_CStreamOutSize());
  std::string batch;
  std::int64_t total = 0;
  auto push = [&](ZSTD_EndDirective mode) {
    ZSTD_inBuffer in{batch.data(), batch.size(), 0};
    bool done = false;
    while (!done) {
      ZSTD_outBuffer o{out.data(), out.size(), 0};
      const std::size_t rem = ZSTD_compressStream2(cctx, &o, &in, mode);
      if (ZSTD_isError(rem)) throw std::runtime_error(ZSTD_getErrorName(rem));
      std::fwrite(out.data(), 1, o.pos, f);
      done = mode == ZSTD_e_end ? rem == 0 : in.pos == in.size;
    }
    batch.clear();
  };
  for (std::int64_t i = 0;; ++i) {
    std::string line = next(i);
    if (line.empty()) break;
    batch += line;
    batch += '\n';
    total += static_cast<std::int64_t>(line.size()) + 1;
    if (batch.size() >= (1u << 20)) push(ZSTD_e_continue);
  }
  push(ZSTD_e_end);
  ZSTD_freeCCtx(cctx);
  std::fclose(f);
  return total;
}

struct Limited {
  int exit_code = -1;
  long max_rss_kib = 0;
  double seconds = 0;
  std::string err;
};

// Runs skillpipe with RLIMIT_AS set in the child; peak RSS from wait4().
Limited run_limited(const std::vector<std::string>& args, const std::string& err_file) {
  std::vector<std::string> argv = {skillpipe_bin()};
  argv.insert(argv.end(), args.begin(), args.end());
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    struct rlimit lim{kAddressSpace, kAddressSpace};
    ::setrlimit(RLIMIT_AS, &lim);
    std::FILE* e = std::freopen(err_file.c_str(), "w", stderr);
    (void)e;
    std::vector<char*> av;
    for (auto& a : argv) av.push_back(a.data());
    av.push_back(nullptr);
    ::execv(av[0], av.data());
    ::_exit(127);
  }
  Limited r;
  int status = 0;
  struct rusage ru{};
  ::wait4(pid, &status, 0, &ru);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.max_rss_kib = ru.ru_maxrss;
  r.err = read_text(err_file);
  return r;
}

std::int64_t count_in(const std::string& err, const std::string& key) {
  const std::size_t p = err.find(" " + key + "=");
  return p == std::string::npos ? -1 : std::atoll(err.c_str() + p + key.size() + 2);
}

class HarvestMemory : public ::testing::Test {
 protected:
  void SetUp() override {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "AddressSanitizer build: ASan reserves terabytes of address space for its shadow memory "
                    "and holds freed blocks in a quarantine, so neither RLIMIT_AS nor peak RSS measures "
                    "skillpipe's own memory here; the normal build (scripts/test.sh) runs this test";
#endif
  }
  Limited harvest(const std::string& source, const std::string& home, const std::string& out_file) {
    auto r = run_limited({"harvest", "--source", source, "--home", home, "--all-projects", "--since", "all",
                          "--output", out_file, "-v"},  // -v: the raw counters this test reads
                         dir_.file("stderr.txt"));
    std::fprintf(stderr, "[ harvest %s: %.1f s, peak RSS %ld KiB under RLIMIT_AS %llu MiB ]\n", source.c_str(),
                 r.seconds, r.max_rss_kib, static_cast<unsigned long long>(kAddressSpace >> 20));
    return r;
  }
  TempDir dir_;
};

TEST_F(HarvestMemory, TwoGiBOfCodexTokenCountsIn128MiB) {
  const std::string id = "0199cccc-0000-7000-8000-000000000001";
  const std::string path = dir_.file("codex/sessions/2026/03/03/rollout-2026-03-03T10-00-00-" + id + ".jsonl.zst");
  std::int64_t written = 0;
  const std::int64_t size = write_zst(path, [&](std::int64_t i) -> std::string {
    if (i == 0)
      return R"({"timestamp":"2026-03-03T10:00:00Z","type":"session_meta","payload":{"id":")" + id +
             R"(","cwd":"/w","cli_version":"0.171.0"}})";
    if (i == 1) return R"({"timestamp":"2026-03-03T10:00:01Z","type":"event_msg","payload":{"type":"user_message","message":"count the tokens"}})";
    if (written >= kContentBytes) return {};
    const std::string n = std::to_string(i);
    std::string line = R"({"timestamp":"2026-03-03T10:00:02Z","type":"event_msg","payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":)" +
                       n + R"(,"cached_input_tokens":0,"output_tokens":)" + n +
                       R"(,"reasoning_output_tokens":0,"total_tokens":0},"last_token_usage":null,"model_context_window":258400},"rate_limits":{"primary":{"used_percent":1.5,"window_minutes":300}}}})";
    written += static_cast<std::int64_t>(line.size()) + 1;
    return line;
  });
  ASSERT_GE(size, kContentBytes);
  const std::string out_file = dir_.file("codex.jsonl");
  const Limited r = harvest("codex", dir_.file("codex"), out_file);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LT(r.max_rss_kib, 128 * 1024) << "peak RSS";
  EXPECT_EQ(count_in(r.err, "bytes"), size) << r.err;
  const auto lines = split(read_text(out_file), '\n');
  ASSERT_GE(lines.size(), 1u);
  const auto d = record_from_json<SessionDigest>(lines[0]);
  EXPECT_EQ(d.session_id, id);
  EXPECT_EQ(d.user_prompts, std::vector<std::string>{"count the tokens"});
  EXPECT_GT(d.usage.input, 1000000);  // the last running total
}

TEST_F(HarvestMemory, TwoGiBOfClaudePromptsKeepOnlyTheCappedTurns) {
  const std::string path = dir_.file("claude/projects/-w/big.jsonl.zst");
  std::int64_t written = 0, prompts = 0;
  const std::int64_t size = write_zst(path, [&](std::int64_t i) -> std::string {
    if (written >= kContentBytes) return {};
    std::string line = R"({"type":"user","uuid":"u-)" + std::to_string(i) +
                       R"(","sessionId":"big","timestamp":"2026-03-03T10:00:00Z","cwd":"/w","message":{"role":"user","content":"request number )" +
                       std::to_string(i) + " " + std::string(120, 'x') + R"("}})";
    written += static_cast<std::int64_t>(line.size()) + 1;
    ++prompts;
    return line;
  });
  ASSERT_GE(size, kContentBytes);
  const std::string out_file = dir_.file("claude.jsonl");
  const Limited r = harvest("claude", dir_.file("claude"), out_file);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_LT(r.max_rss_kib, 128 * 1024) << "peak RSS";
  EXPECT_EQ(count_in(r.err, "turns_dropped"), prompts - 200) << r.err;
  const auto lines = split(read_text(out_file), '\n');
  ASSERT_GE(lines.size(), 1u);
  const auto d = record_from_json<SessionDigest>(lines[0]);
  ASSERT_EQ(d.user_prompts.size(), 200u);  // max_turns: the first 100 and the last 100
  EXPECT_TRUE(d.user_prompts.front().starts_with("request number 0 "));
  EXPECT_TRUE(d.user_prompts.back().starts_with("request number " + std::to_string(prompts - 1) + " "));
  EXPECT_EQ(d.n_user_turns, prompts);
}

}  // namespace
}  // namespace skillpipe::testing
