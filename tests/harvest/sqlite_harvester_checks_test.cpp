// The across-nights checks of harvester_checks.hpp, for the harvesters of SQLite sources
// (harvest_opencode, harvest_cursor) loaded as .so files: there are no lines to tear, so the
// database is changed the way the agent changes it (rows inserted, a writer holding its lock):
// a second harvest reads nothing; a new turn is read alone and only once it is settled; a
// planted secret never comes out; a database locked for writing is skipped with a message and
// keeps its cursors, so the next run reads only what is new.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "harvest_test_util.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::testing {
namespace {

constexpr const char* kSecret = "ghp_Zq8Wm3Kd7Lp2Xv9Tn4Rb6Hc1Jf5Gs0Ye8Ua3";

// A writable copy of a fixture database with a connection of its own (the "agent").
class Writer {
 public:
  explicit Writer(const std::string& path) { EXPECT_EQ(sqlite3_open(path.c_str(), &db_), SQLITE_OK) << path; }
  ~Writer() { sqlite3_close(db_); }
  void exec(const std::string& sql) {
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "") << "\n" << sql;
    sqlite3_free(err);
  }

 private:
  sqlite3* db_ = nullptr;
};

std::string sq(const std::string& s) {  // an SQL string literal
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

class OpencodeAcrossNights : public ::testing::Test {
 protected:
  void SetUp() override {
    copy_tree(test_data_dir() + "/agents/opencode-1.18.33/home", dir_.path() + "/home");
    db_ = dir_.path() + "/home/.local/share/opencode/opencode.db";
  }
  HarvestOutput night(int settle_minutes, int busy_ms = 2000) {
    return harvest({"harvest_opencode",
                    "{\"home\":" + json_quote(dir_.path() + "/home") +
                        ",\"project_scope\":\"all\",\"lookback_hours\":0,\"max_sessions\":0,\"settle_minutes\":" +
                        std::to_string(settle_minutes) + ",\"busy_timeout_ms\":" + std::to_string(busy_ms) + "}",
                    "all", "", &store_});
  }
  // A prompt (and, when `answer` is set, a finished answer) appended to the `secret` session now.
  void add_turn(Writer& w, const std::string& tag, const std::string& prompt, const std::string& answer) {
    const std::int64_t t = now_ms();
    const std::string s = sq("ses_db632aa94ffeDSY2iT5VhjlgCG");
    if (!prompt.empty()) {
      w.exec("INSERT INTO message VALUES (" + sq("msg_zz" + tag + "u") + "," + s + "," + std::to_string(t) + "," +
             std::to_string(t) + ",'{\"role\":\"user\",\"time\":{\"created\":" + std::to_string(t) + "}}')");
      w.exec("INSERT INTO part VALUES (" + sq("prt_zz" + tag + "u") + "," + sq("msg_zz" + tag + "u") + "," + s + "," +
             std::to_string(t) + "," + std::to_string(t) + "," +
             sq("{\"type\":\"text\",\"text\":" + json_quote(prompt) + "}") + ")");
    }
    if (answer.empty()) return;
    w.exec("INSERT INTO message VALUES (" + sq("msg_zz" + tag + "a") + "," + s + "," + std::to_string(t + 1) + "," +
           std::to_string(t + 1) +
           ",'{\"role\":\"assistant\",\"modelID\":\"scripted-model\",\"finish\":\"stop\",\"tokens\":{\"input\":10,"
           "\"output\":5,\"reasoning\":0,\"cache\":{\"read\":0,\"write\":0}}}')");
    w.exec("INSERT INTO part VALUES (" + sq("prt_zz" + tag + "a") + "," + sq("msg_zz" + tag + "a") + "," + s + "," +
           std::to_string(t + 1) + "," + std::to_string(t + 1) + "," +
           sq("{\"type\":\"text\",\"text\":" + json_quote(answer) + "}") + ")");
  }

  TempDir dir_;
  std::string db_;
  MemoryStore store_{"", ""};  // state only: the cursors
};

TEST_F(OpencodeAcrossNights, SecondRunNothingNewTurnOnlyWhenSettledSecretRedacted) {
  ASSERT_EQ(night(0).digests.size(), 7u);
  const HarvestOutput again = night(0);
  EXPECT_TRUE(again.digests.empty());
  EXPECT_EQ(again.count("files_unchanged"), again.count("files_seen"));

  Writer w(db_);
  add_turn(w, "1", std::string("deploy with token ") + kSecret + " please", "");
  const HarvestOutput live = night(60);  // the new prompt has no answer yet
  EXPECT_TRUE(live.digests.empty());
  EXPECT_EQ(live.count("turns_held_back"), 1);

  add_turn(w, "1b", "", "Deployed.");
  const HarvestOutput next = night(60);
  ASSERT_EQ(next.digests.size(), 1u);
  const SessionDigest& d = next.digests[0];
  ASSERT_EQ(d.user_prompts.size(), 1u) << to_json(d);
  EXPECT_NE(d.user_prompts[0].find("deploy with token"), std::string::npos);
  EXPECT_EQ(to_json(d).find(kSecret), std::string::npos) << "the planted secret is in a digest";
  ASSERT_FALSE(d.assistant_finals.empty());
  EXPECT_EQ(d.assistant_finals.back(), "Deployed.");
  EXPECT_EQ(d.usage.input, 10);
  EXPECT_TRUE(night(0).digests.empty());
}

TEST_F(OpencodeAcrossNights, LockedDatabaseIsSkippedAndKeepsItsCursors) {
  ASSERT_EQ(night(0).digests.size(), 7u);
  Writer w(db_);
  add_turn(w, "2", "one more thing", "Done.");
  w.exec("BEGIN EXCLUSIVE");  // the fixture is in rollback-journal mode: readers must wait
  const HarvestOutput locked = night(0, 100);
  EXPECT_TRUE(locked.digests.empty());
  EXPECT_EQ(locked.count("files_skipped_unreadable"), 1);
  EXPECT_EQ(locked.count("files_unchanged"), 8) << "every known session keeps its cursor";
  w.exec("COMMIT");
  const HarvestOutput after = night(0);
  ASSERT_EQ(after.digests.size(), 1u) << "only the new turn, not the whole database again";
  EXPECT_EQ(after.digests[0].user_prompts, std::vector<std::string>{"one more thing"});
}

}  // namespace
}  // namespace skillpipe::testing
