// codex_parser.cpp - one Codex rollout record at a time into the session builder.
//
// Eras are decided per line: the {timestamp,type,payload} envelope, or the older bare
// header + ResponseItem lines. A prompt can arrive on three channels (event_msg/user_message,
// event_msg/item_completed UserMessage, response_item/message role=user); a copy of the
// current turn's prompt from another channel is the same prompt, so each counts once with
// nothing kept but the current turn. Big payloads (function outputs, reasoning, compacted
// history) are skipped without decoding.
#include <algorithm>
#include <array>
#include <charconv>

#include "codex_parser.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::harvest_codex {
namespace {

using harvest::CallRef;
using harvest::JsonView;

// Final-answer candidates, most authoritative first (notes §2.8).
constexpr int kRankTaskComplete = 7, kRankAgentFinalPhase = 6, kRankAgent = 5, kRankItemFinalPhase = 4,
              kRankItem = 3, kRankRiFinalPhase = 2, kRankRi = 1;

// Prompt channels, by rank (the cursor remembers the best one a file has).
constexpr unsigned kChanResponse = 1, kChanItem = 2, kChanEvent = 3;

constexpr std::array<std::string_view, 9> kEnvelopeKinds = {
    "session_meta", "turn_context", "response_item", "event_msg", "compacted", "world_state",
    "inter_agent_communication", "inter_agent_communication_metadata", "token_usage_record"};

constexpr std::array<std::string_view, 16> kResponseItemTypes = {
    "message", "reasoning", "function_call", "function_call_output", "custom_tool_call",
    "custom_tool_call_output", "local_shell_call", "web_search_call", "image_generation_call",
    "tool_search_call", "tool_search_output", "ghost_snapshot", "compaction", "context_compaction",
    "agent_message", "additional_tools"};

// Tools that run a shell command (their arguments carry it).
constexpr std::array<std::string_view, 5> kShellTools = {"exec_command", "shell", "container.exec", "local_shell",
                                                         "shell_command"};

// "Process exited with code N" in a function_call_output text (2026 exec format).
std::optional<int> exit_code_in_output(std::string_view out) {
  constexpr std::string_view kMark = "Process exited with code ";
  const std::size_t p = out.substr(0, 512).find(kMark);
  if (p == std::string_view::npos) return std::nullopt;
  int code = 0;
  const char* b = out.data() + p + kMark.size();
  auto [e, ec] = std::from_chars(b, out.data() + std::min(out.size(), p + kMark.size() + 6), code);
  if (ec != std::errc() || e == b) return std::nullopt;
  return code;
}

class CodexParser final : public harvest::LineParser {
 public:
  CodexParser(const harvest::FileJob& job, const harvest::Options& o)
      : LineParser(job, o, "codex"), file_id_(harvest::file_stem(job.file.path)) {
    if (file_id_.size() > 36) file_id_ = file_id_.substr(file_id_.size() - 36);
    if (auto it = job.state.find("channel"); it != job.state.end() && it->second.size() == 1)
      channel_ = static_cast<unsigned>(std::clamp(it->second[0] - '0', 0, 3));
  }

 protected:
  void on_record(const JsonView& rec, std::int64_t offset) override {
    offset_ = offset;
    JsonView f[5];
    rec.get({"type", "payload", "timestamp", "record_type", "id"}, f);
    if (f[1].is_object() && f[0].is_string()) {  // the envelope (Sept 2025 on)
      if (!session().at(time_ms(f[2]))) return;
      const std::string_view kind = f[0].str_raw();
      if (kind == "session_meta") on_meta(f[1]);
      else if (kind == "response_item") on_item(f[1]);
      else if (kind == "event_msg") on_event(f[1]);
      else if (kind == "turn_context") on_turn_context(f[1]);
      else if (kind == "token_usage_record") tokens(f[1]["thread_token_usage"]);
      else if (kind == "compacted") ++compacted_;  // replacement_history repeats old prompts
      else if (std::find(kEnvelopeKinds.begin(), kEnvelopeKinds.end(), kind) == kEnvelopeKinds.end())
        count("unknown_records");
      return;
    }
    if (f[3].valid()) return;  // legacy {"record_type":"state"} marker
    if (!f[0].valid() && !f[1].valid() && f[4].is_string() && f[2].is_string()) {
      if (session().at(time_ms(f[2]))) on_meta(rec);  // legacy header {id, timestamp, instructions, git?, cwd?}
      return;
    }
    if (f[0].is_string() &&
        std::find(kResponseItemTypes.begin(), kResponseItemTypes.end(), f[0].str_raw()) != kResponseItemTypes.end()) {
      if (session().at(0)) on_item(rec);  // legacy bare ResponseItem: no timestamp, keeps the last one seen
      return;
    }
    count("unknown_records");
  }

  void on_end() override {
    // One compaction writes a `compacted` record and a context_compacted event (or only one).
    for (int i = std::max(compacted_, compacted_events_); i > 0; --i) session().compaction();
    for (const char* k : {"originator", "source", "history_mode"})
      if (auto it = session().state().find(k); it != session().state().end() && !it->second.empty())
        session().attr(k, it->second);
  }

 private:
  // session_meta: the file's own (id = the thread id in the file name) wins over a fork's
  // copy of its parent's.
  void on_meta(const JsonView& p) {
    JsonView m[9];
    p.get({"id", "cwd", "originator", "cli_version", "source", "thread_source", "git", "history_mode", "timestamp"}, m);
    const std::string id = str(m[0]);
    if (meta_own_ || (meta_seen_ && id != file_id_)) return;
    meta_seen_ = true;
    meta_own_ = id == file_id_;
    harvest::SessionBuilder& s = session();
    bool subagent = m[5].str_eq("subagent") || m[5].str_eq("memory_consolidation");
    std::string source;
    if (m[4].is_string()) {
      source = str(m[4]);
    } else if (m[4].is_object()) {  // {"subagent": ...} or {"custom": "..."}
      subagent = subagent || m[4]["subagent"].valid();
      source = m[4]["subagent"].valid() ? "subagent" : "custom";
    }
    if (subagent) return stop("subagent");  // sub-agent rollouts can be most of a Codex home
    s.session_id(id, meta_own_);
    if (!s.project(str(m[1]), meta_own_)) return stop("out_of_scope");
    if (m[6].is_object()) {
      s.branch(str(m[6]["branch"]));
      s.commit(str(m[6]["commit_hash"]));  // where the session started: an agentic replay starts there
    }
    s.agent_version(str(m[3]));
    Attrs& st = s.state();
    if (m[2].is_string()) st["originator"] = str(m[2]);
    if (!source.empty()) st["source"] = source;
    if (m[7].is_string()) st["history_mode"] = str(m[7]);
  }

  void on_turn_context(const JsonView& p) {
    JsonView f[2];
    p.get({"cwd", "model"}, f);
    harvest::SessionBuilder& s = session();
    if (!s.project_known() && f[0].is_string() && !s.project(str(f[0]))) return stop("out_of_scope");
    if (differs(f[1], s.model())) s.model(str(f[1]));
  }

  std::string join_texts(const JsonView& content, std::string_view want_type) {
    if (content.is_string()) return str(content);
    std::string out;
    auto it = content.iter();
    JsonView c;
    while (it.next(c)) {
      if (!c.is_object()) continue;
      JsonView b[2];
      c.get({"type", "text"}, b);
      if (!b[1].is_string() || (!want_type.empty() && !b[0].str_eq(want_type) && !b[0].str_eq("text") &&
                                !b[0].str_eq("Text")))
        continue;
      if (!out.empty()) out += "\n";
      append_str(out, b[1]);
    }
    return out;
  }

  // A prompt from one channel. The best channel the file has decides the turns: once one
  // appears, the prompts a lower one gave since the last answer were its copies (or
  // preambles this version does not know) and are forgotten, and the lower one is ignored.
  // A fork's copy of its parent's prompt has the parent's text and time.
  void prompt(const std::string& raw, unsigned channel) {
    if (channel < channel_) return;
    std::string p = clean_prompt(raw);
    if (p.empty()) return;  // a preamble
    harvest::SessionBuilder& s = session();
    std::int64_t offset = offset_;
    const bool fresh = forks_.insert(p + "\x1f" + std::to_string(s.now_ms()));
    if (channel > channel_) {
      channel_ = channel;
      s.state()["channel"] = std::to_string(channel);
      if (std::int64_t at = s.forget_unanswered_prompts(); at >= 0) offset = at;
    } else if (!fresh) {
      count("duplicate_prompts");
      return;
    }
    turn_error_ = false;
    s.prompt(p, offset);
  }

  void on_item(const JsonView& p) {
    JsonView f[10];
    p.get({"type", "role", "content", "name", "arguments", "input", "action", "phase", "call_id", "output"}, f);
    if (!f[0].is_string()) {
      count("malformed_records");
      return;
    }
    harvest::SessionBuilder& s = session();
    const std::string_view type = f[0].str_raw();
    if (type == "message") {
      if (f[1].str_eq("user")) {
        const std::string text = join_texts(f[2], "input_text");
        if (std::string sk = skill_name(text); !sk.empty()) s.skill_used(sk);
        prompt(text, kChanResponse);
      } else if (f[1].str_eq("assistant")) {
        s.final_answer(join_texts(f[2], "output_text"), f[7].str_eq("final_answer") ? kRankRiFinalPhase : kRankRi);
      }
      return;  // developer/system: instructions, not the user
    }
    if (type == "function_call" || type == "custom_tool_call") {
      const std::string name = str(f[3]);
      const CallRef call = s.tool_call(name, f[8].is_string() ? f[8].str_raw() : std::string_view());
      if (call.id == 0) return;
      if (type == "custom_tool_call") files_from(harvest::patch_paths(str(f[5])));
      else if (f[4].is_string()) from_arguments(call, name, str(f[4]));
      return;
    }
    if (type == "function_call_output" || type == "custom_tool_call_output") return on_output(f[8], f[9]);
    if (type == "local_shell_call") {
      const CallRef call = s.tool_call("shell", f[8].is_string() ? f[8].str_raw() : std::string_view());
      if (call.id && f[6].is_object()) shell(call, argv_command(f[6]["command"]));
      return;
    }
    if (type == "web_search_call") {
      s.tool_call("web_search");
      return;
    }
    if (type == "reasoning") s.answered();
  }

  // A call's output: the exit code, when the format states it (newer builds also send an
  // event for it; the first result of a call counts, later ones are ignored).
  void on_output(const JsonView& call_id, const JsonView& output) {
    session().answered();
    if (!call_id.is_string() || !output.is_string()) return;
    const std::string_view raw = output.str_raw();
    std::optional<int> code;
    if (raw.starts_with("{")) {
      const std::string text = output.str();  // {"output": ..., "metadata": {"exit_code": N}}
      JsonView j = JsonView::parse(text);
      if (JsonView md = j["metadata"]; md.is_object())
        if (JsonView e = md["exit_code"]; e.valid() && !e.is_null()) code = static_cast<int>(e.as_int());
    } else {
      code = exit_code_in_output(raw);
    }
    if (code) session().tool_result(call_id.str_raw(), *code != 0, code);
  }

  // `bash -lc 'cmd'` -> cmd; other argv joined with spaces.
  std::string argv_command(const JsonView& argv) {
    if (argv.is_string()) return str(argv);
    std::vector<std::string> a;
    auto it = argv.iter();
    JsonView v;
    while (it.next(v))
      if (v.is_string()) a.push_back(str(v));
    if (a.size() == 3 && (a[1] == "-lc" || a[1] == "-c") && ends_with(a[0], "sh")) return a[2];
    std::string out;
    for (const auto& x : a) out += (out.empty() ? "" : " ") + x;
    return out;
  }

  void shell(CallRef call, const std::string& cmd) {
    if (cmd.empty()) return;
    harvest::SessionBuilder& s = session();
    s.command(call, cmd);
    files_from(patch_paths_in_command(cmd));
    for (const auto& p : harvest::shell_write_targets(cmd)) s.file_touched(p);
    if (std::string sk = harvest::skill_read_by(cmd); !sk.empty()) s.skill_used(sk);  // Codex loads a skill with cat
  }

  void files_from(const std::vector<std::string>& paths) {
    for (const auto& p : paths) session().file_touched(p);
  }

  // function_call arguments are a JSON string: shell {"command":[...]}, exec_command
  // {"cmd":"..."}, apply_patch {"input":"..."} (or the raw patch).
  void from_arguments(CallRef call, const std::string& name, const std::string& args) {
    JsonView a = JsonView::parse(args);
    if (!a.is_object()) {
      if (name == "apply_patch") files_from(harvest::patch_paths(args));
      return;
    }
    JsonView f[4];
    a.get({"command", "cmd", "input", "patch"}, f);
    if (std::find(kShellTools.begin(), kShellTools.end(), name) != kShellTools.end())
      shell(call, f[1].is_string() ? str(f[1]) : argv_command(f[0]));
    for (int i : {2, 3})
      if (f[i].is_string()) files_from(harvest::patch_paths(str(f[i])));
  }

  void on_event(const JsonView& p) {
    JsonView f[8];
    p.get({"type", "message", "last_agent_message", "info", "item", "phase", "error", "reason"}, f);
    if (!f[0].is_string()) {
      count("malformed_records");
      return;
    }
    harvest::SessionBuilder& s = session();
    const std::string_view type = f[0].str_raw();
    if (type == "user_message") {
      prompt(str(f[1]), kChanEvent);
    } else if (type == "agent_message") {
      if (f[1].is_string()) s.final_answer(str(f[1]), f[5].str_eq("final_answer") ? kRankAgentFinalPhase : kRankAgent);
    } else if (type == "task_complete" || type == "turn_complete") {
      if (f[2].is_string()) s.final_answer(str(f[2]), kRankTaskComplete);
      if (f[6].is_object() || f[6].is_string()) failed_turn();  // the model call failed: 0.17x
      s.turn_finished();
    } else if (type == "error") {
      failed_turn();
    } else if (type == "token_count") {
      if (f[3].is_object()) tokens(f[3]["total_token_usage"]);  // info is null before the first response
    } else if (type == "item_completed") {
      on_turn_item(f[4]);
    } else if (type == "turn_aborted") {
      if (f[7].str_eq("interrupted") || !f[7].valid()) s.interrupted();
      else s.aborted();  // replaced, budget_limited, ...
    } else if (type == "exec_command_end") {
      on_command_end(p["call_id"], p["exit_code"], p["command"]);
    } else if (type == "context_compacted") {
      ++compacted_events_;
    } else if (type == "patch_apply_end") {
      JsonView id = p["call_id"];
      if (!p["success"].as_bool(true) && id.is_string()) s.tool_result(id.str_raw(), true);
      JsonView changes = p["changes"];
      auto it = changes.iter();
      JsonView k, v;
      while (it.next(k, v)) s.file_touched(str(k));
    } else if (type == "thread_settings_applied") {
      if (JsonView ts = p["thread_settings"]; ts.is_object() && differs(ts["model"], s.model())) s.model(str(ts["model"]));
    }
  }

  // An API failure ends the turn; an `error` event and the failed task_complete after it
  // are one failure.
  void failed_turn() {
    if (!turn_error_) session().api_error();
    turn_error_ = true;
  }

  // A command's end: its exit code (and 0.17x's status) is the call's result. One the model
  // never asked for (a `!cmd` the user ran) is a call of its own.
  void on_command_end(const JsonView& call_id, const JsonView& exit_code, const JsonView& command,
                      bool failed_status = false) {
    harvest::SessionBuilder& s = session();
    const std::optional<int> code =
        exit_code.valid() && !exit_code.is_null() ? std::optional<int>(static_cast<int>(exit_code.as_int())) : std::nullopt;
    const std::string_view id = call_id.is_string() ? call_id.str_raw() : std::string_view();
    if (!s.has_call(id) && !s.answered_call(id)) {
      const CallRef call = s.tool_call("exec_command", id);
      if (call.id == 0) return;
      shell(call, argv_command(command));
    }
    if (code || failed_status) s.tool_result(id, failed_status || (code && *code != 0), code);
  }

  void on_turn_item(const JsonView& item) {
    if (!item.is_object()) return;
    JsonView f[7];
    item.get({"type", "content", "phase", "id", "status", "exit_code", "command"}, f);
    harvest::SessionBuilder& s = session();
    if (f[0].str_eq("UserMessage")) {
      prompt(join_texts(f[1], ""), kChanItem);
    } else if (f[0].str_eq("AgentMessage")) {
      s.final_answer(join_texts(f[1], ""), f[2].str_eq("final_answer") ? kRankItemFinalPhase : kRankItem);
    } else if (f[0].str_eq("CommandExecution")) {
      on_command_end(f[3], f[5], f[6], f[4].str_eq("failed") || f[4].str_eq("declined"));
    }
  }

  void tokens(const JsonView& total) {
    if (!total.is_object()) return;
    JsonView u[4];
    total.get({"input_tokens", "cached_input_tokens", "output_tokens", "cache_write_input_tokens"}, u);
    // Counts are untrusted: a negative one is read as 0, so the subtraction below cannot
    // overflow (INT64_MAX - INT64_MIN would be undefined behaviour).
    const auto count_of = [](const JsonView& v) { return std::max<std::int64_t>(0, v.as_int()); };
    const std::int64_t input = count_of(u[0]), cached = count_of(u[1]);
    // OpenAI's input includes the cached tokens; ours does not (TokenUsage).
    session().cumulative_usage(TokenUsage{std::max<std::int64_t>(0, input - cached), count_of(u[2]), cached, count_of(u[3])});
  }

  std::string file_id_;
  bool meta_seen_ = false, meta_own_ = false;
  unsigned channel_ = 0;         // the best prompt channel seen in the file
  bool turn_error_ = false;      // the current turn already failed
  harvest::RecentIds forks_;     // prompt text + time of recent turns
  std::int64_t offset_ = 0;
  int compacted_ = 0, compacted_events_ = 0;
};

}  // namespace

harvest::FileResult parse_codex_file(const harvest::FileJob& job, const harvest::Options& options) {
  return CodexParser(job, options).run();
}

}  // namespace skillpipe::harvest_codex
