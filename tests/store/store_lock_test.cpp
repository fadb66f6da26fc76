// store_files' project lock: a second open is refused naming the holder, a lock held by
// another process, stale locks, and a lock kept by an orphaned child.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "skillpipe/errors.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"
#include "store_fixture.hpp"

namespace fs = std::filesystem;
using namespace skillpipe;
using namespace store_test;
using skillpipe::testing::read_text;
using skillpipe::testing::write_text;

TEST(StoreLock, SecondOpenOfTheSameProjectIsRefusedNamingTheHolder) {
  Sandbox sb;
  LoadedStore a(sb.root, sb.project);
  LoadedStore b(sb.root, sb.project);
  a->open_night(sb.project, *a.ctx);
  try {
    b->open_night(sb.project, *b.ctx);
    FAIL() << "second open should be refused";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("project " + sb.project + " is locked by skillpipe run"), std::string::npos) << msg;
    EXPECT_NE(msg.find("pid " + std::to_string(::getpid())), std::string::npos) << msg;
  }
  // Another project is independent.
  const std::string other = sb.tmp.file("other");
  fs::create_directories(other);
  b->open_night(other, *b.ctx);
  b->close_night(false);
  a->close_night(false);
  // Released: a new open succeeds.
  b->open_night(sb.project, *b.ctx);
  b->close_night(false);
}

TEST(StoreLock, LockHeldByAnotherProcessAndStaleLocks) {
  Sandbox sb;
  int ready[2], release[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(release), 0);
  const pid_t child = ::fork();
  if (child == 0) {
    LoadedStore s(sb.root, sb.project);
    s->open_night(sb.project, *s.ctx);
    char c = 1;
    if (::write(ready[1], &c, 1) != 1) ::_exit(1);
    if (::read(release[0], &c, 1) < 0) ::_exit(1);  // hold the lock until the parent says so
    ::_exit(0);                                     // no close_night: like a killed run
  }
  char c;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  {
    LoadedStore s(sb.root, sb.project);
    try {
      s->open_night(sb.project, *s.ctx);
      FAIL() << "lock held by a live process must refuse";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("pid " + std::to_string(child)), std::string::npos) << e.what();
    }
  }
  ASSERT_EQ(::write(release[1], &c, 1), 1);
  int status = 0;
  ::waitpid(child, &status, 0);
  // The dead process left its pid in the lock file; the kernel dropped its flock.
  const std::string lock_text = read_text(sb.root + "/projects/" + project_slug(sb.project) + "/run.lock");
  EXPECT_NE(lock_text.find("pid=" + std::to_string(child)), std::string::npos);
  LoadedStore s(sb.root, sb.project);
  const NightHandle h = s->open_night(sb.project, *s.ctx);
  EXPECT_TRUE(h.resumed);  // and its unfinished night is resumed
  EXPECT_NE(read_text(sb.root + "/projects/" + project_slug(sb.project) + "/run.lock")
                .find("pid=" + std::to_string(::getpid())),
            std::string::npos);
  s->close_night(false);
}

TEST(StoreLock, LockKeptByAnOrphanedChildIsExplained) {
  Sandbox sb;
  int ready[2], release[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(release), 0);
  const pid_t runner = ::fork();
  if (runner == 0) {
    LoadedStore s(sb.root, sb.project);
    s->open_night(sb.project, *s.ctx);
    // A subprocess forked without exec shares the locked file description.
    if (::fork() == 0) {
      char c = 1;
      if (::write(ready[1], &c, 1) != 1) ::_exit(1);
      if (::read(release[0], &c, 1) < 0) ::_exit(1);
      ::_exit(0);
    }
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(runner, &status, 0);
  char c;
  ASSERT_EQ(::read(ready[0], &c, 1), 1);
  {
    LoadedStore s(sb.root, sb.project);
    try {
      s->open_night(sb.project, *s.ctx);
      FAIL() << "lock still held by the orphan must refuse";
    } catch (const Error& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("pid " + std::to_string(runner)), std::string::npos) << msg;
      EXPECT_NE(msg.find("has exited, but a process it started still holds"), std::string::npos) << msg;
    }
  }
  ASSERT_EQ(::write(release[1], &c, 1), 1);
  ::close(release[1]);
  for (int i = 0; i < 200; ++i) {  // the orphan is not our child; wait for it to let go
    LoadedStore s(sb.root, sb.project);
    try {
      s->open_night(sb.project, *s.ctx);
      s->close_night(false);
      return;
    } catch (const Error&) {
      ::usleep(10000);
    }
  }
  FAIL() << "lock never released";
}
