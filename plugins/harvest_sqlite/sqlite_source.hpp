// sqlite_source.hpp - what the harvesters of SQLite sources share (harvest_opencode,
// harvest_cursor): a read-only connection that never waits long for a writer, prepared
// statements, and conversations presented to the SDK's driver as "files" so its per-file
// cursors, window, cap, threads and redaction work unchanged.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "skillpipe/kit/harvest.hpp"
#include "skillpipe/stage.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace skillpipe::harvest::sqlite {

// A read-only connection (SQLITE_OPEN_READONLY, never `immutable`: the agent may be writing
// right now). A writer's lock is waited for at most `busy_ms`, then the read fails as locked.
class Db {
 public:
  explicit Db(const std::string& path, int busy_ms = 2000);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  bool ok() const { return db_ != nullptr && error_.empty(); }
  const std::string& error() const { return error_; }
  bool locked() const { return locked_; }  // the last error was SQLITE_BUSY / SQLITE_LOCKED
  bool has_table(std::string_view name);
  sqlite3* handle() { return db_; }
  void fail(int rc, std::string_view what);  // records an error (used by Stmt)

 private:
  sqlite3* db_ = nullptr;
  std::string path_, error_;
  bool locked_ = false;
};

// One prepared statement. A failed prepare or step sets the Db's error; step() then returns false.
class Stmt {
 public:
  Stmt(Db& db, const char* sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  void bind(int i, std::string_view text);
  void bind(int i, std::int64_t v);
  bool step();  // true: a row is ready
  void reset();  // to run again with new bindings
  std::string_view text(int col);  // "" for NULL; valid until the next step
  std::int64_t integer(int col);
  bool is_null(int col);

 private:
  Db& db_;
  sqlite3_stmt* st_ = nullptr;
};

// A conversation stored in database `db` (stat'ed) as a file for run_harvest(): path and key
// "<db path>#<id, a '.' every 8 characters>" (ids must hold no '.'), the database's dev/inode, `size` a count that grows with the conversation
// (its messages), mtime its last update. A parser's offsets are then positions in the
// conversation (a message time), not bytes.
FileInfo conversation_file(const FileInfo& db, std::string_view id, std::int64_t size, std::int64_t updated_ms);
std::string conversation_id(std::string_view path);         // after the last '#'
std::string database_of(std::string_view path);             // before it

// When the database cannot be read this run (locked by a writer), the conversations the
// cursors know are presented unchanged, so the driver keeps their cursors instead of
// forgetting them; the database is named once as skipped with `why`.
Candidates keep_known(Context& ctx, const FileInfo& db, std::string why);

}  // namespace skillpipe::harvest::sqlite
