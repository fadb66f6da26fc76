// A night on real recorded sessions: the transcripts the pinned Claude Code and Codex wrote
// in a git repository (tests/data/cli/, recorded by scripts/record_cli_fixtures.sh against the
// scripted model server) sit in a fake HOME next to global documents; `skillpipe run`
// harvests them, mines the recurring task (release notes from the merged pull requests,
// judged by the file the sessions changed) and replays it with the real CLI in detached
// worktrees at the commit the sessions started from. The user's checkout, ~/.claude, ~/.codex,
// ~/.agents and the transcript history stay byte-identical, no model request carries a global
// document, and a night killed with SIGKILL mid-replay resumes without paying any finished
// replay twice (counted at the model server).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "lab.hpp"
#include "recorded_fixture.hpp"
#include "skillpipe/kit/util.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace skillpipe::backend_agent {
namespace {

constexpr int kConcurrency = 2;

class RecordedNight : public lab::AgentTest {
 protected:
  void SetUp() override {
    lab::AgentTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    project_ = tmp_.file("work/widget");
    ASSERT_EQ(recorded::make_project(project_), recorded::kRecordedHead)
        << "the rebuilt project differs from the one the transcripts were recorded in";
    home_ = tmp_.file("home");
    recorded::make_home(home_, project_);
    write_pipeline();
  }

  // The night: the agent's own history harvested, recurring tasks mined with the checks the
  // sessions passed, every val task replayed by the real CLI and scored by judge_rule.
  void write_pipeline(bool confined = true) {
    const bool c = claude();
    std::string agent = "{agent: " + std::string(c ? "claude" : "codex") + ", binary: \"" + binary() +
                        "\", base_url: \"" + model_url() +
                        "\", auth: api_key, api_key_env: SKILLPIPE_TEST_MODEL_KEY, model_retries: 0, max_retries: 0, "
                        "timeout_s: 180, concurrency: " +
                        std::to_string(kConcurrency) + ", workspace_root: \"" + tmp_.file("replays") + "\"";
    if (!c) agent += ", model: gpt-5.5, price: {input: 2.0, output: 10.0}";
    if (!confined) agent += ", confine: none";
    else if (const std::string bw = lab::test_bwrap(); !bw.empty()) agent += ", bwrap: \"" + bw + "\"";
    write_text(tmp_.file("night.yaml"),
               "skillpipe: 1\nname: recorded\nproject: invoked\nstore: {plugin: store_files}\n"
               "backends:\n  agent: {plugin: backend_agent, config: " + agent + "}}\n"
               "stages:\n"
               "  - id: history\n    plugin: " + std::string(c ? "harvest_claude" : "harvest_codex") +
               "\n    config: {home: \"" + home_ + (c ? "/.claude" : "/.codex") + "\", lookback_hours: 0}\n"
               "  - id: tasks\n    plugin: mine_tasks\n    inputs: [history]\n"
               "    config: {mode: heuristic, replay_backend: agent, agentic_checks: true, min_cluster_size: 2, "
               "val_fraction: 0.5}\n"
               "  - id: rules\n    plugin: judge_rule\n    inputs: [tasks]\n"
               "  - id: night\n    plugin: consolidate_reflect\n    inputs: [tasks, rules]\n"
               "    config: {backend: agent, optimizer_backend: agent, evaluate_only: true, targets: [" +
               (c ? "claude_skill" : "codex_skill") + "]}\n");
  }

  std::vector<std::string> night_args(const std::string& store) const {
    return {"run", tmp_.file("night.yaml"), "--project", project_, "--store", store, "--json"};
  }
  std::vector<std::string> night_env() const {
    return {"HOME=" + home_, "SKILLPIPE_TEST_MODEL_KEY=sk-test-not-a-secret", "ANTHROPIC_API_KEY=", "OPENAI_API_KEY="};
  }

  // Runs the night to its end; its --json summary.
  rapidjson::Document run_night(const std::string& store, testing::CommandResult* out = nullptr) {
    const testing::CommandResult r = testing::run_skillpipe(night_args(store), night_env());
    EXPECT_EQ(r.exit_code, 0) << r.err << r.out;
    rapidjson::Document d;
    d.Parse(r.out.c_str());
    EXPECT_FALSE(d.HasParseError() || !d.IsObject()) << r.out;
    if (out) *out = r;
    return d;
  }

  // Starts the night in the background (stdout/stderr to files); its pid.
  pid_t spawn_night(const std::string& store) {
    std::vector<std::string> argv = night_args(store);
    argv.insert(argv.begin(), testing::skillpipe_bin());
    const std::vector<std::string> env = night_env();
    const std::string log = tmp_.file("killed-night.log");
    const pid_t pid = ::fork();
    if (pid == 0) {
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(fd, 1), ::dup2(fd, 2);
      for (const auto& kv : env) {
        const auto eq = kv.find('=');
        ::setenv(kv.substr(0, eq).c_str(), kv.substr(eq + 1).c_str(), 1);
      }
      std::vector<char*> a;
      for (auto& s : argv) a.push_back(s.data());
      a.push_back(nullptr);
      ::execv(a[0], a.data());
      ::_exit(127);
    }
    return pid;
  }

  // Model calls per replay workspace, from the cwd every request carries; unattributed
  // calls (none expected) are counted under "".
  std::map<std::string, int> calls_per_replay(std::size_t from) const {
    const std::regex ws(tmp_.file("replays") + "/([0-9a-f]{16}-[0-9]+)/ws");
    std::map<std::string, int> out;
    const auto calls = server_->model_calls();
    for (std::size_t i = from; i < calls.size(); ++i) {
      std::smatch m;
      ++out[std::regex_search(calls[i].body, m, ws) ? m[1].str() : std::string()];
    }
    return out;
  }

  // Workspace ids (see calls_per_replay) of the replays the night's spend ledger has an answer
  // for: finished and in the response cache.
  static std::set<std::string> answered_replays(const std::string& store) {
    static const std::regex answer("\"event\":\"answer\".*\"cache_key\":\"agent:([0-9a-f]{16})");
    std::set<std::string> out;
    std::error_code ec;
    if (!fs::exists(store, ec)) return out;
    for (const auto& e : fs::recursive_directory_iterator(store, ec)) {
      if (e.path().filename() != "spend.jsonl") continue;
      std::istringstream in(read_text(e.path().string()));
      std::smatch m;
      for (std::string line; std::getline(in, line);)
        if (std::regex_search(line, m, answer)) out.insert(m[1].str() + "-0");
    }
    return out;
  }

  // Processes whose working directory is under `root` (the agents and their commands).
  static int processes_in(const std::string& root) {
    int n = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator("/proc", ec)) {
      const std::string name = e.path().filename().string();
      if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
      const fs::path cwd = fs::read_symlink(e.path() / "cwd", ec);
      if (!ec && cwd.string().rfind(root + "/", 0) == 0) ++n;
    }
    return n;
  }

  std::map<std::string, std::string> user_files() const {
    std::map<std::string, std::string> out;
    for (const char* d : {"/.claude", "/.codex", "/.agents"})
      for (auto& [k, v] : lab::fingerprint(home_ + d)) out[std::string(d) + "/" + k] = v;
    return out;
  }

  // A whole night, then the same night killed with SIGKILL as soon as its first replay is
  // finished (answered in the spend ledger, hence cached) while others still run, then resumed;
  // the model server counts every call.
  void kill_and_resume() {
    run_night(tmp_.file("whole"));
    const auto whole = calls_per_replay(0);
    const std::size_t uninterrupted = server_->model_calls().size();
    ASSERT_GE(whole.size(), 3u) << "too few replays for a kill to land between them";
    EXPECT_EQ(whole.count(""), 0u) << "a model call did not name its replay's workspace";

    // Kill the night as soon as its first replay is finished (answered in the spend ledger,
    // hence cached) while the others are still running.
    const std::size_t start = server_->model_calls().size();
    const pid_t pid = spawn_night(tmp_.file("store"));
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(300);
    while (answered_replays(tmp_.file("store")).empty() && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the night ended before the kill\n" << read_text(tmp_.file("killed-night.log"));
    const std::set<std::string> finished = answered_replays(tmp_.file("store"));
    // No agent outlives the night (they die with it, not after finishing and paying their run).
    for (int i = 0; i < 40 && processes_in(tmp_.file("replays")) > 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_EQ(processes_in(tmp_.file("replays")), 0) << "an agent outlived the killed night";
    std::this_thread::sleep_for(std::chrono::seconds(1));
    const std::size_t at_kill = server_->model_calls().size();
    const auto before = calls_per_replay(start);
    std::this_thread::sleep_for(std::chrono::seconds(2));
    ASSERT_EQ(server_->model_calls().size(), at_kill) << "an agent outlived the killed night and kept calling the model";
    ASSERT_FALSE(finished.empty());
    ASSERT_LT(finished.size(), whole.size()) << "the kill must land before the night's last replay";

    testing::CommandResult resumed_cmd;
    const rapidjson::Document resumed = run_night(tmp_.file("store"), &resumed_cmd);
    ASSERT_TRUE(resumed.IsObject() && resumed.HasMember("resumed"));
    EXPECT_TRUE(resumed["resumed"].GetBool());
    const auto after = calls_per_replay(at_kill);

    // Replays paid both before the kill and after the resume were in flight at the kill: at
    // most one per concurrent slot, and each of them is counted in `rerun`.
    std::set<std::string> ids;
    int rerun = 0, in_both = 0;
    for (const auto& [id, n] : before) {
      ids.insert(id);
      if (after.count(id)) rerun += n, ++in_both;
    }
    for (const auto& [id, n] : after) ids.insert(id);
    const std::size_t total = server_->model_calls().size() - start;
    std::printf("%s: uninterrupted %zu model calls in %zu replays; killed after %zu, resumed with %zu; %d replay(s) "
                "in flight at the kill were paid again (%d calls)\n",
                claude() ? "claude" : "codex", uninterrupted, whole.size(), at_kill - start,
                server_->model_calls().size() - at_kill, in_both, rerun);
    for (const auto& id : finished) EXPECT_EQ(after.count(id), 0u) << "replay " << id << " finished before the kill and was paid again";
    EXPECT_LE(in_both, kConcurrency);
    EXPECT_EQ(ids.size(), whole.size()) << "the killed and resumed night ran other replays than the uninterrupted one";
    EXPECT_EQ(total, uninterrupted + static_cast<std::size_t>(rerun))
        << "calls before the kill + after the resume must be the uninterrupted count plus only the replays in flight";
  }

  TempDir tmp_;
  std::string project_, home_;
};

TEST_P(RecordedNight, RecordedSessionsAreMinedAndReplayedInWorktreesLeavingTheUserUntouched) {
  const auto project_before = lab::fingerprint(project_);
  const auto home_before = user_files();
  testing::CommandResult cmd;
  const rapidjson::Document night = run_night(tmp_.file("store"), &cmd);
  ASSERT_TRUE(night.IsObject() && night.HasMember("night_dir"));
  // The mined file_changed checks need a trajectory, and backend_agent's replays carry one:
  // judge_rule has nothing to warn about.
  EXPECT_EQ(cmd.err.find("needs a trajectory"), std::string::npos) << cmd.err;
  const std::string dir = night["night_dir"].GetString();

  // The recurring task of the recorded sessions, with the check they passed.
  const std::string task_file = dir + "/artifacts/stages/tasks.tasks.jsonl";
  bool release_notes = false;
  for (const auto& t : lab::read_jsonl(task_file)) {
    if (std::string(t["intent"].GetString()).find("release notes") == std::string::npos) continue;
    release_notes = true;
    EXPECT_GE(t["source_sessions"].GetArray().Size(), 2u) << "the recorded paraphrases are one recurring task";
    bool checked = false;
    for (const auto& c : t["judge"]["checks"].GetArray())
      checked |= std::string(c["op"].GetString()) == "file_changed" && std::string(c["arg"].GetString()) == "RELEASE_NOTES.md";
    EXPECT_TRUE(checked) << "the file the sessions changed is the task's check";
  }
  EXPECT_TRUE(release_notes) << read_text(task_file);

  // Every replay ran the real CLI in a worktree at the commit the sessions started from.
  const auto replays = lab::read_jsonl(dir + "/streams/replays.jsonl");
  ASSERT_FALSE(replays.empty());
  for (const auto& r : replays) {
    ASSERT_TRUE(r.HasMember("trajectory") && r["trajectory"].IsObject()) << read_text(dir + "/streams/replays.jsonl");
    const rapidjson::Value& t = r["trajectory"];
    EXPECT_EQ(std::string(t["agent"].GetString()), claude() ? "claude" : "codex");
    EXPECT_EQ(std::string(t["ended"].GetString()), "completed");
    EXPECT_EQ(std::string(t["workspace_commit"].GetString()), recorded::kRecordedHead) << t["start"].GetString();
  }
  EXPECT_GT(server_->model_calls().size(), 0u);

  // The user's checkout, global documents and history are untouched; no workspace is left.
  EXPECT_EQ(lab::fingerprint(project_), project_before);
  EXPECT_EQ(lab::git(project_, {"status", "--porcelain", "--untracked-files=all"}), "");
  EXPECT_EQ(lab::git(project_, {"rev-parse", "HEAD"}), recorded::kRecordedHead);
  EXPECT_EQ(lab::git(project_, {"worktree", "list", "--porcelain"}).find("replays"), std::string::npos);
  EXPECT_EQ(user_files(), home_before) << "a replay wrote into ~/.claude, ~/.codex or ~/.agents";
  EXPECT_TRUE(fs::is_empty(tmp_.file("replays")));
  for (const auto& call : server_->model_calls())
    ASSERT_EQ(call.body.find(recorded::kGlobalMarker), std::string::npos) << "a global document reached the model";
}

TEST_P(RecordedNight, AKilledNightResumesWithoutPayingAFinishedReplayTwice) {
  if (lab::test_bwrap().empty()) {
    if (std::getenv("SKILLPIPE_REQUIRE_BWRAP"))
      FAIL() << "SKILLPIPE_REQUIRE_BWRAP is set but no bubblewrap was found (apt install bubblewrap, or SKILLPIPE_BWRAP=PATH)";
    GTEST_SKIP() << "needs bubblewrap (the unconfined case is the next test)";
  }
  kill_and_resume();
}

// Unconfined (confine: none), the agents are in their own process group; they must still die
// with a killed night instead of running on and paying.
TEST_P(RecordedNight, AKilledUnconfinedNightLeavesNoAgentBehindAndResumes) {
  write_pipeline(/*confined=*/false);
  kill_and_resume();
}

SKILLPIPE_FOR_EACH_AGENT(RecordedNight);

}  // namespace
}  // namespace skillpipe::backend_agent
