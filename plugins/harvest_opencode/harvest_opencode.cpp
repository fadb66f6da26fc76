// harvest_opencode - OpenCode sessions (<home>/opencode.db, SQLite) -> SessionDigests. Format:
// docs/formats/opencode.md (checked against opencode-ai 1.18.33 and sessions recorded with it,
// tests/data/agents/opencode-1.18.33/).
//
// Each root session is presented to the SDK's driver as a "file" (harvest_sqlite): its cursor
// holds the time of the first message not read yet, so a second harvest reads nothing and a
// continued session only its new messages. Only the format lives here; cursors, hold-back,
// caps, outcome bookkeeping and redaction are the SDK's (skillpipe/kit/harvester.hpp).
#include <spdlog/spdlog.h>

#include <filesystem>

#include "skillpipe/kit/harvester.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/plugin.hpp"
#include "sqlite_source.hpp"

namespace skillpipe {
namespace {

using harvest::JsonView;
namespace sql = harvest::sqlite;

const char* const kSchemaJson =
    "{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"title\":\"harvest_opencode\","
    "\"description\":\"OpenCode sessions in <home>/opencode.db (default home ~/.local/share/opencode)\","
    "\"type\":\"object\",\"additionalProperties\":false,\"properties\":{" SKILLPIPE_HARVEST_SCHEMA_PROPERTIES_HOME("~/.local/share/opencode")
    ",\"database\":{\"type\":\"string\",\"description\":\"the database, relative to home (default opencode.db; "
    "other release channels write opencode-<channel>.db)\"},"
    "\"busy_timeout_ms\":{\"type\":\"integer\",\"minimum\":0,\"description\":\"how long to wait for a writer's "
    "lock before the database is skipped for this run (default 2000)\"}}}";

std::string str_of(const JsonView& v) { return v.is_string() ? v.str() : std::string(); }

// `opencode run "two words"` stores "\"two words\"": the run command quotes every argument
// that holds a space. A prompt that is one such quoted argument is given back as typed.
std::string unquote_run_argument(std::string text) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    const std::string_view inner = std::string_view(text).substr(1, text.size() - 2);
    if (inner.find(' ') != std::string_view::npos && inner.find('"') == std::string_view::npos) return std::string(inner);
  }
  return text;
}

// One session's messages (ordered by time, id) with their parts (ordered by id) -> the builder.
class SessionReader {
 public:
  explicit SessionReader(harvest::SessionBuilder& s) : s_(s) {}

  // Returns false when the message is before the first-read window (its parts are skipped).
  bool begin(std::string_view id, std::int64_t created_ms, const std::string& data) {
    data_ = data;
    msg_ = JsonView::parse(data_);
    id_ = std::string(id);
    prompt_.clear();
    if (!msg_.is_object() || !s_.at(created_ms)) return false;
    offset_ = created_ms;
    user_ = msg_["role"].str_eq("user");
    if (!user_) assistant_begin();
    return true;
  }

  void part(const std::string& data) {
    const JsonView p = JsonView::parse(data);
    if (!p.is_object()) {
      ++s_.counts()["bad_records"];
      return;
    }
    JsonView f[5];
    p.get({"type", "text", "synthetic", "ignored", "files"}, f);
    const std::string_view type = f[0].is_string() ? f[0].str_raw() : std::string_view();
    if (type == "text" && !f[2].as_bool() && !f[3].as_bool()) {
      if (user_) prompt_ += (prompt_.empty() ? "" : "\n") + str_of(f[1]);
      else if (!summary_) s_.answer_text(str_of(f[1]), id_);
    } else if (type == "tool") {
      tool(p);
    } else if (type == "patch") {
      JsonView file;
      for (auto it = f[4].iter(); f[4].is_array() && it.next(file);) s_.file_touched(str_of(file));
    } else if (type == "compaction") {
      s_.compaction();
    } else if (type == "retry") {
      s_.api_error(false);  // a failed request that was retried
    }
  }

  void end() {
    if (user_) {
      const std::string text = unquote_run_argument(trim(prompt_));
      if (!text.empty()) s_.prompt(text, offset_);
      return;
    }
    if (const JsonView e = msg_["error"]; e.is_object()) return error(e["name"]);
    // One assistant message per model step; a step that did not end in tool calls ends the turn.
    if (const JsonView fin = msg_["finish"]; fin.is_string() && !fin.str_eq("tool-calls") && !summary_)
      s_.turn_finished();
  }

 private:
  void assistant_begin() {
    JsonView f[3];
    msg_.get({"modelID", "tokens", "summary"}, f);
    s_.answered();
    summary_ = f[2].as_bool();  // a compaction summary: not an answer to the user
    if (f[0].is_string() && !f[0].str_eq(s_.model())) s_.model(f[0].str());
    if (f[1].is_object()) {
      JsonView t[3];
      f[1].get({"input", "output", "reasoning"}, t);
      const JsonView cache = f[1]["cache"];
      // input excludes cache reads (input + cache.read = the prompt); reasoning is billed output.
      s_.add_usage(TokenUsage{t[0].as_int(), t[1].as_int() + t[2].as_int(), cache["read"].as_int(),
                              cache["write"].as_int()},
                   id_);
    }
  }

  void error(const JsonView& name) {
    if (name.str_eq("MessageAbortedError")) s_.interrupted();  // the user stopped it
    else if (name.str_eq("MessageOutputLengthError")) s_.aborted();
    else if (name.str_eq("UnknownError") || name.str_eq("StructuredOutputError")) s_.turn_failed();
    else s_.api_error(true);  // APIError, ProviderAuthError, ContextOverflowError, ContentFilterError
  }

  // state.status: completed (ran; a shell command's exit code is metadata.exit), error (the
  // tool itself failed), pending/running (not settled: no result yet).
  void tool(const JsonView& p) {
    JsonView f[3];
    p.get({"tool", "callID", "state"}, f);
    const std::string name = str_of(f[0]);
    const harvest::CallRef ref = s_.tool_call(name, f[1].is_string() ? f[1].str_raw() : std::string_view());
    if (ref.id == 0) return;
    JsonView st[3];
    f[2].get({"status", "input", "metadata"}, st);
    if (st[1].is_object()) {
      if (name == "bash") s_.command(ref, str_of(st[1]["command"]));
      else if (name == "write" || name == "edit" || name == "read") s_.file_touched(str_of(st[1]["filePath"]));
      else if (name == "skill") s_.skill_used(str_of(st[1]["name"]));
      else if (name == "task") s_.subagent_call();  // its work is a child session, not read here
    }
    if (st[0].str_eq("error")) return s_.tool_result(ref, true);
    if (!st[0].str_eq("completed")) return;
    const JsonView exit = st[2]["exit"];
    const std::optional<int> code =
        exit.type() == JsonView::Type::kNumber ? std::optional<int>(static_cast<int>(exit.as_int())) : std::nullopt;
    s_.tool_result(ref, code && *code != 0, code);
  }

  harvest::SessionBuilder& s_;
  std::string data_, id_, prompt_;
  JsonView msg_;
  std::int64_t offset_ = 0;
  bool user_ = false, summary_ = false;
};

class OpencodeHarvester final : public harvest::HarvesterBase {
 protected:
  std::string_view source() const override { return "opencode"; }
  std::string_view default_home() const override { return "~/.local/share/opencode"; }

  void configure_more(const Config& config, Context&) override {
    database_ = config.get_string("database", "opencode.db");
    busy_ms_ = static_cast<int>(config.get_int("busy_timeout_ms", busy_ms_));
  }

  harvest::Candidates find_files(Context& ctx) override;
  harvest::FileResult parse(const harvest::FileJob& job) const override;

 private:
  std::string database_ = "opencode.db";
  int busy_ms_ = 2000;
};

// Every session, root or child, with a size that grows with it (its messages) and the time it
// last changed (the newest of the session's, its messages' and its parts' update times).
harvest::Candidates OpencodeHarvester::find_files(Context& ctx) {
  const std::string path = database_.starts_with("/") ? database_ : options().home + "/" + database_;
  const auto db_file = harvest::stat_file(path);
  harvest::Candidates out;
  if (!db_file) {
    std::error_code ec;
    if (std::filesystem::is_directory(options().home + "/storage/session", ec))
      ctx.logger().warn("{}/storage holds sessions of OpenCode 1.1 or older, which this harvester does not read; "
                        "starting OpenCode 1.2-1.15 once migrates them into {}", options().home, path);
    return out;
  }
  sql::Db db(path, busy_ms_);
  sql::Stmt q(db,
              "SELECT s.id, (SELECT count(*) FROM message m WHERE m.session_id = s.id), "
              "max(s.time_updated, coalesce((SELECT max(time_updated) FROM message m WHERE m.session_id = s.id), 0), "
              "coalesce((SELECT max(time_updated) FROM part p WHERE p.session_id = s.id), 0)) FROM session s");
  while (q.step()) out.files.push_back(sql::conversation_file(*db_file, q.text(0), q.integer(1), q.integer(2)));
  if (db.locked()) return sql::keep_known(ctx, *db_file, db.error());
  if (!db.ok()) out.skipped.push_back({path, harvest::FileProblem::kUnreadable, db.error()});
  return out;
}

harvest::FileResult OpencodeHarvester::parse(const harvest::FileJob& job) const {
  harvest::FileResult r;
  r.end_offset = job.offset;
  if (auto it = job.state.find("skip"); it != job.state.end() && !it->second.empty()) {
    r.skip_reason = it->second;  // a sub-agent's child session stays one
    r.state = job.state;
    return r;
  }
  sql::Db db(sql::database_of(job.file.path), busy_ms_);
  const std::string id(sql::conversation_id(job.file.path));
  sql::Stmt meta(db, "SELECT parent_id, directory, version FROM session WHERE id = ?");
  meta.bind(1, id);
  if (!meta.step()) {
    r.error = db.ok() ? "session " + id + " is gone" : db.error();
    return r;
  }
  harvest::SessionBuilder s(job, options(), source());
  s.session_id(id);
  if (!meta.is_null(0)) {
    r.skip_reason = "subagent";  // a child session: the parent's `task` call stands for it
    return r;
  }
  if (!s.project(meta.text(1))) {
    r.skip_reason = "out_of_scope";
    return r;
  }
  s.agent_version(meta.text(2));
  sql::Stmt rows(db,
                 "SELECT m.id, m.time_created, m.data, p.data FROM message m LEFT JOIN part p ON p.message_id = m.id "
                 "WHERE m.session_id = ?1 AND m.time_created >= ?2 ORDER BY m.time_created, m.id, p.id");
  rows.bind(1, id);
  rows.bind(2, job.offset);
  SessionReader reader(s);
  std::string current;
  bool reading = false;
  std::int64_t end = job.offset;
  while (rows.step()) {
    if (rows.text(0) != current) {
      if (reading) reader.end();
      current = std::string(rows.text(0));
      end = rows.integer(1) + 1;
      reading = reader.begin(current, rows.integer(1), std::string(rows.text(2)));
    }
    if (reading && !rows.is_null(3)) reader.part(std::string(rows.text(3)));
  }
  if (reading) reader.end();
  if (!db.ok()) {
    r.error = db.error();
    return r;
  }
  s.build(r, end);
  for (auto& [k, v] : s.counts())
    if (v) r.counts[k] += v;
  return r;
}

}  // namespace
}  // namespace skillpipe

SKILLPIPE_PLUGIN(skillpipe::StageKind::kHarvester, "1.0.0",
                 "OpenCode sessions (~/.local/share/opencode/opencode.db, read-only) -> session digests: prompts, "
                 "finals, tools, shell commands with exit codes, API errors, tokens; cursors, redaction, filters",
                 skillpipe::kSchemaJson,
                 [] { return std::unique_ptr<skillpipe::StageBase>(new skillpipe::OpencodeHarvester); });
