// Crash safety: a simulated crash (fault injection ends the process with _exit) between every
// pair of durable writes of a night and of an adoption, then recovery. The store must stay
// readable, lose and duplicate nothing, and live files must be fully old or fully new.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"
#include "store_fixture.hpp"

namespace fs = std::filesystem;
using namespace skillpipe;
using namespace store_test;
using skillpipe::testing::read_text;
using skillpipe::testing::run_skillpipe;
using skillpipe::testing::write_text;

namespace {

const std::string kSkillV1 = "---\nname: deploy\n---\n# Deploy\nStep one.\n";
const std::string kSkillV2 = "---\nname: deploy\n---\n# Deploy\nStep one.\n<!-- learned -->\n- run the tests\n";
const std::string kMemV1 = "# Memory\r\nhand-written line, CRLF\r\nno final newline";
const std::string kMemV2 = "# Memory\r\nhand-written line, CRLF\r\nno final newline\n<!-- learned -->\n- ü rule\n";

// A night the way a resumable run does it: every step first checks what is already durable.
// `calls_log` records each simulated paid LLM call, outside the store.
int night_script(const Sandbox& sb, const std::string& extra_config, const std::string& calls_log) {
  LoadedStore s(sb.root, sb.project, extra_config);
  s->open_night(sb.project, *s.ctx);
  s->put_state("harvest_cursor", "2026-01-02T00:00:00Z");
  // Records one by one, skipping those already durable.
  for (int i = 0; i < 3; ++i) {
    const std::string line = R"({"session_id":"s)" + std::to_string(i) + R"("})";
    const auto have = s->read("digests");
    if (static_cast<int>(have.size()) > i) {
      if (have[static_cast<std::size_t>(i)] != line) return 3;  // a corrupted record
      continue;
    }
    s->append("digests", {line});
  }
  // Replays answered through the response cache: a cached answer is never paid for twice.
  for (int i = 0; i < 3; ++i) {
    const std::string key = sha256("mock|m|task" + std::to_string(i) + "|0");
    auto answer = s->cache_get(key);
    if (!answer) {
      std::ofstream(calls_log, std::ios::app) << "call " << i << "\n";
      answer = "answer " + std::to_string(i);
      s->cache_put(key, *answer);
    }
    const std::string line = R"({"task_id":"task)" + std::to_string(i) + R"(","response":")" + *answer + R"("})";
    const auto have = s->read("replays");
    if (static_cast<int>(have.size()) <= i) s->append("replays", {line});
  }
  // A batch of two lines at once.
  const auto verdicts = s->read("verdicts");
  const std::vector<std::string> batch = {R"({"task_id":"task0","hard":1})", R"({"task_id":"task1","hard":0})"};
  if (verdicts.size() < batch.size())
    s->append("verdicts", {batch.begin() + static_cast<long>(verdicts.size()), batch.end()});
  if (!s->read_artifact("stages/judge.done")) s->write_artifact("stages/judge.done", "done\n");
  s->stage({make_proposal("deploy", "claude_skill", sb.skill_path("deploy"), kSkillV2),
            make_proposal("CLAUDE.md", "claude_memory", sb.memory_path(), kMemV2)},
           make_report());
  s->close_night(true);
  return 0;
}

void write_live_v1(const Sandbox& sb) {
  write_text(sb.skill_path("deploy"), kSkillV1);
  write_text(sb.memory_path(), kMemV1);
}

// Complete lines only: a torn tail (no '\n') was never committed.
std::size_t read_jsonl_count(const std::string& path) {
  const auto text = read_file(path);
  return text ? static_cast<std::size_t>(std::count(text->begin(), text->end(), '\n')) : 0;
}

std::size_t count_lines(const std::string& path) {
  std::ifstream in(path);
  std::size_t n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

}  // namespace

TEST(StoreCrash, NightSurvivesACrashBetweenEveryPairOfWrites) {
  // One sandbox (so paths and slugs are the same), reset before each attempt. fsync is off:
  // a process crash keeps the page cache, so it changes nothing here but the time.
  Sandbox sb;
  const std::string calls = sb.tmp.file("calls");
  auto reset = [&] {
    fs::remove_all(sb.root);
    fs::remove(calls);
    write_live_v1(sb);
  };
  const std::string no_sync = "\"fsync\": false";
  reset();
  ASSERT_EQ(in_child([&] { return night_script(sb, no_sync, calls); }), 0);
  const auto reference = snapshot(sb.root);
  ASSERT_EQ(count_lines(calls), 3u);
  ASSERT_FALSE(reference.empty());
  int crashes = 0;
  for (int n = 1; n < 200; ++n) {
    SCOPED_TRACE("crash at write step " + std::to_string(n));
    reset();
    const int rc =
        in_child([&] { return night_script(sb, no_sync + ", \"fail_after_writes\": " + std::to_string(n), calls); });
    if (rc == 0) break;  // n is past the last write: every crash point was covered
    ASSERT_EQ(rc, kFaultExit);
    ++crashes;
    // Readable after the crash: every complete stream line is JSON, status works.
    for (const auto& [rel, bytes] : snapshot(sb.root)) {
      if (rel.size() < 6 || rel.substr(rel.size() - 6) != ".jsonl") continue;
      std::size_t start = 0;
      for (auto nl = bytes.find('\n'); nl != std::string::npos; start = nl + 1, nl = bytes.find('\n', start)) {
        rapidjson::Document d;
        d.Parse(bytes.data() + start, nl - start);
        EXPECT_FALSE(d.HasParseError()) << rel << ": " << bytes.substr(start, nl - start);
      }
    }
    {
      LoadedStore s(sb.root, sb.project, no_sync);
      EXPECT_NO_THROW(s->adoption()->status(sb.project));
    }
    // Resume to completion; the result is byte-identical to the uncrashed night.
    ASSERT_EQ(in_child([&] { return night_script(sb, no_sync, calls); }), 0);
    const auto after = snapshot(sb.root);
    for (const auto& [rel, bytes] : reference) {
      auto it = after.find(rel);
      if (it == after.end()) {
        ADD_FAILURE() << "missing after recovery: " << rel;
        continue;
      }
      EXPECT_EQ(it->second, bytes) << rel;
    }
    for (const auto& [rel, bytes] : after) EXPECT_TRUE(reference.count(rel)) << "extra after recovery: " << rel;
    // No temp debris is left in the project's part of the store.
    for (const auto& e : fs::recursive_directory_iterator(sb.root + "/projects")) {
      EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
    }
    // At most the one call in flight at the crash is paid again.
    EXPECT_LE(count_lines(calls), 4u);
    // The live files were never touched by a night.
    EXPECT_EQ(read_text(sb.skill_path("deploy")), kSkillV1);
    EXPECT_EQ(read_text(sb.memory_path()), kMemV1);
  }
  EXPECT_GT(crashes, 15);  // the night has that many durable writes; all were crash points
}

namespace {

// Stages one night (skill + memory) and returns nothing; the live files are v1.
void staged_night(const Sandbox& sb) {
  write_live_v1(sb);
  ASSERT_EQ(in_child([&] { return night_script(sb, "\"fsync\": false", sb.tmp.file("calls")); }), 0);
}

std::vector<std::string> store_args(const Sandbox& sb) { return {"--project", sb.project, "--store", sb.root}; }

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Both files old, or both new; never a mix, never a torn file.
int live_side(const Sandbox& sb, const std::string& skill_old, const std::string& mem_old, const std::string& skill_new,
              const std::string& mem_new) {
  const std::string skill = read_text(sb.skill_path("deploy"));
  const std::string mem = read_text(sb.memory_path());
  if (skill == skill_old && mem == mem_old) return 0;
  if (skill == skill_new && mem == mem_new) return 1;
  if ((skill == skill_old || skill == skill_new) && (mem == mem_old || mem == mem_new)) return 2;  // mixed
  return 3;                                                                                        // torn
}

}  // namespace

TEST(StoreCrash, AdoptAndRollbackSurviveACrashBetweenEveryPairOfWrites) {
  for (const std::string cmd : {"adopt", "rollback"}) {
    int crashes = 0;
    for (int n = 1; n < 100; ++n) {
      SCOPED_TRACE(cmd + ": crash at write step " + std::to_string(n));
      Sandbox sb;
      staged_night(sb);
      auto env = sb.env();
      env.push_back("SKILLPIPE_STORE_FSYNC=0");  // process crashes only: fsync changes nothing but time
      if (cmd == "rollback") {
        ASSERT_EQ(run_skillpipe(with({"adopt"}, store_args(sb)), env).exit_code, 0);
      }
      const std::string old_skill = cmd == "adopt" ? kSkillV1 : kSkillV2;
      const std::string old_mem = cmd == "adopt" ? kMemV1 : kMemV2;
      const std::string new_skill = cmd == "adopt" ? kSkillV2 : kSkillV1;
      const std::string new_mem = cmd == "adopt" ? kMemV2 : kMemV1;
      env.push_back("SKILLPIPE_STORE_FAIL_AFTER=" + std::to_string(n));
      const auto crashed = run_skillpipe(with({cmd}, store_args(sb)), env);
      if (crashed.exit_code == 0) break;
      ASSERT_EQ(crashed.exit_code, kFaultExit) << crashed.err;
      ++crashes;
      // Each live file is whole (old or new) right after the crash.
      const int mid = live_side(sb, old_skill, old_mem, new_skill, new_mem);
      EXPECT_NE(mid, 3) << "a live file is neither the old nor the new version";
      // The next command recovers: both files on the same side, journal gone.
      env.pop_back();
      const auto st = run_skillpipe(with({"status"}, store_args(sb)), env);
      EXPECT_EQ(st.exit_code, 0) << st.err;
      const int side = live_side(sb, old_skill, old_mem, new_skill, new_mem);
      EXPECT_TRUE(side == 0 || side == 1) << "after recovery: " << side;
      EXPECT_FALSE(fs::exists(sb.root + "/projects/" + project_slug(sb.project) + "/adoption/journal.json"));
      const std::string receipts = sb.root + "/projects/" + project_slug(sb.project) + "/adoption/receipts.jsonl";
      const std::size_t expected_receipts = (cmd == "rollback" ? 1u : 0u) + static_cast<std::size_t>(side);
      EXPECT_EQ(read_jsonl_count(receipts), expected_receipts);
      // Finishing the command leaves exactly one more version and the new files.
      if (side == 0) {
        const auto again = run_skillpipe(with({cmd}, store_args(sb)), env);
        EXPECT_EQ(again.exit_code, 0) << again.err;
      }
      EXPECT_EQ(live_side(sb, old_skill, old_mem, new_skill, new_mem), 1);
      EXPECT_EQ(read_jsonl_count(receipts), cmd == "rollback" ? 2u : 1u);
    }
    EXPECT_GE(crashes, 8) << cmd;  // journal, 2 files, receipt, commit: at least 8 write steps
  }
}

TEST(StoreCrash, RecoveryConflictIsReportedAndNothingIsOverwritten) {
  // Find a crash point that leaves the adoption half-done (one file new, one old).
  for (int n = 1; n < 100; ++n) {
    Sandbox sb;
    staged_night(sb);
    auto env = sb.env();
    env.push_back("SKILLPIPE_STORE_FSYNC=0");
    env.push_back("SKILLPIPE_STORE_FAIL_AFTER=" + std::to_string(n));
    const auto crashed = run_skillpipe(with({"adopt"}, store_args(sb)), env);
    ASSERT_NE(crashed.exit_code, 0) << "no crash point left the files mixed";
    if (live_side(sb, kSkillV1, kMemV1, kSkillV2, kMemV2) != 2) continue;
    env.pop_back();
    // The user edits the file that was already replaced, before any recovery ran.
    const std::string edited = read_text(sb.skill_path("deploy")) + "my edit\n";
    write_text(sb.skill_path("deploy"), edited);
    const auto st = run_skillpipe(with({"status"}, store_args(sb)), env);
    EXPECT_EQ(st.exit_code, 1);
    EXPECT_NE(st.err.find("cannot be finished because these files were edited"), std::string::npos) << st.err;
    EXPECT_NE(st.err.find(sb.skill_path("deploy")), std::string::npos) << st.err;
    EXPECT_EQ(run_skillpipe(with({"adopt"}, store_args(sb)), env).exit_code, 1);
    EXPECT_EQ(read_text(sb.skill_path("deploy")), edited);  // never overwritten
    // A run still starts (the night pins what it reads) and logs the problem.
    LoadedStore s(sb.root, sb.project, "\"fsync\": false");
    EXPECT_NO_THROW(s->open_night(sb.project, *s.ctx));
    s->close_night(false);
    return;
  }
  FAIL() << "no crash point left the files mixed";
}

// User-level skill roots are shared between projects, so an adoption in one project waits for
// none but is refused while another project's adoption holds the store's adoption lock.
TEST(StoreCrash, AdoptionsOfTwoProjectsDoNotInterleave) {
  Sandbox sb;
  staged_night(sb);
  auto env = sb.env();
  const std::string other = sb.tmp.file("other");
  fs::create_directories(other);
  int ready[2], release[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(release), 0);
  fs::create_directories(sb.root);
  const pid_t child = ::fork();
  if (child == 0) {  // an adoption of `other` in progress holds the store's adoption lock
    const int fd = ::open((sb.root + "/adopt.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    const std::string info = "pid=" + std::to_string(::getpid()) + "\npurpose=skillpipe adopt for project " + other + "\n";
    if (fd < 0 || ::flock(fd, LOCK_EX) != 0 || ::write(fd, info.data(), info.size()) < 0) ::_exit(1);
    char c = 1;
    if (::write(ready[1], &c, 1) != 1) ::_exit(1);
    if (::read(release[0], &c, 1) < 0) ::_exit(1);
    ::_exit(0);
  }
  ::close(ready[1]);  // a child that fails ends the read instead of leaving it waiting
  char c;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  const auto busy = run_skillpipe(with({"adopt"}, store_args(sb)), env);
  EXPECT_NE(busy.exit_code, 0);
  EXPECT_NE(busy.err.find("adoption in the store " + sb.root), std::string::npos) << busy.err;
  EXPECT_NE(busy.err.find("skillpipe adopt for project " + other), std::string::npos) << busy.err;
  ASSERT_EQ(::write(release[1], &c, 1), 1);
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_EQ(read_text(sb.skill_path("deploy")), kSkillV1) << "refused before anything was written";
  const auto free = run_skillpipe(with({"adopt"}, store_args(sb)), env);
  EXPECT_EQ(free.exit_code, 0) << free.err;
  EXPECT_EQ(read_text(sb.skill_path("deploy")), kSkillV2);
}

TEST(StoreCrash, TempFilesOfAKilledAdoptionAreRemovedByTheNextCommand) {
  Sandbox sb;
  staged_night(sb);
  auto env = sb.env();
  ASSERT_EQ(run_skillpipe(with({"adopt"}, store_args(sb)), env).exit_code, 0);
  // A pid that is certainly not running: a child that has exited and been reaped.
  const long dead_pid = [] {
    const pid_t p = ::fork();
    if (p == 0) ::_exit(0);
    int st = 0;
    ::waitpid(p, &st, 0);
    return static_cast<long>(p);
  }();
  const std::string adoption = sb.root + "/projects/" + project_slug(sb.project) + "/adoption";
  const std::string sha(64, 'a');
  fs::create_directories(adoption + "/blobs/aa");
  const std::vector<std::string> stale = {
      adoption + "/blobs/aa/." + sha + ".tmp-" + std::to_string(dead_pid) + "-0",
      adoption + "/.journal.json.tmp-" + std::to_string(dead_pid) + "-3",
      adoption + "/.receipts.jsonl.tmp-" + std::to_string(dead_pid) + "-1"};
  for (const auto& p : stale) write_text(p, "half-written");
  // A writer that is still running keeps its temp file; so does a user's file that only looks
  // like one (recovery also sweeps the folders of live documents, the project root among them).
  const std::string live = adoption + "/blobs/aa/." + sha + ".tmp-" + std::to_string(::getpid()) + "-0";
  write_text(live, "being written");
  const std::vector<std::string> users = {adoption + "/.notes.tmp-keep", adoption + "/.draft.tmp-12",
                                          adoption + "/.x.tmp-1-2-3"};
  for (const auto& p : users) write_text(p, "mine");
  const auto st = run_skillpipe(with({"status"}, store_args(sb)), env);
  EXPECT_EQ(st.exit_code, 0) << st.err;
  for (const auto& p : stale) EXPECT_FALSE(fs::exists(p)) << p;
  EXPECT_TRUE(fs::exists(live));
  for (const auto& p : users) EXPECT_TRUE(fs::exists(p)) << p;
  // The adoption is intact: rollback still works.
  EXPECT_EQ(run_skillpipe(with({"rollback"}, store_args(sb)), env).exit_code, 0);
}
