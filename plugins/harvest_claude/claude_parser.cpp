// claude_parser.cpp - one Claude Code JSONL record at a time into the session builder.
//
// Each line is navigated with JsonView: the top-level fields are picked in one pass, and
// the bulky values (tool results, toolUseResult, thinking) are skipped, never decoded.
// Assistant records arrive one content block per line sharing message.id, so finals and
// token usage are keyed by message id, never counted per line.
#include <algorithm>
#include <array>
#include <charconv>

#include "claude_parser.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::harvest_claude {
namespace {

using harvest::CallRef;
using harvest::JsonView;

// Record types Claude Code writes that carry nothing a digest needs.
constexpr std::array<std::string_view, 31> kIgnoredTypes = {
    "summary", "file-history-snapshot", "queue-operation", "permission-mode", "mode",
    "last-prompt", "custom-title", "ai-title", "tag", "agent-name", "agent-color", "agent-setting",
    "pr-link", "task-summary", "progress", "attribution-snapshot",
    "speculation-accept", "worktree-state", "content-replacement", "marble-origami-commit",
    "marble-origami-snapshot", "marble-origami-reset", "file-history-delta", "continued-in",
    "ended-by-model", "relocated", "bridge-session", "atis-latch", "history-suppression",
    "fork-context-ref", "frame-link"};

// Tools whose `file_path` input is a file the session read or changed.
constexpr std::array<std::string_view, 4> kFileTools = {"Edit", "Write", "MultiEdit", "Read"};

// "Exit code 2\n..." at the start of a failed Bash result.
std::optional<int> exit_code_in(std::string_view text) {
  constexpr std::string_view kPrefix = "Exit code ";
  if (text.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  int code = 0;
  const char* b = text.data() + kPrefix.size();
  auto [p, ec] = std::from_chars(b, text.data() + std::min<std::size_t>(text.size(), kPrefix.size() + 6), code);
  if (ec != std::errc() || p == b) return std::nullopt;
  return code;
}

// The first text of a tool_result's content (a string or text blocks); only its head.
std::string_view result_head(const JsonView& content) {
  if (content.is_string()) return content.str_raw().substr(0, 32);
  if (!content.is_array()) return {};
  auto it = content.iter();
  JsonView b;
  while (it.next(b))
    if (b.is_object())
      if (JsonView t = b["text"]; t.is_string()) return t.str_raw().substr(0, 32);
  return {};
}

class ClaudeParser final : public harvest::LineParser {
 public:
  using LineParser::LineParser;

 protected:
  void on_record(const JsonView& rec, std::int64_t offset) override {
    enum { kType, kMessage, kSidechain, kMeta, kCompact, kTUR, kSrcTool, kSrcAsst, kUuid, kTs, kCwd,
           kBranch, kSession, kApiErr, kVersion, kEntry, kSubtype, kAttachment };
    JsonView f[18];
    rec.get({"type", "message", "isSidechain", "isMeta", "isCompactSummary", "toolUseResult",
             "sourceToolUseID", "sourceToolAssistantUUID", "uuid", "timestamp", "cwd", "gitBranch",
             "sessionId", "isApiErrorMessage", "version", "entrypoint", "subtype", "attachment"},
            f);
    if (!f[kType].is_string()) {
      count("records_without_type");
      return;
    }
    const std::string_view type = f[kType].str_raw();
    const bool user = type == "user", assistant = type == "assistant";
    if (!user && !assistant && type != "system" && type != "attachment") {
      if (std::find(kIgnoredTypes.begin(), kIgnoredTypes.end(), type) == kIgnoredTypes.end()) count("unknown_records");
      return;
    }
    if (f[kSidechain].as_bool()) {
      count("sidechain_records");
      return;
    }
    harvest::SessionBuilder& s = session();
    // These repeat on every record: decoded only when they change.
    if (s.session_id().empty() && f[kSession].is_string()) s.session_id(str(f[kSession]));
    if (!s.project_known() && f[kCwd].is_string() && !s.project(str(f[kCwd]))) {
      stop("out_of_scope");  // scope is decided on the session's cwd: the rest needs no parsing
      return;
    }
    if (differs(f[kBranch], s.branch()) && !f[kBranch].str_eq("") && !f[kBranch].str_eq("HEAD"))
      s.branch(str(f[kBranch]));
    if (differs(f[kVersion], s.agent_version())) s.agent_version(str(f[kVersion]));
    if (differs(f[kEntry], entrypoint_)) entrypoint_ = str(f[kEntry]);
    // Bookkeeping records (system, attachment) do not make the session longer.
    if (type == "system" || type == "attachment") {
      if (!s.in_window(time_ms(f[kTs]))) return;
      return type == "system" ? on_system(f[kSubtype], rec, offset) : on_attachment(f[kAttachment]);
    }
    if (!s.at(time_ms(f[kTs]))) {
      if (user) window_dropped_turn_ = true;
      return;
    }
    const JsonView& msg = f[kMessage];
    if (!msg.is_object()) {
      count("malformed_records");
      return;
    }
    if (user) {
      const bool tool_result = f[kTUR].valid() || f[kSrcTool].valid() || f[kSrcAsst].valid();
      on_user(msg, f[kMeta].as_bool(), f[kCompact].as_bool(), tool_result, f[kUuid], offset);
    } else if (f[kApiErr].as_bool()) {
      // The CLI gave up on a model call: "API Error: 529 ..." is no answer.
      count("api_error_messages");
      s.api_error();
    } else {
      on_assistant(msg, f[kUuid]);
    }
  }

  void on_end() override {
    harvest::SessionBuilder& s = session();
    if (!entrypoint_.empty()) s.attr("entrypoint", entrypoint_);
    if (plan_prompts_) s.attr("plan_prompts", std::to_string(plan_prompts_));
    if (window_dropped_turn_) s.attr("partial_window", "true");
  }

 private:
  void on_system(const JsonView& subtype, const JsonView& rec, std::int64_t offset) {
    // turn_duration closes a turn (2.1.x); api_error is a retried call that failed once.
    if (subtype.str_eq("turn_duration")) {
      session().turn_finished();
    } else if (subtype.str_eq("api_error")) {
      session().api_error(false);
    } else if (subtype.str_eq("local_command")) {
      // Interactive 2.1.x writes a slash command as a system record ("<command-name>/model
      // </command-name>..."), its output as another ("<local-command-stdout>...").
      std::string text = str(rec["content"]), name;
      if (classify_user_text(text, &name) == UserText::kSlashCommand) session().command_turn(name, offset);
    }
  }

  void on_attachment(const JsonView& a) {
    if (a.is_object() && a["type"].str_eq("max_turns_reached")) session().aborted();  // --max-turns hit
  }

  void on_user(const JsonView& msg, bool meta, bool compact, bool tool_result, const JsonView& uuid,
               std::int64_t offset) {
    harvest::SessionBuilder& s = session();
    if (compact) {
      s.compaction();
      return;
    }
    JsonView content = msg["content"];
    if (tool_result || content.is_array()) tool_results(content);
    if (meta || tool_result) return;
    std::string text;
    if (content.is_string()) {
      text = str(content);
    } else if (content.is_array()) {
      auto it = content.iter();
      JsonView block;
      while (it.next(block)) {
        if (!block.is_object()) {
          count("malformed_records");
          return;
        }
        JsonView bf[2];
        block.get({"type", "text"}, bf);
        if (bf[0].str_eq("tool_result")) return;  // tool output, not the human
        if (bf[0].str_eq("text") && bf[1].is_string()) {
          if (!text.empty()) text += "\n";
          append_str(text, bf[1]);
        }
      }
    } else {
      count("malformed_records");
      return;
    }
    std::string detail;
    switch (classify_user_text(text, &detail)) {
      case UserText::kPrompt: break;
      case UserText::kSlashCommand: s.command_turn(detail, offset); return;
      case UserText::kInterrupt: s.interrupted(); return;
      case UserText::kCompactSummary: s.compaction(); return;
      default: return;
    }
    // Resumed sessions copy earlier records (same uuid) into a new file or chain.
    if (uuid.is_string() && !first_time(uuid.str_raw())) {
      count("duplicate_prompts");
      return;
    }
    if (starts_with(text, "Implement the following plan:")) ++plan_prompts_;
    s.prompt(text, offset);
  }

  // Results of tool calls: failed ones (is_error, "Exit code N") are evidence for the
  // success judge; the outputs themselves are skipped, never copied.
  void tool_results(const JsonView& content) {
    if (!content.is_array()) return;
    auto it = content.iter();
    JsonView block;
    while (it.next(block)) {
      if (!block.is_object()) continue;
      JsonView bf[4];
      block.get({"type", "is_error", "tool_use_id", "content"}, bf);
      if (!bf[0].str_eq("tool_result")) continue;
      const bool failed = bf[1].as_bool(false);
      std::optional<int> code = failed ? exit_code_in(result_head(bf[3])) : std::nullopt;
      session().tool_result(bf[2].is_string() ? bf[2].str_raw() : std::string_view(), failed, code);
    }
  }

  void on_assistant(const JsonView& msg, const JsonView& uuid) {
    JsonView m[5];
    msg.get({"id", "model", "content", "usage", "stop_reason"}, m);
    if (m[1].str_eq("<synthetic>")) {  // "No response requested." after an interrupt
      count("synthetic_messages");
      return;
    }
    harvest::SessionBuilder& s = session();
    if (differs(m[1], s.model())) s.model(str(m[1]));
    const std::string id = m[0].is_string() ? str(m[0]) : (uuid.is_string() ? str(uuid) : std::string());
    s.answer_text({}, id);  // a new response is the turn's new final candidate
    if (m[3].is_object()) {
      JsonView u[4];
      m[3].get({"input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"}, u);
      s.add_usage(TokenUsage{u[0].as_int(), u[1].as_int(), u[2].as_int(), u[3].as_int()}, id);
    }
    if (m[2].is_string()) {
      s.answer_text(str(m[2]), id);
    } else if (m[2].is_array()) {
      auto it = m[2].iter();
      JsonView block;
      while (it.next(block)) {
        if (!block.is_object()) continue;
        JsonView b[3];
        block.get({"type", "text", "name"}, b);
        if (b[0].str_eq("text") && b[1].is_string()) s.answer_text(str(b[1]), id);
        else if (b[0].str_eq("tool_use") && b[2].is_string()) tool_use(str(b[2]), block);
      }
    }
    if (m[4].str_eq("end_turn")) s.turn_finished();
  }

  void tool_use(const std::string& name, const JsonView& block) {
    harvest::SessionBuilder& s = session();
    JsonView id = block["id"];
    const CallRef call = s.tool_call(name, id.is_string() ? id.str_raw() : std::string_view());
    if (call.id == 0) return;  // a resumed copy of a call already counted
    if (name == "Task" || name == "Agent") s.subagent_call();  // the sub-agent tool, both names
    JsonView input = block["input"];
    if (!input.is_object()) return;
    if (name == "Skill") {
      s.skill_used(str(input["skill"]));
    } else if (name == "Bash") {
      s.command(call, str(input["command"]));
    } else if (std::find(kFileTools.begin(), kFileTools.end(), name) != kFileTools.end()) {
      s.file_touched(str(input["file_path"]));
    } else if (name == "NotebookEdit") {
      s.file_touched(str(input["notebook_path"]));
    }
  }

  bool first_time(std::string_view uuid) { return seen_.insert(uuid); }

  harvest::RecentIds seen_;  // prompt uuids of this read
  std::string entrypoint_;
  int plan_prompts_ = 0;
  bool window_dropped_turn_ = false;
};

}  // namespace

harvest::FileResult parse_claude_file(const harvest::FileJob& job, const harvest::Options& options) {
  return ClaudeParser(job, options, "claude").run();
}

}  // namespace skillpipe::harvest_claude
