// Power-cut order: everything a commit point vouches for is on disk before the commit point
// itself can reach the disk. A kill -9 loses nothing the page cache holds (the crash tests cover
// that); a power cut loses whatever was not flushed, so the order of flushes is what matters.
//
// This executable defines fsync, rename, unlink, mkdir and pwrite and exports them, so the calls
// the loaded store_files plugin makes resolve here first; each forwards to libc and records what
// it changed or flushed. A file is on disk when it was fsync'd with its current size and mtime
// (the store never rewrites a file in place: it writes new temp files or appends, which changes
// the size, so a coarse mtime cannot hide a change); a directory's entries are on disk when it
// was fsync'd after the last rename, unlink or mkdir in it. At each commit the test checks the
// files and directories that commit vouches for:
//   - a stage's `.done` marker and the night's manifest: the whole night directory, the
//     project's state, and every directory up to the store root;
//   - the first live file an adoption replaces: the journal and the backups it names;
//   - the receipt line (the adoption's commit): every replaced or removed live file and its
//     directories.
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "store_fixture.hpp"

namespace fs = std::filesystem;
using namespace skillpipe;
using namespace store_test;

namespace {

using Inode = std::pair<dev_t, ino_t>;

struct FileState {
  off_t size;
  timespec mtime;
};

struct Tracker {
  std::mutex mu;
  bool on = false;
  std::string root;                    // the store root: renames outside it replace live files
  std::set<Inode> dirty_dirs;          // entries changed since the directory's last fsync
  std::map<Inode, FileState> flushed;  // a file's size and mtime at its last fsync
  std::string journal;                 // the adoption journal, once renamed into place
  std::vector<std::string> live;       // live files replaced or removed since the journal
  std::vector<std::string> violations;
  int commits = 0;                     // commit points checked
};

Tracker& tracker() {
  static Tracker t;
  return t;
}

thread_local bool t_inside = false;  // the checks' own file system calls are not recorded

template <class F>
F real(const char* name) {
  return reinterpret_cast<F>(::dlsym(RTLD_NEXT, name));
}

std::string parent(const std::string& p) { return fs::path(p).parent_path().string(); }

bool starts_with_dir(const std::string& p, const std::string& dir) {
  return p.size() > dir.size() && p.compare(0, dir.size(), dir) == 0 && p[dir.size()] == '/';
}

std::string fd_path(int fd) {
  std::error_code ec;
  return fs::read_symlink("/proc/self/fd/" + std::to_string(fd), ec).string();
}

std::optional<Inode> inode_of(const std::string& path, struct stat* out = nullptr) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return std::nullopt;
  if (out) *out = st;
  return Inode{st.st_dev, st.st_ino};
}

void mark_dir_dirty(Tracker& t, const std::string& dir) {
  if (auto ino = inode_of(dir)) t.dirty_dirs.insert(*ino);
}

// ---- what "on disk" means -------------------------------------------------------------------

void require_file(Tracker& t, const std::string& path, const std::string& commit) {
  struct stat st {};
  const auto ino = inode_of(path, &st);
  if (!ino) return;  // gone: nothing of it to lose
  const auto it = t.flushed.find(*ino);
  const bool ok = it != t.flushed.end() && it->second.size == st.st_size &&
                  it->second.mtime.tv_sec == st.st_mtim.tv_sec && it->second.mtime.tv_nsec == st.st_mtim.tv_nsec;
  if (!ok) t.violations.push_back(commit + ": file not flushed: " + path);
}

void require_dir(Tracker& t, const std::string& dir, const std::string& commit) {
  const auto ino = inode_of(dir);
  if (ino && t.dirty_dirs.count(*ino)) t.violations.push_back(commit + ": directory entries not flushed: " + dir);
}

// `dir` and every directory above it up to the store root.
void require_chain(Tracker& t, std::string dir, const std::string& commit) {
  for (; starts_with_dir(dir, t.root) || dir == t.root; dir = parent(dir)) {
    require_dir(t, dir, commit);
    if (dir == t.root) break;
  }
}

bool is_temp(const fs::path& p) { return p.filename().string().find(".tmp-") != std::string::npos; }

void require_tree(Tracker& t, const std::string& dir, const std::string& commit, const std::string& except) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return;
  require_chain(t, dir, commit);
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    const std::string p = it->path().string();
    if (p == except || is_temp(it->path())) continue;
    if (it->is_directory(ec)) require_dir(t, p, commit);
    else if (it->is_regular_file(ec)) require_file(t, p, commit);
  }
}

// ---- the commit points ----------------------------------------------------------------------

// `night` is <root>/projects/<slug>/nights/<id>.
void check_night_commit(Tracker& t, const std::string& night, const std::string& marker, const std::string& temp) {
  ++t.commits;
  const std::string project = parent(parent(night));
  require_tree(t, night, marker, temp);
  require_tree(t, project + "/state", marker, temp);
}

// The first live file an adoption replaces or removes needs the journal and the backups on disk.
void on_live_change(Tracker& t, const std::string& path, const std::string& except) {
  if (t.live.empty()) {
    ++t.commits;
    const std::string what = "changing " + path;
    require_file(t, t.journal, what);
    require_chain(t, parent(t.journal), what);
    require_tree(t, parent(t.journal) + "/blobs", what, except);
  }
  t.live.push_back(path);
}

void on_rename(Tracker& t, const std::string& from, const std::string& to) {
  if (!starts_with_dir(to, t.root)) return on_live_change(t, to, from);
  const auto at = to.find("/artifacts/stages/");
  if (at != std::string::npos && to.ends_with(".done")) return check_night_commit(t, to.substr(0, at), to, from);
  if (to.ends_with("/manifest.json") && parent(parent(to)).ends_with("/nights"))
    return check_night_commit(t, parent(to), to, from);
  if (to.ends_with("/adoption/journal.json")) {  // a new adoption begins
    t.journal = to;
    t.live.clear();
  }
}

void on_receipt(Tracker& t, const std::string& receipts) {
  ++t.commits;
  for (const auto& f : t.live) {
    require_file(t, f, receipts);
    for (std::string d = parent(f); d.size() > 1; d = parent(d)) require_dir(t, d, receipts);
  }
}

// Runs `record` under the lock when tracking is on and this is not the tracker's own call.
template <class F>
void with_tracker(F&& record) {
  Tracker& t = tracker();
  if (t_inside) return;
  std::lock_guard lk(t.mu);
  if (!t.on) return;
  t_inside = true;
  record(t);
  t_inside = false;
}

void reset_tracker(const std::string& root) {
  Tracker& t = tracker();
  std::lock_guard lk(t.mu);
  t.root = fs::weakly_canonical(root).string();
  t.dirty_dirs.clear();
  t.flushed.clear();
  t.journal.clear();
  t.live.clear();
  t.violations.clear();
  t.commits = 0;
  t.on = true;
}

struct FlushOutcome {
  std::vector<std::string> violations;
  int commits;
};

FlushOutcome stop_tracker() {
  Tracker& t = tracker();
  std::lock_guard lk(t.mu);
  t.on = false;
  return {t.violations, t.commits};
}

}  // namespace

// ---- the interposed calls (exported by this executable, see CMakeLists.txt) ------------------

extern "C" int fsync(int fd) {
  static const auto next = real<int (*)(int)>("fsync");
  const int rc = next(fd);
  if (rc == 0) {
    with_tracker([&](Tracker& t) {
      struct stat st {};
      if (::fstat(fd, &st) != 0) return;
      if (S_ISDIR(st.st_mode)) t.dirty_dirs.erase({st.st_dev, st.st_ino});
      else t.flushed[{st.st_dev, st.st_ino}] = {st.st_size, st.st_mtim};
    });
  }
  return rc;
}

extern "C" int rename(const char* from, const char* to) {
  static const auto next = real<int (*)(const char*, const char*)>("rename");
  // Checked before the rename: the commit must not be able to reach the disk first.
  with_tracker([&](Tracker& t) { on_rename(t, fs::absolute(from).string(), fs::absolute(to).string()); });
  const int rc = next(from, to);
  if (rc == 0) {
    with_tracker([&](Tracker& t) {
      mark_dir_dirty(t, parent(fs::absolute(to).string()));
      mark_dir_dirty(t, parent(fs::absolute(from).string()));
    });
  }
  return rc;
}

extern "C" int unlink(const char* path) {
  static const auto next = real<int (*)(const char*)>("unlink");
  const std::string p = fs::absolute(path).string();
  with_tracker([&](Tracker& t) {
    if (!starts_with_dir(p, t.root) && !is_temp(p)) on_live_change(t, p, "");  // a rollback removing a file
  });
  const int rc = next(path);
  if (rc == 0) with_tracker([&](Tracker& t) { mark_dir_dirty(t, parent(p)); });
  return rc;
}

extern "C" int mkdir(const char* path, mode_t mode) {
  static const auto next = real<int (*)(const char*, mode_t)>("mkdir");
  const int rc = next(path, mode);
  if (rc == 0) with_tracker([&](Tracker& t) { mark_dir_dirty(t, parent(fs::absolute(path).string())); });
  return rc;
}

extern "C" ssize_t pwrite(int fd, const void* buf, size_t n, off_t off) {
  static const auto next = real<ssize_t (*)(int, const void*, size_t, off_t)>("pwrite");
  with_tracker([&](Tracker& t) {
    const std::string p = fd_path(fd);
    if (p.ends_with("/adoption/receipts.jsonl")) on_receipt(t, p);
  });
  return next(fd, buf, n, off);
}

namespace {

const std::string kSkillV1 = "---\nname: deploy\n---\n# Deploy\nStep one.\n";
const std::string kSkillV2 = kSkillV1 + "<!-- learned -->\n- run the tests\n";
const std::string kMem = "# Memory\n<!-- learned -->\n- a rule\n";

// A night of the shape the host drives (state, streams, a cache entry, a stage's outputs and
// marker, staging), then an adoption of both proposals (the skill replaced, the memory file
// created) and its rollback (the skill put back, the memory file removed).
FlushOutcome night_then_adopt(const Sandbox& sb, const std::string& extra_config) {
  skillpipe::testing::write_text(sb.skill_path("deploy"), kSkillV1);
  LoadedStore s(sb.root, sb.project, extra_config);
  reset_tracker(sb.root);
  s->open_night(sb.project, *s.ctx);
  s->put_state("harvest_cursor", "2026-01-02T00:00:00Z");
  s->append("digests", {R"({"session_id":"s0"})", R"({"session_id":"s1"})"});
  s->cache_put(sha256("a request"), "an answer");
  s->append("replays", {R"({"task_id":"t0","response":"an answer"})"});
  s->write_artifact("stages/mine.tasks.jsonl", "{\"id\":\"t0\"}\n");
  s->write_artifact("stages/mine.done", "done\n");
  s->append("verdicts", {R"({"task_id":"t0","hard":1})"});
  s->write_artifact("stages/judge.done", "done\n");
  s->stage({make_proposal("deploy", "claude_skill", sb.skill_path("deploy"), kSkillV2),
            make_proposal("CLAUDE.md", "claude_memory", sb.memory_path(), kMem)},
           make_report());
  s->close_night(true);
  AdoptRequest req;
  req.project = sb.project;
  const AdoptionResult r = s->adoption()->adopt(req);
  EXPECT_EQ(r.exit_code, 0) << r.message;
  RollbackRequest back;
  back.project = sb.project;
  const AdoptionResult rb = s->adoption()->rollback(back);
  EXPECT_EQ(rb.exit_code, 0) << rb.message;
  return stop_tracker();
}

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += "  " + s + "\n";
  return out;
}

}  // namespace

TEST(StorePowerCut, EveryCommitPointFollowsTheFlushOfWhatItVouchesFor) {
  for (const char* sync : {"commit", "every_write"}) {
    Sandbox sb;
    const FlushOutcome o = night_then_adopt(sb, std::string(R"("sync": ")") + sync + "\"");
    // mine.done, judge.done, manifest; adopt and rollback: first live file, receipt.
    EXPECT_EQ(o.commits, 7) << "sync: " << sync;
    EXPECT_TRUE(o.violations.empty()) << "sync: " << sync << "\n" << joined(o.violations);
  }
}

TEST(StorePowerCut, TheCheckSeesAStoreThatNeverFlushes) {
  // The negative control: with fsync off nothing is on disk at any commit point.
  Sandbox sb;
  const FlushOutcome o = night_then_adopt(sb, R"("fsync": false)");
  EXPECT_EQ(o.commits, 7);
  EXPECT_GE(o.violations.size(), 7u) << joined(o.violations);
}
