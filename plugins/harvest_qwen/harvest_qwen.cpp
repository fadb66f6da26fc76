// harvest_qwen - Qwen Code transcripts (<home>/projects/<cwd>/chats/<session>.jsonl) ->
// SessionDigests. Format: docs/formats/qwen-code.md (checked against @qwen-code/qwen-code
// 0.15.10 and sessions recorded with it, tests/data/agents/qwen-code-0.15.10/).
//
// Only the format lives here; the read loop, cursors, hold-back, caps, outcome bookkeeping
// and redaction are the SDK's (skillpipe/kit/harvester.hpp).
#include <charconv>

#include "skillpipe/kit/harvester.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/plugin.hpp"

namespace skillpipe {
namespace {

using harvest::JsonView;

const char* const kSchemaJson =
    "{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"title\":\"harvest_qwen\","
    "\"description\":\"Qwen Code sessions under <home>/projects/*/chats (default home ~/.qwen)\","
    "\"type\":\"object\",\"additionalProperties\":false,\"properties\":{" SKILLPIPE_HARVEST_SCHEMA_PROPERTIES_HOME("~/.qwen") "}}";

// A shell result's exit code: run_shell_command reports status "success" whatever the command
// returned; the code is only in the text ("...\nExit Code: 127\n...").
std::optional<int> shell_exit_code(std::string_view output) {
  constexpr std::string_view kKey = "\nExit Code: ";
  const std::size_t at = output.find(kKey);
  if (at == std::string_view::npos) return std::nullopt;
  int code = 0;
  const char* b = output.data() + at + kKey.size();
  auto [p, ec] = std::from_chars(b, output.data() + output.size(), code);
  if (ec != std::errc() || p == b) return std::nullopt;
  return code;
}

class QwenParser final : public harvest::LineParser {
 public:
  using LineParser::LineParser;

 protected:
  void on_record(const JsonView& rec, std::int64_t offset) override {
    enum { kType, kSubtype, kSession, kCwd, kBranch, kVersion, kTs, kUuid, kMessage, kModel, kUsage, kResult,
           kPayload };
    JsonView f[13];
    rec.get({"type", "subtype", "sessionId", "cwd", "gitBranch", "version", "timestamp", "uuid", "message", "model",
             "usageMetadata", "toolCallResult", "systemPayload"},
            f);
    harvest::SessionBuilder& s = session();
    if (s.session_id().empty() && f[kSession].is_string()) s.session_id(str(f[kSession]));
    if (!s.project_known() && f[kCwd].is_string() && !s.project(str(f[kCwd]))) return stop("out_of_scope");
    if (differs(f[kBranch], s.branch())) s.branch(str(f[kBranch]));
    if (differs(f[kVersion], s.agent_version())) s.agent_version(str(f[kVersion]));
    const std::string_view type = f[kType].is_string() ? f[kType].str_raw() : std::string_view();
    if (type == "system") {
      if (s.in_window(time_ms(f[kTs]))) on_system(f[kSubtype], f[kPayload], offset);
      return;
    }
    if (type != "user" && type != "assistant" && type != "tool_result") return count("unknown_records");
    if (!s.at(time_ms(f[kTs]))) return;
    if (type == "user") {
      // notification / cron prompts are injected by the CLI, not typed by the user.
      if (!f[kSubtype].valid()) on_prompt(f[kMessage], f[kUuid], offset);
    } else if (type == "assistant") {
      on_assistant(f[kMessage], f[kModel], f[kUsage], f[kUuid]);
    } else {
      on_tool_result(f[kMessage], f[kResult]);
    }
  }

  void on_end() override { settle_api_error(); }

 private:
  void on_prompt(const JsonView& msg, const JsonView& uuid, std::int64_t offset) {
    if (uuid.is_string() && !seen_.insert(uuid.str_raw())) return count("duplicate_prompts");
    std::string text;
    for_parts(msg, [&](const JsonView& part) {
      if (JsonView t = part["text"]; t.is_string()) {
        if (!text.empty()) text += "\n";
        append_str(text, t);
      }
    });
    if (trim(text).empty()) return;
    settle_api_error();
    session().prompt(text, offset);
  }

  void on_assistant(const JsonView& msg, const JsonView& model, const JsonView& usage, const JsonView& uuid) {
    harvest::SessionBuilder& s = session();
    api_error_pending_ = false;  // the request was retried and answered
    if (differs(model, s.model())) s.model(str(model));
    const std::string id = uuid.is_string() ? str(uuid) : std::string();
    if (usage.is_object()) {
      JsonView u[3];
      usage.get({"promptTokenCount", "candidatesTokenCount", "cachedContentTokenCount"}, u);
      const std::int64_t cached = u[2].as_int();  // promptTokenCount includes the cached tokens
      s.add_usage(TokenUsage{std::max<std::int64_t>(0, u[0].as_int() - cached), u[1].as_int(), cached, 0}, id);
    }
    bool calls = false;
    s.answered();
    for_parts(msg, [&](const JsonView& part) {
      JsonView p[3];
      part.get({"text", "thought", "functionCall"}, p);
      if (p[2].is_object()) {
        calls = true;
        tool_call(p[2]);
      } else if (p[0].is_string() && !p[1].as_bool()) {
        s.answer_text(str(p[0]), id);
      }
    });
    if (!calls) s.turn_finished();  // a reply without tool calls ends the turn
  }

  void tool_call(const JsonView& call) {
    harvest::SessionBuilder& s = session();
    JsonView c[3];
    call.get({"id", "name", "args"}, c);
    const std::string name = str(c[1]);
    const harvest::CallRef ref = s.tool_call(name, c[0].is_string() ? c[0].str_raw() : std::string_view());
    if (ref.id == 0 || !c[2].is_object()) return;
    if (name == "run_shell_command") s.command(ref, str(c[2]["command"]));
    else if (name == "write_file" || name == "edit" || name == "read_file") s.file_touched(str(c[2]["file_path"]));
    else if (name == "skill") s.skill_used(str(c[2]["skill"]));
    else if (name == "agent") s.subagent_call();
  }

  // status: success | error (the tool could not run) | cancelled (the user refused or stopped it).
  void on_tool_result(const JsonView& msg, const JsonView& result) {
    if (!result.is_object()) return count("malformed_records");
    JsonView r[2];
    result.get({"callId", "status"}, r);
    std::optional<int> code;
    for_parts(msg, [&](const JsonView& part) {
      JsonView out = part["functionResponse"]["response"]["output"];
      if (out.is_string() && !code) code = shell_exit_code(str(out));
    });
    const bool failed = !r[1].str_eq("success") || (code && *code != 0);
    session().tool_result(r[0].is_string() ? r[0].str_raw() : std::string_view(), failed, code);
    if (r[1].str_eq("cancelled")) session().interrupted();
  }

  void on_system(const JsonView& subtype, const JsonView& payload, std::int64_t offset) {
    if (!payload.is_object()) return;
    if (subtype.str_eq("ui_telemetry")) {
      // api_error is logged per failed request; a later answer in the turn means a retry won.
      if (payload["uiEvent"]["event.name"].str_eq("qwen-code.api_error")) {
        session().api_error(false);
        api_error_pending_ = true;
      }
    } else if (subtype.str_eq("chat_compression")) {
      session().compaction();
    } else if (subtype.str_eq("slash_command") && payload["phase"].str_eq("invocation")) {
      const std::string raw = trim(str(payload["rawCommand"]));
      session().command_turn(raw.substr(0, raw.find_first_of(" \t\n")), offset);
    }
  }

  // The turn's last request failed and nothing answered after it: the turn ended in the error.
  void settle_api_error() {
    if (api_error_pending_) session().turn_failed();
    api_error_pending_ = false;
  }

  template <class Fn>
  static void for_parts(const JsonView& msg, Fn&& fn) {
    if (!msg.is_object()) return;
    JsonView parts = msg["parts"];
    if (!parts.is_array()) return;
    auto it = parts.iter();
    JsonView part;
    while (it.next(part))
      if (part.is_object()) fn(part);
  }

  harvest::RecentIds seen_;  // prompt uuids (a record may be written more than once)
  bool api_error_pending_ = false;
};

class QwenHarvester final : public harvest::JsonlHarvester<QwenParser> {
 protected:
  std::string_view source() const override { return "qwen"; }
  std::string_view default_home() const override { return "~/.qwen"; }
  // Main sessions only: projects/<cwd>/chats/<session id>.jsonl (background sub-agents write
  // projects/<cwd>/subagents/..., auto-memory projects/<cwd>/memory/...).
  harvest::Candidates find_files(Context&) override {
    return walk("projects", [](std::string_view name, std::string_view path) {
      return (ends_with(name, ".jsonl") || ends_with(name, ".jsonl.zst")) &&
             path.find("/chats/") != std::string_view::npos;
    }, [](std::string_view name, std::string_view) { return name != "subagents" && name != "memory"; });
  }
};

}  // namespace
}  // namespace skillpipe

SKILLPIPE_PLUGIN(skillpipe::StageKind::kHarvester, "1.0.0",
                 "Qwen Code sessions (~/.qwen/projects/*/chats) -> session digests: prompts, finals, tools, "
                 "shell commands with exit codes, API errors, tokens; cursors, redaction, filters",
                 skillpipe::kSchemaJson,
                 [] { return std::unique_ptr<skillpipe::StageBase>(new skillpipe::QwenHarvester); });
