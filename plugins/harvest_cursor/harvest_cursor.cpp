// harvest_cursor - Cursor conversations -> SessionDigests: the composers in
// <User>/globalStorage/state.vscdb (SQLite, read-only) and the agent transcripts under
// ~/.cursor/projects/<slug>/agent-transcripts/. The format is docs/formats/cursor.md, learned
// from public readers and a fixture built from that schema (tests/data/agents/cursor-schema-2026):
// Cursor is closed, not on npm and needs a login, so no release could be run or read.
//
// Each composer is a "file" to the SDK's driver (harvest_sqlite); its cursor counts the bubbles
// read. Only the format lives here; cursors, hold-back, caps and redaction are the SDK's.
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "cursor_composer.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/plugin.hpp"

namespace skillpipe {
namespace {

using harvest::JsonView;
namespace sql = harvest::sqlite;
namespace fs = std::filesystem;

const char* const kSchemaJson =
    "{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"title\":\"harvest_cursor\","
    "\"description\":\"Cursor composers in <home>/globalStorage/state.vscdb (default home ~/.config/Cursor/User) "
    "and agent transcripts under `transcripts`\","
    "\"type\":\"object\",\"additionalProperties\":false,\"properties\":{" SKILLPIPE_HARVEST_SCHEMA_PROPERTIES_HOME("~/.config/Cursor/User")
    ",\"transcripts\":{\"type\":\"string\",\"description\":\"Cursor's projects folder with agent-transcripts "
    "(default ~/.cursor/projects, or <your home>/.cursor/projects when home is under it)\"}}}";

constexpr std::string_view kUserDir = "/.config/Cursor/User";

// file:///tmp/a%20b -> /tmp/a b
std::string path_of_uri(std::string_view uri) {
  if (!uri.starts_with("file://")) return {};
  uri.remove_prefix(7);
  std::string out;
  for (std::size_t i = 0; i < uri.size(); ++i) {
    if (uri[i] == '%' && i + 2 < uri.size()) {
      const std::string hex(uri.substr(i + 1, 2));
      out += static_cast<char>(std::strtol(hex.c_str(), nullptr, 16));
      i += 2;
    } else {
      out += uri[i];
    }
  }
  return out;
}

std::string json_string_at(const std::string& text, std::string_view key) {
  const JsonView v = JsonView::parse(text)[key];
  return v.is_string() ? v.str() : std::string();
}

class CursorHarvester final : public harvest::HarvesterBase {
 protected:
  std::string_view source() const override { return "cursor"; }
  std::string_view default_home() const override { return "~/.config/Cursor/User"; }

  void configure_more(const Config& config, Context&) override {
    const std::string& home = options().home;
    const bool under_user_home = home.size() > kUserDir.size() && home.ends_with(kUserDir);
    transcripts_ = expand_path(config.get_string(
        "transcripts", under_user_home ? home.substr(0, home.size() - kUserDir.size()) + "/.cursor/projects"
                                       : std::string("~/.cursor/projects")));
  }

  harvest::Candidates find_files(Context& ctx) override;

  harvest::FileResult parse(const harvest::FileJob& job) const override {
    if (job.file.path.ends_with(".jsonl")) {
      const fs::path p(job.file.path);  // <projects>/<slug>/agent-transcripts/<id>/<id>.jsonl
      auto it = slug_projects_.find(p.parent_path().parent_path().parent_path().filename().string());
      return cursor::read_transcript(job, options(), it == slug_projects_.end() ? std::string() : it->second);
    }
    const std::string id = sql::conversation_id(job.file.path);
    if (sub_composers_.count(id)) {
      harvest::FileResult r;
      r.end_offset = job.offset;
      r.skip_reason = "subagent";  // its parent composer's work
      return r;
    }
    auto it = composer_projects_.find(id);
    return cursor::read_composer(job, options(), it == composer_projects_.end() ? std::string() : it->second);
  }

 private:
  void index_workspaces();
  void list_composers(Context& ctx, harvest::Candidates& out);
  void list_transcripts(harvest::Candidates& out);

  std::string transcripts_;
  std::map<std::string, std::string, std::less<>> workspace_folders_;  // workspace id -> folder
  std::map<std::string, std::string, std::less<>> composer_projects_;  // composer id -> folder
  std::map<std::string, std::string, std::less<>> slug_projects_;      // projects/<slug> -> folder
  std::set<std::string> sub_composers_;
};

harvest::Candidates CursorHarvester::find_files(Context& ctx) {
  harvest::Candidates out;
  index_workspaces();
  list_composers(ctx, out);
  list_transcripts(out);
  return out;
}

// workspaceStorage/<id>/workspace.json names the folder; its state.vscdb lists its composers.
void CursorHarvester::index_workspaces() {
  workspace_folders_.clear();
  composer_projects_.clear();
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(options().home + "/workspaceStorage", ec)) {
    const auto json = read_file(e.path().string() + "/workspace.json");
    if (!json) continue;
    std::string folder = path_of_uri(json_string_at(*json, "folder"));
    if (folder.empty()) folder = path_of_uri(json_string_at(*json, "workspace"));
    if (folder.empty()) continue;
    workspace_folders_[e.path().filename().string()] = folder;
    sql::Db db(e.path().string() + "/state.vscdb");
    sql::Stmt q(db, "SELECT value FROM ItemTable WHERE key = 'composer.composerData'");
    if (!q.step()) continue;
    const std::string value(q.text(0));
    const JsonView all = JsonView::parse(value)["allComposers"];
    JsonView c;
    for (auto it = all.iter(); all.is_array() && it.next(c);)
      if (const JsonView id = c["composerId"]; id.is_string()) composer_projects_[id.str()] = folder;
  }
}

// Composers of the global database: size = their bubble count, mtime = lastUpdatedAt. Newer
// databases name each composer's workspace and sub-agent composers in composerHeaders.
void CursorHarvester::list_composers(Context& ctx, harvest::Candidates& out) {
  const std::string path = options().home + "/globalStorage/state.vscdb";
  const auto file = harvest::stat_file(path);
  if (!file) return;
  sql::Db db(path);
  sub_composers_.clear();
  if (db.has_table("composerHeaders")) {
    sql::Stmt h(db, "SELECT composerId, workspaceId, isSubagent FROM composerHeaders");
    while (h.step()) {
      const std::string id(h.text(0));
      if (auto it = workspace_folders_.find(h.text(1)); it != workspace_folders_.end()) composer_projects_[id] = it->second;
      if (h.integer(2)) sub_composers_.insert(id);
    }
  }
  sql::Stmt q(db, "SELECT substr(key, 14), value FROM cursorDiskKV WHERE key LIKE 'composerData:%'");
  while (q.step()) {
    const std::string value(q.text(1));
    JsonView f[4];
    JsonView::parse(value).get({"lastUpdatedAt", "fullConversationHeadersOnly", "conversation", "subComposerIds"}, f);
    std::int64_t n = 0;
    JsonView item;
    const JsonView& list = f[1].is_array() ? f[1] : f[2];
    for (auto it = list.iter(); list.is_array() && it.next(item);) ++n;
    for (auto it = f[3].iter(); f[3].is_array() && it.next(item);)
      if (item.is_string()) sub_composers_.insert(item.str());
    out.files.push_back(sql::conversation_file(*file, q.text(0), n, f[0].as_int()));
  }
  if (db.locked()) {
    harvest::Candidates kept = sql::keep_known(ctx, *file, db.error());
    out.files = std::move(kept.files);
    out.skipped.insert(out.skipped.end(), kept.skipped.begin(), kept.skipped.end());
  } else if (!db.ok()) {
    out.skipped.push_back({path, harvest::FileProblem::kUnreadable, db.error()});
  }
}

// <projects>/<slug>/agent-transcripts/<id>/<id>.jsonl; the folder is in <slug>/.workspace-trusted.
void CursorHarvester::list_transcripts(harvest::Candidates& out) {
  slug_projects_.clear();
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(transcripts_, ec))
    if (auto json = read_file(e.path().string() + "/.workspace-trusted"))
      if (std::string p = json_string_at(*json, "workspacePath"); !p.empty()) slug_projects_[e.path().filename().string()] = p;
  harvest::Candidates found = harvest::walk_files(
      transcripts_,
      [](std::string_view name, std::string_view path) {
        return name.ends_with(".jsonl") && path.find("/agent-transcripts/") != std::string_view::npos;
      },
      [](std::string_view name, std::string_view) { return name != "subagents"; });
  for (auto& f : found.files) out.files.push_back(std::move(f));
  for (auto& s : found.skipped) out.skipped.push_back(std::move(s));
  out.dirs_unreadable += found.dirs_unreadable;
}

}  // namespace
}  // namespace skillpipe

SKILLPIPE_PLUGIN(skillpipe::StageKind::kHarvester, "1.0.0",
                 "Cursor composers (~/.config/Cursor/User/globalStorage/state.vscdb, read-only) and agent transcripts "
                 "(~/.cursor/projects) -> session digests; format from public readers, not a pinned release",
                 skillpipe::kSchemaJson,
                 [] { return std::unique_ptr<skillpipe::StageBase>(new skillpipe::CursorHarvester); });
