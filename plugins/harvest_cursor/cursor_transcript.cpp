// cursor_transcript.cpp - Cursor agent transcripts (agent-transcripts/<id>/<id>.jsonl): lines
// {"role":"user"|"assistant","message":{"content":[{type:text|tool_use,...}]}} and
// {"type":"turn_ended","status":...}. No timestamps, tool ids, results or usage are kept.
#include "cursor_composer.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::cursor {

using harvest::JsonView;

namespace {

// The user's text wraps the request in <user_query>...</user_query> after context blocks
// (<attached_files>, ...): keep only the query.
std::string user_query(const std::string& text) {
  constexpr std::string_view kOpen = "<user_query>", kClose = "</user_query>";
  const std::size_t a = text.find(kOpen);
  if (a == std::string::npos) return trim(text);
  const std::size_t b = text.find(kClose, a);
  return trim(std::string_view(text).substr(a + kOpen.size(), b == std::string::npos ? std::string::npos
                                                                                      : b - a - kOpen.size()));
}

class TranscriptParser final : public harvest::LineParser {
 public:
  TranscriptParser(const harvest::FileJob& job, const harvest::Options& o, std::string project)
      : LineParser(job, o, "cursor"), project_(std::move(project)) {}

 protected:
  bool on_start() override {
    session().session_id(harvest::file_stem(job().file.path));
    session().outcome_unobserved();  // no tool results: the outcome needs other evidence
    // No times in the lines: the file's last write stands for the session's activity.
    if (const std::int64_t ms = job().file.mtime_ns / 1000000; ms >= job().cutoff_ms) session().at(ms);
    return project_from_path(project_);
  }

  void on_record(const JsonView& rec, std::int64_t offset) override {
    JsonView f[4];
    rec.get({"role", "message", "type", "status"}, f);
    if (f[2].str_eq("turn_ended")) {
      if (f[3].str_eq("completed")) session().turn_finished();
      else session().turn_failed();  // error, aborted
      return;
    }
    const JsonView content = f[1]["content"];
    if (!content.is_array()) return count("unknown_records");
    if (f[0].str_eq("user")) {
      std::string text;
      JsonView part;
      for (auto it = content.iter(); it.next(part);)
        if (part["type"].str_eq("text")) append_str(text, part["text"]);
      if (const std::string q = user_query(text); !q.empty()) session().prompt(q, offset);
    } else if (f[0].str_eq("assistant")) {
      assistant(content, offset);
    } else {
      count("unknown_records");
    }
  }

 private:
  void assistant(const JsonView& content, std::int64_t offset) {
    harvest::SessionBuilder& s = session();
    s.answered();
    const std::string id = std::to_string(offset);  // each line is one message
    JsonView part;
    for (auto it = content.iter(); it.next(part);) {
      JsonView p[4];
      part.get({"type", "text", "name", "input"}, p);
      if (p[0].str_eq("text")) {
        if (const std::string t = trim(str(p[1])); !t.empty()) s.answer_text(t, id);
      } else if (p[0].str_eq("tool_use")) {
        const std::string name = str(p[2]);
        const harvest::CallRef ref = s.tool_call(name);
        if (!p[3].is_object()) continue;
        if (name == "run_terminal_cmd") s.command(ref, str(p[3]["command"]));
        else if (name.starts_with("edit_file") || name == "search_replace" || name == "read_file")
          s.file_touched(str(p[3]["target_file"]));
      }
    }
  }

  std::string project_;
};

}  // namespace

harvest::FileResult read_transcript(const harvest::FileJob& job, const harvest::Options& o, const std::string& project) {
  return TranscriptParser(job, o, project).run();
}

}  // namespace skillpipe::cursor
