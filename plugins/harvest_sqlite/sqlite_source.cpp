// sqlite_source.cpp - read-only SQLite access and conversation "files" (see sqlite_source.hpp).
#include "sqlite_source.hpp"

#include <sqlite3.h>

#include "skillpipe/store.hpp"

namespace skillpipe::harvest::sqlite {

Db::Db(const std::string& path, int busy_ms) : path_(path) {
  const int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    fail(rc, "open");
    return;
  }
  sqlite3_busy_timeout(db_, busy_ms);
}

Db::~Db() {
  if (db_) sqlite3_close_v2(db_);
}

void Db::fail(int rc, std::string_view what) {
  if (!error_.empty()) return;
  locked_ = rc == SQLITE_BUSY || rc == SQLITE_LOCKED;
  error_ = locked_ ? "the database is locked for writing (the agent is busy with it); read next run"
                   : std::string(what) + ": " + (db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
}

bool Db::has_table(std::string_view name) {
  Stmt s(*this, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  s.bind(1, name);
  return s.step();
}

Stmt::Stmt(Db& db, const char* sql) : db_(db) {
  if (!db.handle()) return;
  const int rc = sqlite3_prepare_v2(db.handle(), sql, -1, &st_, nullptr);
  if (rc != SQLITE_OK) {
    db.fail(rc, std::string("query `") + sql + "`");
    sqlite3_finalize(st_);
    st_ = nullptr;
  }
}

Stmt::~Stmt() { sqlite3_finalize(st_); }

void Stmt::bind(int i, std::string_view text) {
  if (st_) sqlite3_bind_text(st_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
}

void Stmt::bind(int i, std::int64_t v) {
  if (st_) sqlite3_bind_int64(st_, i, v);
}

bool Stmt::step() {
  if (!st_) return false;
  const int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) db_.fail(rc, "read");
  return false;
}

void Stmt::reset() {
  if (!st_) return;
  sqlite3_reset(st_);
  sqlite3_clear_bindings(st_);
}

std::string_view Stmt::text(int col) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st_, col));
  return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(st_, col))) : std::string_view();
}

std::int64_t Stmt::integer(int col) { return sqlite3_column_int64(st_, col); }

bool Stmt::is_null(int col) { return sqlite3_column_type(st_, col) == SQLITE_NULL; }

// Ids such as "ses_db632aa94ffeDSY2iT5VhjlgCG" look like tokens to redact_path(), which would
// store their cursors under a hash that keep_known() cannot match: a '.' every 8 characters
// keeps them readable (the ids of OpenCode and Cursor hold no '.').
FileInfo conversation_file(const FileInfo& db, std::string_view id, std::int64_t size, std::int64_t updated_ms) {
  FileInfo f = db;
  f.path = db.path + "#";
  for (std::size_t i = 0; i < id.size(); i += 8) f.path += (i ? "." : "") + std::string(id.substr(i, 8));
  f.key = f.path;
  f.size = size;
  f.mtime_ns = updated_ms * 1000000;
  f.zstd = false;
  return f;
}

std::string conversation_id(std::string_view path) {
  const std::size_t at = path.rfind('#');
  std::string id;
  if (at != std::string_view::npos)
    for (char c : path.substr(at + 1))
      if (c != '.') id += c;
  return id;
}

std::string database_of(std::string_view path) { return std::string(path.substr(0, path.rfind('#'))); }

Candidates keep_known(Context& ctx, const FileInfo& db, std::string why) {
  Candidates out;
  out.skipped.push_back({db.path, FileProblem::kUnreadable, std::move(why)});
  Store* store = ctx.store();
  if (!store) return out;
  const auto json = store->get_state("harvest.cursors." + ctx.stage_id());
  if (!json) return out;
  const std::string prefix = db.path + "#";
  for (const auto& [key, c] : cursors_from_json(*json)) {
    if (!key.starts_with(prefix) || c.path != key) continue;
    FileInfo f;
    f.path = f.key = key;
    f.dev = c.dev;
    f.inode = c.inode;
    f.size = c.size;
    f.mtime_ns = c.mtime_ns;
    out.files.push_back(std::move(f));
  }
  return out;
}

}  // namespace skillpipe::harvest::sqlite
