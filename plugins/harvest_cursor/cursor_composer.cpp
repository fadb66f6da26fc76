// cursor_composer.cpp - one Cursor composer (a conversation in globalStorage/state.vscdb) ->
// SessionBuilder calls. Shapes (docs/formats/cursor.md, from public readers): composer `_v`
// 10 lists its bubbles in fullConversationHeadersOnly[] with one `bubbleId:<composer>:<bubble>`
// row each; older composers keep them inline in conversation[]. Only cursorDiskKV rows under
// composerData:/bubbleId: are ever read (ItemTable holds the user's auth tokens).
#include "cursor_composer.hpp"

#include "skillpipe/kit/util.hpp"

namespace skillpipe::cursor {

using harvest::JsonView;
namespace sql = harvest::sqlite;

namespace {

std::string str_of(const JsonView& v) { return v.is_string() ? v.str() : std::string(); }

// Tools that write the file named by target_file (edit_file, edit_file_v2, search_replace, ...).
bool writes_file(std::string_view tool) {
  return tool.starts_with("edit_file") || tool == "search_replace" || tool == "write" || tool == "delete_file";
}

class BubbleReader {
 public:
  explicit BubbleReader(harvest::SessionBuilder& s) : s_(s) {}

  void bubble(const JsonView& b, std::int64_t index) {
    JsonView f[6];
    b.get({"type", "text", "createdAt", "bubbleId", "tokenCount", "toolFormerData"}, f);
    const auto ms = f[2].is_string() ? parse_iso8601_ms(f[2].str_raw()) : std::nullopt;
    if (!s_.at(ms.value_or(0))) return;
    const std::string text = trim(str_of(f[1]));
    if (f[0].as_int() == 1) {
      if (!text.empty()) s_.prompt(text, index);
      return;
    }
    if (f[0].as_int() != 2) {
      ++s_.counts()["unknown_records"];
      return;
    }
    s_.answered();
    if (!text.empty()) s_.answer_text(text, str_of(f[3]));
    JsonView t[2];
    if (f[4].is_object() && f[4].get({"inputTokens", "outputTokens"}, t) && (t[0].as_int() || t[1].as_int()))
      s_.add_usage(TokenUsage{t[0].as_int(), t[1].as_int(), 0, 0}, str_of(f[3]));
    if (f[5].is_object()) tool(f[5]);
  }

 private:
  // status: completed (ok; a terminal command also reports its exitCode), error / failed,
  // cancelled, or loading / running / pending while the call runs (no result yet).
  void tool(const JsonView& t) {
    JsonView f[5];
    t.get({"name", "toolCallId", "status", "rawArgs", "result"}, f);
    const std::string name = str_of(f[0]);
    const harvest::CallRef ref = s_.tool_call(name, f[1].is_string() ? f[1].str_raw() : std::string_view());
    if (ref.id == 0) return;
    const std::string raw_args = str_of(f[3]);  // JSON inside a JSON string
    const JsonView args = JsonView::parse(raw_args);
    if (args.is_object()) {
      if (name == "run_terminal_cmd") s_.command(ref, str_of(args["command"]));
      else if (writes_file(name) || name == "read_file") s_.file_touched(str_of(args["target_file"]));
    }
    const std::string status = str_of(f[2]);
    if (status == "loading" || status == "running" || status == "pending" || status.empty()) return;
    const std::string raw_result = str_of(f[4]);
    const JsonView exit = JsonView::parse(raw_result)["exitCode"];
    const std::optional<int> code =
        exit.type() == JsonView::Type::kNumber ? std::optional<int>(static_cast<int>(exit.as_int())) : std::nullopt;
    s_.tool_result(ref, status != "completed" || (code && *code != 0), code);
    if (status == "cancelled") s_.interrupted();
  }

  harvest::SessionBuilder& s_;
};

// The composer's bubbles from `from` on, in conversation order; returns how many it has.
std::int64_t read_bubbles(sql::Db& db, const std::string& id, const JsonView& composer, std::int64_t from,
                          BubbleReader& reader, harvest::SessionBuilder& s) {
  std::int64_t i = 0;
  JsonView item;
  if (const JsonView inline_list = composer["conversation"]; inline_list.is_array()) {
    for (auto it = inline_list.iter(); it.next(item); ++i)
      if (i >= from && item.is_object()) reader.bubble(item, i);
    return i;
  }
  const JsonView headers = composer["fullConversationHeadersOnly"];
  sql::Stmt q(db, "SELECT value FROM cursorDiskKV WHERE key = ?");
  for (auto it = headers.iter(); headers.is_array() && it.next(item); ++i) {
    if (i < from) continue;
    q.reset();
    q.bind(1, "bubbleId:" + id + ":" + str_of(item["bubbleId"]));
    if (!q.step()) {
      ++s.counts()["bubbles_missing"];
      continue;
    }
    const std::string value(q.text(0));
    const JsonView b = JsonView::parse(value);
    if (b.is_object()) reader.bubble(b, i);
    else ++s.counts()["bubbles_empty"];  // a JSON null row: nothing was kept for it
  }
  return i;
}

}  // namespace

harvest::FileResult read_composer(const harvest::FileJob& job, const harvest::Options& o, const std::string& project) {
  harvest::FileResult r;
  r.end_offset = job.offset;
  sql::Db db(sql::database_of(job.file.path));
  const std::string id(sql::conversation_id(job.file.path));
  sql::Stmt q(db, "SELECT value FROM cursorDiskKV WHERE key = ?");
  q.bind(1, "composerData:" + id);
  if (!q.step()) {
    r.error = db.ok() ? "composer " + id + " is gone" : db.error();
    return r;
  }
  const std::string value(q.text(0));
  const JsonView composer = JsonView::parse(value);
  if (!composer.is_object()) {
    r.error = "composerData:" + id + " is not a JSON object";
    return r;
  }
  harvest::SessionBuilder s(job, o, "cursor");
  s.session_id(id);
  if (!project.empty() && !s.project(project)) {
    r.skip_reason = "out_of_scope";
    return r;
  }
  if (const JsonView m = composer["modelConfig"]["modelName"]; m.is_string()) s.model(m.str());
  BubbleReader reader(s);
  const std::int64_t n = read_bubbles(db, id, composer, job.offset, reader, s);
  if (!db.ok()) {
    r.error = db.error();
    return r;
  }
  // The composer's status says how its last turn ended (generating = still running).
  const JsonView status = composer["status"];
  if (status.str_eq("completed")) s.turn_finished();
  else if (status.str_eq("error")) s.api_error(true);
  else if (status.str_eq("aborted")) s.interrupted();
  s.build(r, n);
  for (auto& [k, v] : s.counts())
    if (v) r.counts[k] += v;
  return r;
}

}  // namespace skillpipe::cursor
