// gemini_format.cpp - Gemini CLI session files -> SessionDigest (see gemini_format.hpp).
//
// Only the fields a digest needs are decoded; tool results and thoughts are skipped by
// JsonView without building a DOM. run_harvest() does cursors, filters and redaction.
#include "gemini_format.hpp"

#include <filesystem>
#include <set>

#include "skillpipe/kit/util.hpp"

namespace gemini {

using skillpipe::SessionDigest;
using skillpipe::harvest::FileJob;
using skillpipe::harvest::FileResult;
using skillpipe::harvest::JsonView;
using skillpipe::harvest::LineReader;
using skillpipe::harvest::Options;

std::string project_hash(const std::string& dir) { return skillpipe::sha256_hex(dir); }

ProjectIndex index_projects(const std::vector<std::string>& dirs) {
  ProjectIndex out;
  for (const auto& d0 : dirs) {
    // A project and its parents: a chat started one level up still belongs to the project.
    for (std::filesystem::path p = std::filesystem::path(d0).lexically_normal(); !p.empty();) {
      std::string s = p.string();
      while (s.size() > 1 && s.back() == '/') s.pop_back();
      out.emplace(project_hash(s), s);
      if (p == p.root_path() || !p.has_parent_path()) break;
      p = p.parent_path();
    }
  }
  return out;
}

namespace {

// Tools that change files; their `file_path` argument is a file the session touched.
const std::set<std::string, std::less<>> kWriteTools = {"write_file", "replace", "edit"};

std::string text_of(const JsonView& v, std::int64_t* repairs) {
  if (v.is_string()) return v.str(repairs);
  std::string out;
  if (v.is_array()) {
    auto it = v.iter();
    JsonView part;
    while (it.next(part)) {
      JsonView t = part.is_object() ? part["text"] : part;
      if (!t.is_string()) continue;
      if (!out.empty()) out += "\n";
      t.append_str(out, repairs);
    }
  } else if (v.is_object()) {
    if (JsonView t = v["text"]; t.is_string()) return t.str(repairs);
  }
  return out;
}

// Builds one digest from the messages of one file that were not harvested before.
class Session {
 public:
  Session(const FileJob& job, FileResult& r) : job_(job), r_(r) {
    d_.source = "gemini";
    d_.raw_path = job.file.path;
  }

  void header(const JsonView& v) {
    JsonView f[3];
    v.get({"sessionId", "projectHash", "startTime"}, f);
    if (f[0].is_string()) d_.session_id = f[0].str();
    if (f[1].is_string()) hash_ = f[1].str();
  }

  void message(const JsonView& m) {
    JsonView f[6];
    m.get({"type", "content", "timestamp", "toolCalls", "tokens", "model"}, f);
    if (!f[0].is_string()) {
      ++r_.counts["messages_malformed"];
      return;
    }
    const auto ms = skillpipe::parse_iso8601_ms(f[2].is_string() ? f[2].str() : std::string());
    if (job_.cutoff_ms > 0 && ms && *ms < job_.cutoff_ms) {
      ++r_.counts["messages_before_window"];
      return;
    }
    if (ms) {
      if (first_ms_ == 0 || *ms < first_ms_) first_ms_ = *ms;
      if (*ms > last_ms_) last_ms_ = *ms;
    }
    if (f[0].str_eq("user")) {
      std::string text = skillpipe::trim(text_of(f[1], &repairs_));
      if (text.empty()) return;
      if (text[0] == '/') {  // /chat, /memory, /quit...: commands to the CLI, not work
        ++r_.counts["slash_commands"];
        return;
      }
      close_turn();
      d_.user_prompts.push_back(std::move(text));
      ++d_.n_user_turns;
    } else if (f[0].str_eq("gemini")) {
      ++d_.n_assistant_turns;
      std::string text = skillpipe::trim(text_of(f[1], &repairs_));
      if (!text.empty()) answer_ = std::move(text);
      tools(f[3]);
      if (f[4].is_object()) {
        JsonView t[4];
        f[4].get({"input", "output", "cached", "thoughts"}, t);
        d_.usage.input += t[0].as_int();
        d_.usage.output += t[1].as_int() + t[3].as_int();
        d_.usage.cache_read += t[2].as_int();
      }
      if (f[5].is_string()) d_.model = f[5].str();
    } else {
      ++r_.counts["messages_" + f[0].str()];  // info, error, warning: the CLI talking
    }
  }

  // The digest, or nothing when no new prompt was found.
  void finish(const ProjectIndex& projects) {
    close_turn();
    if (repairs_) r_.counts["utf8_repairs"] += repairs_;
    if (d_.user_prompts.empty() && d_.assistant_finals.empty()) return;
    if (d_.session_id.empty()) d_.session_id = std::filesystem::path(job_.file.path).stem().string();
    if (auto it = projects.find(hash_); it != projects.end()) {
      d_.project = it->second;
    } else {
      // Gemini keeps only a hash of the directory; name it so a person can still match it.
      d_.project = "gemini:" + hash_;
      ++r_.counts["projects_unresolved"];
    }
    d_.attrs["project_hash"] = hash_;
    if (first_ms_) d_.started_at = skillpipe::format_iso8601_s(first_ms_);
    if (last_ms_) d_.ended_at = skillpipe::format_iso8601_s(last_ms_);
    r_.digests.push_back(std::move(d_));
  }

  const std::string& hash() const { return hash_; }
  void set_hash(std::string h) { hash_ = std::move(h); }
  void set_session_id(std::string id) { d_.session_id = std::move(id); }
  const std::string& session_id() const { return d_.session_id; }

 private:
  void close_turn() {
    if (!answer_.empty()) d_.assistant_finals.push_back(std::move(answer_));
    answer_.clear();
  }

  void tools(const JsonView& calls) {
    if (!calls.is_array()) return;
    auto it = calls.iter();
    JsonView call;
    while (it.next(call)) {
      JsonView c[2];
      call.get({"name", "args"}, c);
      if (!c[0].is_string()) continue;
      const std::string name = c[0].str();
      skillpipe::harvest::add_tool(d_.tools, name);
      if (kWriteTools.count(name) && c[1].is_object())
        if (JsonView p = c[1]["file_path"]; p.is_string()) skillpipe::harvest::add_unique(d_.files_touched, p.str());
    }
  }

  const FileJob& job_;
  FileResult& r_;
  SessionDigest d_;
  std::string hash_;
  std::string answer_;
  std::int64_t first_ms_ = 0;
  std::int64_t last_ms_ = 0;
  std::int64_t repairs_ = 0;
};

std::size_t state_count(const FileJob& job, const char* key) {
  auto it = job.state.find(key);
  if (it == job.state.end()) return 0;
  try {
    return static_cast<std::size_t>(std::stoull(it->second));
  } catch (...) {
    return 0;
  }
}

// The whole document is re-read each time it changes (Gemini rewrites it); the cursor
// state remembers how many messages earlier runs already harvested.
FileResult parse_document(const FileJob& job, const ProjectIndex& projects, std::size_t max_bytes) {
  FileResult r;
  if (static_cast<std::size_t>(job.file.size) > max_bytes) {
    r.skip_reason = "oversize_document";
    r.end_offset = job.file.size;
    return r;
  }
  auto text = skillpipe::read_file(job.file.path);
  if (!text) {
    r.error = "cannot read the file";
    return r;
  }
  const JsonView doc = JsonView::parse(*text);
  if (!doc.is_object()) {
    // Usually a rewrite caught half way; the unchanged cursor makes the next run retry.
    r.error = "not a complete JSON document (being rewritten?)";
    return r;
  }
  Session s(job, r);
  s.header(doc);
  const JsonView messages = doc["messages"];
  std::size_t seen = state_count(job, "messages");
  std::size_t n = 0;
  if (messages.is_array()) {
    auto it = messages.iter();
    JsonView m;
    while (it.next(m)) ++n;
  }
  if (seen > n) {  // the chat was rewound: start over
    ++r.counts["sessions_rewound"];
    seen = 0;
  }
  if (messages.is_array()) {
    auto it = messages.iter();
    JsonView m;
    for (std::size_t i = 0; it.next(m); ++i)
      if (i >= seen) s.message(m);
  }
  s.finish(projects);
  r.state["messages"] = std::to_string(n);
  r.end_offset = static_cast<std::int64_t>(text->size());
  return r;
}

// JSONL: a header line, message lines and {"$set": {...}} patches, read from the cursor.
FileResult parse_lines(const FileJob& job, const Options& options, const ProjectIndex& projects) {
  FileResult r;
  LineReader reader(options.max_line_bytes);
  std::string err;
  if (!reader.open(job.file.path, job.file.zstd, job.offset, &err)) {
    r.error = err;
    return r;
  }
  if (reader.short_of_offset()) {
    r.offset_beyond_end = true;
    return r;
  }
  Session s(job, r);
  if (auto it = job.state.find("session_id"); it != job.state.end()) s.set_session_id(it->second);
  if (auto it = job.state.find("project_hash"); it != job.state.end()) s.set_hash(it->second);
  std::set<std::string> ids;  // a message line written twice counts once
  skillpipe::harvest::Line line;
  while (reader.next(line)) {
    if (!line.terminated) break;  // still being written: not consumed, read next time
    const JsonView v = JsonView::parse(line.text);
    if (!v.is_object()) {
      ++r.counts["bad_lines"];
      continue;
    }
    JsonView f[4];
    v.get({"type", "$set", "sessionId", "id"}, f);
    if (f[0].valid()) {
      if (f[3].is_string() && !ids.insert(f[3].str()).second) {
        ++r.counts["messages_duplicate"];
        continue;
      }
      s.message(v);
    } else if (f[1].is_object()) {
      ++r.counts["patches"];
      if (JsonView h = f[1]["projectHash"]; h.is_string()) s.set_hash(h.str());
    } else if (f[2].valid()) {
      s.header(v);
    } else {
      ++r.counts["records_unknown"];
    }
  }
  if (reader.oversize_lines()) r.counts["lines_oversize"] += reader.oversize_lines();
  if (!reader.read_error().empty()) {
    r.error = reader.read_error();
    return r;
  }
  r.state["session_id"] = s.session_id();
  r.state["project_hash"] = s.hash();
  s.finish(projects);
  r.end_offset = reader.end_offset();
  return r;
}

}  // namespace

FileResult parse_file(const FileJob& job, const Options& options, const ProjectIndex& projects,
                      std::size_t max_document_bytes) {
  const std::string& p = job.file.path;
  if (skillpipe::ends_with(p, ".jsonl") || skillpipe::ends_with(p, ".jsonl.zst"))
    return parse_lines(job, options, projects);
  return parse_document(job, projects, max_document_bytes);
}

}  // namespace gemini
