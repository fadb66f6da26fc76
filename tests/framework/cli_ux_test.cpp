// What a person (or a program) sees from the CLI: the progress display on a terminal and
// nowhere else, one JSON event per stderr line under --log-format json, the run summary on
// stdout, `describe --json`, and "did you mean" for misspelled commands, plugins and keys.
#include <gtest/gtest.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <regex>

#include "host/progress.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"
#include "test_support.hpp"

using namespace skillpipe::testing;
using skillpipe::host::TerminalProgress;

namespace {

// Runs the skillpipe binary on a pseudo-terminal (stdout and stderr both the pty), the way a
// person at a terminal runs it; returns everything it wrote and its exit code.
CommandResult run_on_pty(const std::vector<std::string>& args) {
  std::vector<std::string> argv_s = {skillpipe_bin()};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  winsize ws{};
  ws.ws_col = 160;
  ws.ws_row = 40;
  int master = -1;
  const pid_t pid = forkpty(&master, nullptr, nullptr, &ws);
  if (pid == 0) {
    ::unsetenv("NO_COLOR");
    ::execv(argv[0], argv.data());
    _exit(127);
  }
  CommandResult r;
  if (pid < 0) return r;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(master, buf, sizeof buf);
    if (n <= 0) break;  // EIO once the child closed the terminal
    r.out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(master);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::vector<std::string> harvest_args() {
  return {"harvest", "--source", "claude", "--home", test_data_dir() + "/harvest/real/claude", "--all-projects",
          "--since", "all", "--threads", "1"};
}

// Everything a TerminalProgress writes to a temporary file under a hand-driven clock.
struct Captured {
  std::FILE* f = std::tmpfile();
  std::int64_t now = 0;
  ~Captured() { std::fclose(f); }
  std::string text() {
    std::fflush(f);
    std::rewind(f);
    std::string s;
    char buf[1024];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) s.append(buf, n);
    return s;
  }
};

// A member of a JSON object as text ("" when absent or not a string), or a bool.
std::string str(const skillpipe::JsonValue& v, std::string_view key) {
  const auto m = v.find(key);
  return m && m->is_string() ? std::string(m->as_string()) : "";
}
bool flag(const skillpipe::JsonValue& v, std::string_view key) {
  const auto m = v.find(key);
  return m && m->is_bool() && m->as_bool();
}

// Parses `text` as one JSON value; false (with a message) when it is not.
bool parses(const std::string& text, skillpipe::JsonDocument* out = nullptr) {
  try {
    auto d = skillpipe::JsonDocument::parse(text);
    if (out) *out = std::move(d);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

TEST(Progress, EachPhaseCountsFromZeroSoAStageNeverShowsMoreDoneThanTotal) {
  Captured c;
  {
    TerminalProgress p("night", c.f, [&] { return c.now; }, 1);
    p.set_unit("replays");
    p.set_total(1);
    p.advance();
    p.set_total(3);  // the candidate's replays after the baseline's: a new phase
    for (int i = 0; i < 3; ++i) {
      c.now += 1000;
      p.advance();
    }
    p.finish();
  }
  const std::string out = c.text();
  EXPECT_NE(out.find("1/1 replays"), std::string::npos) << out;
  EXPECT_NE(out.find("3/3 replays"), std::string::npos) << out;
  // Never the old display's "[night] 5/1": every count is at most its phase's total.
  const std::regex count(R"((\d+)/(\d+) replays)");
  for (std::sregex_iterator it(out.begin(), out.end(), count), end; it != end; ++it)
    EXPECT_LE(std::stoi((*it)[1]), std::stoi((*it)[2])) << out;
  EXPECT_NE(out.find("night: 1 replays in 0.0 s\n"), std::string::npos) << out;
  EXPECT_NE(out.find("night: 3 replays in 3.0 s\n"), std::string::npos) << out;
}

TEST(Progress, ShowsBytesRateAndEtaAndEndsWithOneSummaryLine) {
  Captured c;
  TerminalProgress p("harvest_claude", c.f, [&] { return c.now; }, 1);
  p.set_total(4);
  p.set_unit("sessions");
  p.set_total_bytes(4 << 20);
  c.now = 2000;
  p.advance_bytes(1 << 20);
  p.advance();
  // 1 MiB of 4 in 2 s: 512 KiB/s, 3 MiB to go -> 6 s.
  EXPECT_EQ(p.line(), "[harvest_claude] [#####...............] 1/4 sessions  1.0 MiB / 4.0 MiB  512.0 KiB/s  ETA 0:06");
  c.now = 4000;
  p.advance_bytes(3 << 20);
  p.advance(3);
  p.finish();
  p.finish();  // once only
  const std::string out = c.text();
  // Not a terminal: 80 columns, too few for the bar beside the numbers.
  EXPECT_NE(out.find("\r[harvest_claude] 1/4 sessions  1.0 MiB / 4.0 MiB"), std::string::npos) << out;
  EXPECT_EQ(out.find("harvest_claude: 4 sessions, 4.0 MiB in 4.0 s (1.0 MiB/s)\n"),
            out.rfind("harvest_claude: 4 sessions"))
      << out;
  EXPECT_NE(out.find("harvest_claude: 4 sessions, 4.0 MiB in 4.0 s (1.0 MiB/s)\n"), std::string::npos) << out;
}

TEST(Progress, ANarrowTerminalKeepsTheNumbersAndDropsTheBar) {
  int master = -1, slave = -1;
  winsize ws{};
  ws.ws_col = 72;  // too narrow for the bar and the numbers together
  ASSERT_EQ(openpty(&master, &slave, nullptr, nullptr, &ws), 0);
  std::FILE* tty = fdopen(slave, "w");
  std::int64_t now = 0;
  {
    TerminalProgress p("harvest_claude", tty, [&] { return now; }, 1);
    p.set_total(4);
    p.set_unit("files");
    p.set_total_bytes(4 << 20);
    now = 2000;
    p.advance_bytes(1 << 20);
    p.advance();
  }
  std::fclose(tty);
  char buf[4096];
  const ssize_t n = ::read(master, buf, sizeof buf);
  ::close(master);
  ASSERT_GT(n, 0);
  const std::string out(buf, static_cast<std::size_t>(n));
  EXPECT_NE(out.find("[harvest_claude] 1/4 files  1.0 MiB / 4.0 MiB  512.0 KiB/s  ETA 0:06"), std::string::npos) << out;
  EXPECT_EQ(out.find("[#####"), std::string::npos) << out;
}

TEST(Progress, DrawsNothingWhenDisabled) {
  Captured c;
  {
    TerminalProgress p("harvest_claude", c.f, [&] { return c.now; }, 0);
    p.set_total(2);
    p.advance(2);
  }
  EXPECT_EQ(c.text(), "");
}

TEST(CliUx, HarvestOnATerminalDrawsProgressAndAReadableSummary) {
  const auto r = run_on_pty(harvest_args());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\r[harvest_claude] ["), std::string::npos) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(/\d+ files +[0-9.]+ (B|KiB|MiB) / [0-9.]+ (B|KiB|MiB))")))
      << r.out;
  EXPECT_NE(r.out.find("ETA "), std::string::npos) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(harvest_claude: 8 sessions from \d+ files \([0-9.]+ (KiB|MiB)\) in)")))
      << r.out;
  EXPECT_EQ(r.out.find("bytes="), std::string::npos) << "raw counters only under --json or -v\n" << r.out;
}

TEST(CliUx, WithoutATerminalOrUnderJsonNoProgressIsDrawn) {
  const auto plain = run_skillpipe(harvest_args());  // pipes, as under cron
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(plain.err.find('\r'), std::string::npos) << plain.err;
  EXPECT_EQ(plain.err.find("ETA"), std::string::npos) << plain.err;
  EXPECT_EQ(plain.err.find("bytes="), std::string::npos) << plain.err;
  EXPECT_NE(plain.err.find("harvest_claude: 8 sessions from "), std::string::npos) << plain.err;
  // -v adds the raw counters (as a debug log line).
  auto verbose = harvest_args();
  verbose.push_back("-v");
  const auto v = run_skillpipe(verbose);
  EXPECT_NE(v.err.find("sessions=8"), std::string::npos) << v.err;
  // On a terminal but with --json: stdout is for a program; no progress line either.
  auto json = harvest_args();
  json.push_back("--json");
  const auto j = run_on_pty(json);
  ASSERT_EQ(j.exit_code, 0) << j.out;
  EXPECT_EQ(j.out.find("\r[harvest_claude]"), std::string::npos) << j.out;
  EXPECT_NE(j.out.find("sessions=8"), std::string::npos) << j.out;
}

// The bundled nightly on the bundled example transcripts, offline (no key), in a fresh home.
CommandResult nightly(const TempDir& dir, std::vector<std::string> extra) {
  const std::string ex = source_dir() + "/examples/home";
  std::vector<std::string> args = {"run", "nightly", "--store", dir.file("store"), "--set",
                                   "stages.claude.home=" + ex + "/.claude", "--set", "stages.codex.home=" + ex + "/.codex"};
  for (const char* s : {"claude", "codex"})
    for (const std::string kv : {"lookback_hours=0", "project_scope=all", "settle_minutes=0"})
      args.insert(args.end(), {"--set", std::string("stages.") + s + "." + kv});
  args.insert(args.end(), extra.begin(), extra.end());
  std::filesystem::create_directories(dir.file("home"));
  std::filesystem::create_directories(dir.file("project"));
  return run_skillpipe(args, {"HOME=" + dir.file("home"), "ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENAI_BASE_URL"},
                       dir.file("project"));
}

TEST(CliUx, JsonLogsMakeEveryStderrLineOneJsonEvent) {
  if (SKILLPIPE_PARTIAL_BUILD) GTEST_SKIP() << "SKILLPIPE_ONLY build: the nightly needs every plugin";
  for (const bool json_out : {false, true}) {
    TempDir dir;
    std::vector<std::string> extra = {"--log-format", "json", "--log-level", "debug"};
    if (json_out) extra.push_back("--json");
    const auto r = nightly(dir, extra);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    int lines = 0;
    for (const auto& line : skillpipe::split(r.err, '\n')) {
      if (line.empty()) continue;
      ++lines;
      ASSERT_TRUE(parses(line)) << "not one JSON event: " << line;
      auto doc = skillpipe::JsonDocument::parse(line);
      ASSERT_TRUE(doc.root().is_object()) << line;
      EXPECT_FALSE(str(doc.root(), "msg").empty()) << line;
      EXPECT_FALSE(str(doc.root(), "level").empty()) << line;
    }
    EXPECT_GT(lines, 5) << r.err;
    // Without --json the readable summary is on stdout; with it stdout is the JSON summary and
    // the summary lines are JSON events on stderr.
    if (json_out) {
      EXPECT_TRUE(parses(r.out)) << r.out;
      EXPECT_NE(r.err.find(R"("msg":"staged for review in )"), std::string::npos) << r.err;
    } else {
      EXPECT_NE(r.out.find("staged for review in "), std::string::npos) << r.out;
      EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(  claude +harvester +ok +in 0 +out \d+ )"))) << r.out;
    }
  }
}

TEST(CliUx, RunPrintsItsSummaryOnStdout) {
  TempDir dir;
  write_text(dir.file("p.yaml"), R"(skillpipe: 1
stages:
  - {id: h1, plugin: fx_harvest, config: {count: 2, source: a}}
  - {id: mine, plugin: fx_miner, inputs: [h1]}
)");
  const auto r = run_skillpipe({"run", dir.file("p.yaml"), "--plugin-path", FX_GOOD_DIR});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(  h1 +harvester +ok +in 0 +out 2 )"))) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(  mine +miner +ok +in 2 +out 2 )"))) << r.out;
}

TEST(CliUx, DescribeJson) {
  const auto one = run_skillpipe({"describe", "fx_harvest", "--plugin-path", FX_GOOD_DIR, "--json"});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  ASSERT_TRUE(parses(one.out)) << one.out;
  auto d = skillpipe::JsonDocument::parse(one.out);
  EXPECT_EQ(str(d.root(), "name"), "fx_harvest");
  EXPECT_EQ(str(d.root(), "kind"), "harvester");
  const auto schema = d.root().find("config_schema");
  EXPECT_TRUE(schema && schema->is_object()) << one.out;
  EXPECT_TRUE(flag(d.root(), "ok"));
  const auto all = run_skillpipe({"describe", "--all", "--plugin-path", FX_GOOD_DIR, "--json"});
  ASSERT_TRUE(parses(all.out)) << all.out;
  auto a = skillpipe::JsonDocument::parse(all.out);
  ASSERT_TRUE(a.root().is_array()) << all.out;
  EXPECT_GT(a.root().size(), 1u);
  const auto missing = run_skillpipe({"describe", "fx_harvset", "--plugin-path", FX_GOOD_DIR, "--json"});
  EXPECT_EQ(missing.exit_code, 2);
  ASSERT_TRUE(parses(missing.out)) << missing.out;
  auto m = skillpipe::JsonDocument::parse(missing.out);
  EXPECT_FALSE(flag(m.root(), "ok"));
  EXPECT_NE(str(m.root(), "error").find("did you mean 'fx_harvest'?"), std::string::npos) << missing.out;
}

TEST(CliUx, DidYouMeanForCommandsPluginsAndKeys) {
  const auto cmd = run_skillpipe({"rnu"});
  EXPECT_EQ(cmd.exit_code, 2);
  EXPECT_NE(cmd.err.find("unknown command 'rnu'; did you mean 'run'?"), std::string::npos) << cmd.err;
  const auto far = run_skillpipe({"frobnicate"});
  EXPECT_EQ(far.err.find("did you mean"), std::string::npos) << far.err;  // no wild guesses

  TempDir dir;
  write_text(dir.file("p.yaml"), R"(skillpipe: 1
stagse: []
stages:
  - {id: h1, plugin: fx_harvset, config: {count: 1}}
  - {id: h2, plugin: fx_harvest, config: {cuont: 1}}
)");
  const auto v = run_skillpipe({"validate", dir.file("p.yaml"), "--plugin-path", FX_GOOD_DIR});
  EXPECT_NE(v.exit_code, 0);
  EXPECT_NE(v.out.find("unknown top-level key 'stagse'; did you mean 'stages'?"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("'fx_harvset' not found; did you mean 'fx_harvest'?"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("unknown key 'cuont'; did you mean 'count'?"), std::string::npos) << v.out;
}

TEST(CliUx, PipelineReferenceGivesEveryKeyADefaultAndADescription) {
  if (SKILLPIPE_PARTIAL_BUILD) GTEST_SKIP() << "SKILLPIPE_ONLY build: not every plugin is built";
  const auto r = run_skillpipe({"docs", "pipeline-reference"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string plugin, missing;
  int rows = 0;
  const std::regex row(R"(^\| `([^`]+)`( \(required\))? \| (.*?) \| (.*?) \| (.*) \|$)");
  for (const auto& line : skillpipe::split(r.out, '\n')) {
    if (line.rfind("## ", 0) == 0) plugin = line.substr(3);
    std::smatch m;
    if (plugin.empty() || !std::regex_match(line, m, row)) continue;
    ++rows;
    const bool required = m[2].matched;
    if (!required && skillpipe::trim(m[4].str()).empty()) missing += "  " + plugin + " " + m[1].str() + ": no default\n";
    if (skillpipe::trim(m[5].str()).empty()) missing += "  " + plugin + " " + m[1].str() + ": no description\n";
  }
  EXPECT_GT(rows, 200);
  EXPECT_EQ(missing, "") << "keys the reference leaves unexplained:\n" << missing;
  // The harvesters' shared keys state the real defaults, each plugin its own home.
  EXPECT_NE(r.out.find("| `home` | string | `~/.claude` |"), std::string::npos);
  EXPECT_NE(r.out.find("| `lookback_hours` | number (≥ 0) | `72` |"), std::string::npos);
}
