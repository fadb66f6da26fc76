// claude_parser.cpp - streams one Claude Code JSONL file into a SessionDigest.
//
// Each line is navigated with JsonView: the top-level fields are picked in one pass, and
// the bulky values (tool results, toolUseResult, thinking) are skipped, never decoded.
// Assistant records arrive one content block per line sharing message.id, so turns,
// finals and token usage are keyed by message id, never counted per line.
#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <unordered_map>

#include "claude_parser.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::claude {
namespace {

using harvest::JsonView;

// Record types Claude Code writes that carry nothing a digest needs.
constexpr std::array<std::string_view, 33> kIgnoredTypes = {
    "system", "summary", "file-history-snapshot", "queue-operation", "permission-mode", "mode",
    "last-prompt", "custom-title", "ai-title", "tag", "agent-name", "agent-color", "agent-setting",
    "pr-link", "task-summary", "attachment", "progress", "attribution-snapshot",
    "speculation-accept", "worktree-state", "content-replacement", "marble-origami-commit",
    "marble-origami-snapshot", "marble-origami-reset", "file-history-delta", "continued-in",
    "ended-by-model", "relocated", "bridge-session", "atis-latch", "history-suppression",
    "fork-context-ref", "frame-link"};

struct Turn {
  std::string prompt;           // empty for the prelude and for slash-command turns
  bool is_prompt = false;
  std::int64_t offset = 0;      // where the turn's first line starts
  std::string last_msg;         // id of the newest assistant message
  std::string final_text;       // its text blocks
  bool answered = false;
  std::vector<ToolUse> tools;
  std::vector<std::string> skills, files;
  std::map<std::string, TokenUsage> usage;  // per message id, max of each field
  std::int64_t first_ms = 0, last_ms = 0;
  int subagent_calls = 0;
};

void max_into(TokenUsage& u, const TokenUsage& v) {
  u.input = std::max(u.input, v.input);
  u.output = std::max(u.output, v.output);
  u.cache_read = std::max(u.cache_read, v.cache_read);
  u.cache_write = std::max(u.cache_write, v.cache_write);
}

class Parser {
 public:
  Parser(const harvest::FileJob& job, const harvest::Options& o) : job_(job), o_(o) {
    turns_.emplace_back();  // the prelude: records before the first prompt of this read
    turns_.back().offset = job.offset;
    const Attrs& st = job.state;
    if (auto it = st.find("session_id"); it != st.end()) session_id_ = it->second;
    if (auto it = st.find("project"); it != st.end()) project_ = it->second;
    if (auto it = st.find("branch"); it != st.end()) branch_ = it->second;
    if (auto it = st.find("version"); it != st.end()) version_ = it->second;
  }

  harvest::FileResult run() {
    harvest::FileResult r;
    harvest::LineReader reader(o_.max_line_bytes);
    if (!reader.open(job_.file.path, job_.file.zstd, job_.offset, &r.error)) return r;
    if (reader.short_of_offset()) {
      r.offset_beyond_end = true;
      return r;
    }
    if (!project_.empty() && !o_.in_scope(project_)) skip_rest_ = true;  // known from the cursor
    harvest::Line line;
    while (reader.next(line)) {
      if (skip_rest_) {
        // Out of scope: a plain file is done up to its size; a .zst one is read through for
        // its (decompressed) end offset.
        if (!job_.file.zstd) break;
        continue;
      }
      JsonView rec = JsonView::parse(line.text);
      if (!line.terminated) {
        if (!rec.is_object()) break;  // torn write: leave it for the next run
        reader.accept_tail();
      }
      if (!rec.valid()) {
        ++counts_["bad_lines"];
        continue;
      }
      if (!rec.is_object()) {
        ++counts_["non_object_lines"];
        continue;
      }
      record(rec, line.offset);
    }
    if (!reader.read_error().empty()) r.error = reader.read_error();
    if (reader.torn_tail()) {
      ++counts_["torn_tail"];
      r.pending = true;
    }
    counts_["oversize_lines"] += reader.oversize_lines();
    counts_["lines"] += reader.lines();
    counts_["bytes"] += reader.bytes_read();
    r.end_offset = skip_rest_ && !job_.file.zstd ? job_.file.size : reader.end_offset();
    build(r);
    for (auto& [k, v] : counts_)
      if (v) r.counts[k] += v;
    return r;
  }

 private:
  std::int64_t stamp(const JsonView& ts) {
    if (ts.is_string()) {
      if (auto ms = parse_iso8601_ms(ts.str_raw())) last_ms_ = *ms;
      else ++counts_["bad_timestamps"];
    }
    return last_ms_;
  }

  bool active(std::int64_t ms) const { return job_.cutoff_ms <= 0 || ms >= job_.cutoff_ms; }

  Turn& cur() { return turns_.back(); }

  void note_time(Turn& t, std::int64_t ms) {
    if (ms <= 0) return;
    if (t.first_ms == 0 || ms < t.first_ms) t.first_ms = ms;
    t.last_ms = std::max(t.last_ms, ms);
  }

  void record(const JsonView& rec, std::int64_t offset) {
    enum { kType, kMessage, kSidechain, kMeta, kCompact, kTUR, kSrcTool, kSrcAsst, kUuid, kTs, kCwd,
           kBranch, kSession, kApiErr, kVersion, kEntry };
    JsonView f[16];
    rec.get({"type", "message", "isSidechain", "isMeta", "isCompactSummary", "toolUseResult",
             "sourceToolUseID", "sourceToolAssistantUUID", "uuid", "timestamp", "cwd", "gitBranch",
             "sessionId", "isApiErrorMessage", "version", "entrypoint"},
            f);
    if (!f[kType].is_string()) {
      ++counts_["records_without_type"];
      return;
    }
    bool user = f[kType].str_eq("user"), assistant = !user && f[kType].str_eq("assistant");
    if (!user && !assistant) {
      std::string_view t = f[kType].str_raw();
      if (std::find(kIgnoredTypes.begin(), kIgnoredTypes.end(), t) == kIgnoredTypes.end())
        ++counts_["unknown_records"];
      return;
    }
    if (f[kSidechain].as_bool()) {
      ++counts_["sidechain_records"];
      return;
    }
    if (session_id_.empty() && f[kSession].is_string()) session_id_ = f[kSession].str();
    if (project_.empty() && f[kCwd].is_string()) {
      project_ = f[kCwd].str();
      // Scope is decided on the session's cwd; an out-of-scope file needs no parsing.
      if (!o_.in_scope(project_)) {
        skip_rest_ = true;
        return;
      }
    }
    if (f[kBranch].is_string() && !f[kBranch].str_eq("") && !f[kBranch].str_eq("HEAD"))
      branch_ = f[kBranch].str();
    if (f[kVersion].is_string()) version_ = f[kVersion].str();
    if (f[kEntry].is_string()) entrypoint_ = f[kEntry].str();
    std::int64_t ms = stamp(f[kTs]);
    if (!active(ms)) {
      ++counts_["records_before_window"];
      if (user) window_dropped_turn_ = true;
      return;
    }
    const JsonView& msg = f[kMessage];
    if (!msg.is_object()) {
      ++counts_["malformed_records"];
      return;
    }
    if (user) {
      on_user(msg, f[kMeta].as_bool(), f[kCompact].as_bool(),
              f[kTUR].valid() || f[kSrcTool].valid() || f[kSrcAsst].valid(), f[kUuid], offset);
    } else if (f[kApiErr].as_bool()) {
      ++counts_["api_error_messages"];
    } else {
      on_assistant(msg, f[kUuid]);
    }
    note_time(cur(), ms);  // after a prompt opened its turn, so the time lands in it
  }

  void on_user(const JsonView& msg, bool meta, bool compact, bool tool_result, const JsonView& uuid,
               std::int64_t offset) {
    if (compact) {
      ++compactions_;
      return;
    }
    JsonView content = msg["content"];
    if (tool_result || content.is_array()) count_tool_errors(content);
    if (meta || tool_result) return;
    std::string text;
    if (content.is_string()) {
      text = content.str(&repairs_);
    } else if (content.is_array()) {
      auto it = content.iter();
      JsonView block;
      while (it.next(block)) {
        if (!block.is_object()) {
          ++counts_["malformed_records"];
          return;
        }
        JsonView bf[2];
        block.get({"type", "text"}, bf);
        if (bf[0].str_eq("tool_result")) return;  // tool output, not the human
        if (bf[0].str_eq("text") && bf[1].is_string()) {
          if (!text.empty()) text += "\n";
          bf[1].append_str(text, &repairs_);
        }
      }
    } else {
      ++counts_["malformed_records"];
      return;
    }
    std::string detail;
    switch (classify_user_text(text, &detail)) {
      case UserText::kPrompt: break;
      case UserText::kSlashCommand:
        harvest::add_unique(slash_commands_, detail);
        start_turn(false, {}, offset);
        return;
      case UserText::kInterrupt:
        ++interrupts_;
        ended_interrupted_ = true;
        return;
      case UserText::kCompactSummary: ++compactions_; return;
      default: return;
    }
    // Resumed sessions copy earlier records (same uuid) into a new file or chain.
    if (uuid.is_string() && !seen_uuids_.insert(uuid.str()).second) {
      ++counts_["duplicate_prompts"];
      return;
    }
    if (starts_with(text, "Implement the following plan:")) ++plan_prompts_;
    ended_interrupted_ = false;
    start_turn(true, std::move(text), offset);
  }

  // Failed tool calls (tool_result blocks with is_error) are evidence for the offline success
  // judge; the outputs themselves are skipped, never copied.
  void count_tool_errors(const JsonView& content) {
    if (!content.is_array()) return;
    auto it = content.iter();
    JsonView block;
    while (it.next(block)) {
      if (!block.is_object()) continue;
      JsonView bf[3];
      block.get({"type", "is_error", "tool_use_id"}, bf);
      if (!bf[0].str_eq("tool_result") || !bf[1].as_bool(false)) continue;
      ++tool_errors_;
      // Charged to the call it answers, in the turn that made it (when this read saw it).
      if (!bf[2].is_string()) continue;
      const auto call = tool_calls_.find(bf[2].str());
      if (call != tool_calls_.end()) harvest::add_tool(turns_[call->second.first].tools, call->second.second, 0, 1);
    }
  }

  void start_turn(bool is_prompt, std::string prompt, std::int64_t offset) {
    Turn t;
    t.is_prompt = is_prompt;
    t.prompt = std::move(prompt);
    t.offset = offset;
    turns_.push_back(std::move(t));
  }

  void on_assistant(const JsonView& msg, const JsonView& uuid) {
    JsonView m[4];
    msg.get({"id", "model", "content", "usage"}, m);
    if (m[1].str_eq("<synthetic>")) {
      ++counts_["synthetic_messages"];
      return;
    }
    if (m[1].is_string() && !m[1].str_eq(model_)) model_ = m[1].str();
    Turn& t = cur();
    std::string id = m[0].is_string() ? m[0].str() : (uuid.is_string() ? uuid.str() : std::string());
    if (id != t.last_msg) {  // a new API response: the turn's final is now this one's text
      t.last_msg = id;
      t.final_text.clear();
    }
    t.answered = true;
    if (m[3].is_object()) {
      JsonView u[4];
      m[3].get({"input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"}, u);
      TokenUsage v{u[0].as_int(), u[1].as_int(), u[2].as_int(), u[3].as_int()};
      max_into(t.usage[id], v);
    }
    if (!m[2].is_array()) {
      if (m[2].is_string()) append_text(t, m[2]);
      return;
    }
    auto it = m[2].iter();
    JsonView block;
    while (it.next(block)) {
      if (!block.is_object()) continue;
      JsonView b[3];
      block.get({"type", "text", "name"}, b);
      if (b[0].str_eq("text") && b[1].is_string()) append_text(t, b[1]);
      else if (b[0].str_eq("tool_use") && b[2].is_string()) tool_use(b[2].str(&repairs_), block);
    }
  }

  void append_text(Turn& t, const JsonView& s) {
    if (!t.final_text.empty()) t.final_text += "\n\n";
    s.append_str(t.final_text, &repairs_);
  }

  void tool_use(std::string name, const JsonView& block) {
    Turn& t = cur();
    // A resumed session's copied records repeat a call's id: count each call once.
    JsonView id = block["id"];
    if (id.is_string() && !tool_calls_.emplace(id.str(), std::make_pair(turns_.size() - 1, name)).second) return;
    if (name == "Task" || name == "Agent") ++t.subagent_calls;  // the sub-agent tool, both names
    JsonView input = block["input"];
    if (input.is_object()) {
      if (name == "Skill") {
        JsonView s = input["skill"];
        if (s.is_string()) harvest::add_unique(t.skills, s.str(&repairs_));
      } else if (name == "Edit" || name == "Write" || name == "MultiEdit" || name == "Read") {
        JsonView p = input["file_path"];
        if (p.is_string()) harvest::add_unique(t.files, p.str(&repairs_));
      } else if (name == "NotebookEdit") {
        JsonView p = input["notebook_path"];
        if (p.is_string()) harvest::add_unique(t.files, p.str(&repairs_));
      }
    }
    harvest::add_tool(t.tools, name);
  }

  void build(harvest::FileResult& r) {
    // A file written moments ago may be mid-turn: hold its last turn back for the next run.
    std::int64_t mtime_ms = job_.file.mtime_ns / 1000000;
    std::int64_t age = job_.now_ms - mtime_ms;
    bool live = job_.incremental && o_.settle_minutes > 0 && age > -60000 && age < o_.settle_minutes * 60000LL;  // 1 min of clock skew
    std::size_t n = turns_.size();
    if (live && n > 1 && turns_.back().is_prompt) {
      r.end_offset = turns_.back().offset;
      --n;
      ++counts_["turns_held_back"];
      r.pending = true;
    }
    r.state["session_id"] = session_id_;
    r.state["project"] = project_;
    r.state["branch"] = branch_;
    r.state["version"] = version_;
    counts_["utf8_repaired"] += repairs_;
    if (skip_rest_) {
      ++counts_["sessions_skipped_out_of_scope"];
      return;
    }
    SessionDigest d;
    d.source = "claude";
    d.session_id = session_id_.empty() ? stem(job_.file.path) : session_id_;
    d.project = project_;
    d.git_branch = branch_;
    d.raw_path = job_.file.path;
    std::map<std::string, TokenUsage> usage;
    std::int64_t first = 0, last = 0;
    int subagents = 0;
    for (std::size_t i = 0; i < n; ++i) {
      Turn& t = turns_[i];
      if (t.is_prompt) {
        d.user_prompts.push_back(std::move(t.prompt));
        d.assistant_finals.push_back(trim(t.final_text));
        if (t.answered) ++d.n_assistant_turns;
      }
      for (const auto& u : t.tools) harvest::add_tool(d.tools, u.name, u.calls, u.errors);
      for (auto& s : t.skills) harvest::add_unique(d.skills_used, s);
      for (auto& s : t.files) harvest::add_unique(d.files_touched, s);
      for (auto& [id, u] : t.usage) max_into(usage[id], u);
      subagents += t.subagent_calls;
      if (t.first_ms && (first == 0 || t.first_ms < first)) first = t.first_ms;
      last = std::max(last, t.last_ms);
    }
    if (d.user_prompts.empty() && d.tools.empty()) {  // nothing the user did
      ++r.counts["files_without_prompts"];
      return;
    }
    for (auto& [id, u] : usage) d.usage += u;
    d.n_user_turns = static_cast<int>(d.user_prompts.size());
    if (first) d.started_at = format_iso8601_s(first);
    if (last) d.ended_at = format_iso8601_s(last);
    d.agent_version = version_;
    d.model = model_;
    d.compactions = compactions_;
    d.subagent_calls = subagents;
    // The session judge reads these: tool results and endings are observed, so a count of 0
    // is evidence too.
    harvest::observe_outcome(d, tool_errors_, ended_interrupted_, interrupts_);
    d.outcome.slash_commands = slash_commands_;
    // Claude-only extras.
    if (!entrypoint_.empty()) d.attrs["entrypoint"] = entrypoint_;
    if (plan_prompts_) d.attrs["plan_prompts"] = std::to_string(plan_prompts_);
    if (job_.resumed) d.attrs["resumed_from_offset"] = std::to_string(job_.offset);
    if (window_dropped_turn_) d.attrs["partial_window"] = "true";
    r.digests.push_back(std::move(d));
  }

  static std::string stem(const std::string& path) {
    std::size_t s = path.rfind('/');
    std::string name = path.substr(s == std::string::npos ? 0 : s + 1);
    for (std::string_view ext : {".zst", ".jsonl"})
      if (ends_with(name, ext)) name.resize(name.size() - ext.size());
    return name;
  }

  const harvest::FileJob& job_;
  const harvest::Options& o_;
  std::vector<Turn> turns_;
  std::set<std::string> seen_uuids_;
  std::vector<std::string> slash_commands_;
  std::map<std::string, std::int64_t> counts_;
  std::string session_id_, project_, branch_, version_, entrypoint_, model_;
  // tool_use id -> (index into turns_, tool name): counts each call once, charges its error.
  std::unordered_map<std::string, std::pair<std::size_t, std::string>> tool_calls_;
  std::int64_t last_ms_ = 0;
  std::int64_t repairs_ = 0;
  int interrupts_ = 0, compactions_ = 0, plan_prompts_ = 0, tool_errors_ = 0;
  bool ended_interrupted_ = false;
  bool skip_rest_ = false;
  bool window_dropped_turn_ = false;
};

}  // namespace

harvest::FileResult parse_claude_file(const harvest::FileJob& job, const harvest::Options& options) {
  return Parser(job, options).run();
}

}  // namespace skillpipe::claude
