// gemini_format.cpp - Gemini CLI session files -> SessionDigest (see gemini_format.hpp).
//
// One function turns a message into session-builder calls; the .jsonl files are read by the
// SDK's LineParser (cursor, torn tail, caps, counters), the .json documents whole.
#include "gemini_format.hpp"

#include <filesystem>
#include <set>

#include "skillpipe/kit/util.hpp"

namespace gemini {

using skillpipe::harvest::FileJob;
using skillpipe::harvest::FileResult;
using skillpipe::harvest::JsonView;
using skillpipe::harvest::Options;
using skillpipe::harvest::SessionBuilder;

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

std::string text_of(const JsonView& v) {
  if (v.is_string()) return v.str();
  if (v.is_object()) return v["text"].is_string() ? v["text"].str() : std::string();
  std::string out;
  if (!v.is_array()) return out;
  auto it = v.iter();
  JsonView part;
  while (it.next(part)) {
    JsonView t = part.is_object() ? part["text"] : part;
    if (!t.is_string()) continue;
    if (!out.empty()) out += "\n";
    t.append_str(out);
  }
  return out;
}

// What one file says beyond its messages: the project (by hash), for the session builder.
struct Header {
  const ProjectIndex& projects;
  bool in_scope = true;
  // Names the project; false when it is out of the run's scope.
  bool project(SessionBuilder& s, const std::string& hash) {
    auto it = projects.find(hash);
    s.attr("project_hash", hash);
    s.state()["project_hash"] = hash;  // a later read of the file starts after the header
    // Gemini keeps only a hash of the directory; name it so a person can still match it.
    in_scope = s.project(it != projects.end() ? it->second : "gemini:" + hash);
    return in_scope;
  }
};

void tool_calls(SessionBuilder& s, const JsonView& calls) {
  auto it = calls.iter();
  JsonView call;
  while (calls.is_array() && it.next(call)) {
    JsonView c[4];
    call.get({"name", "args", "id", "status"}, c);
    if (!c[0].is_string()) continue;
    const std::string name = c[0].str();
    const auto ref = s.tool_call(name, c[2].is_string() ? c[2].str_raw() : std::string_view());
    if (!c[1].is_object()) continue;
    if (kWriteTools.count(name))
      if (JsonView p = c[1]["file_path"]; p.is_string()) s.file_touched(p.str());
    if (name == "run_shell_command")
      if (JsonView cmd = c[1]["command"]; cmd.is_string()) s.command(ref, cmd.str());
    if (c[3].is_string()) s.tool_result(ref, !c[3].str_eq("success"));
  }
}

// One message into the builder; `offset` is where a turn it opens starts (a byte offset, or
// a message index for documents). Returns the counter to add, if any.
std::string message(SessionBuilder& s, const JsonView& m, std::int64_t offset) {
  JsonView f[7];
  m.get({"type", "content", "timestamp", "toolCalls", "tokens", "model", "id"}, f);
  if (!f[0].is_string()) return "messages_malformed";
  const auto ms = f[2].is_string() ? skillpipe::parse_iso8601_ms(f[2].str_raw()) : std::nullopt;
  if (!s.at(ms.value_or(0))) return {};
  if (f[0].str_eq("user")) {
    std::string text = skillpipe::trim(text_of(f[1]));
    if (text.empty()) return {};
    // /chat, /memory, /quit...: commands to the CLI, not work.
    if (text[0] == '/') s.command_turn(text.substr(0, text.find(' ')), offset);
    else s.prompt(text, offset);
  } else if (f[0].str_eq("gemini")) {
    s.answered();
    const std::string text = skillpipe::trim(text_of(f[1]));
    s.final_answer(text, 0);  // the last non-empty text of the turn
    tool_calls(s, f[3]);
    if (f[4].is_object()) {
      JsonView t[4];
      f[4].get({"input", "output", "cached", "thoughts"}, t);
      const std::int64_t cached = t[2].as_int();
      s.add_usage({std::max<std::int64_t>(0, t[0].as_int() - cached), t[1].as_int() + t[3].as_int(), cached, 0},
                  f[6].is_string() ? f[6].str_raw() : std::string_view());
    }
    if (f[5].is_string()) s.model(f[5].str());
  } else {
    if (f[0].str_eq("error")) s.api_error();  // the CLI reports a failed model call
    return "messages_" + f[0].str();          // info, error, warning: the CLI talking
  }
  return {};
}

// JSONL: a header line, message lines and {"$set": {...}} patches, read from the cursor.
class LinesParser final : public skillpipe::harvest::LineParser {
 public:
  LinesParser(const FileJob& job, const Options& o, const ProjectIndex& projects)
      : LineParser(job, o, "gemini"), header_{projects} {}

 protected:
  bool on_start() override {
    if (auto it = job().state.find("project_hash"); it != job().state.end()) session().attr("project_hash", it->second);
    return true;
  }

  void on_record(const JsonView& v, std::int64_t offset) override {
    JsonView f[4];
    v.get({"type", "$set", "sessionId", "id"}, f);
    if (f[0].valid()) {
      if (f[3].is_string() && !ids_.insert(f[3].str_raw())) return count("messages_duplicate");
      if (std::string c = message(session(), v, offset); !c.empty()) count(c);
    } else if (f[1].is_object()) {
      count("patches");
      if (JsonView h = f[1]["projectHash"]; h.is_string() && !header_.project(session(), h.str())) stop("out_of_scope");
    } else if (f[2].is_string()) {
      session().session_id(f[2].str());
      if (JsonView h = v["projectHash"]; h.is_string() && !header_.project(session(), h.str())) stop("out_of_scope");
    } else {
      count("unknown_records");
    }
  }

 private:
  Header header_;
  skillpipe::harvest::RecentIds ids_;  // a message line written twice counts once
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

// The whole document is re-read each time it changes (Gemini rewrites it); the cursor state
// remembers how many messages earlier runs already harvested. Message indexes stand in for
// byte offsets, so a held-back last turn is "the messages from index i".
FileResult parse_document(const FileJob& job, const Options& options, const ProjectIndex& projects,
                          std::size_t max_bytes) {
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
  SessionBuilder s(job, options, "gemini");
  Header header{projects};
  JsonView h[2];
  doc.get({"sessionId", "projectHash"}, h);
  if (h[0].is_string()) s.session_id(h[0].str());
  if (h[1].is_string() && !header.project(s, h[1].str())) {
    r.skip_reason = "out_of_scope";
    r.end_offset = job.file.size;
    return r;
  }
  const JsonView messages = doc["messages"];
  std::size_t n = 0, seen = state_count(job, "messages");
  JsonView m;
  if (messages.is_array())
    for (auto it = messages.iter(); it.next(m);) ++n;
  if (seen > n) {  // the chat was rewound: start over
    ++r.counts["sessions_rewound"];
    seen = 0;
  }
  std::size_t i = 0;
  if (messages.is_array())
    for (auto it = messages.iter(); it.next(m); ++i)
      if (i >= seen)
        if (std::string c = message(s, m, static_cast<std::int64_t>(i)); !c.empty()) ++r.counts[c];
  s.build(r, static_cast<std::int64_t>(n));
  r.state["messages"] = std::to_string(r.end_offset);  // a held-back turn is read again
  r.end_offset = job.file.size;
  for (auto& [k, v] : s.counts())
    if (v) r.counts[k] += v;
  return r;
}

}  // namespace

FileResult parse_file(const FileJob& job, const Options& options, const ProjectIndex& projects,
                      std::size_t max_document_bytes) {
  const std::string& p = job.file.path;
  if (skillpipe::ends_with(p, ".jsonl") || skillpipe::ends_with(p, ".jsonl.zst"))
    return LinesParser(job, options, projects).run();
  return parse_document(job, options, projects, max_document_bytes);
}

}  // namespace gemini
