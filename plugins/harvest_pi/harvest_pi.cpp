// harvest_pi - Pi coding agent sessions (<home>/sessions/--<cwd>--/<time>_<id>.jsonl) ->
// SessionDigests. Format: docs/formats/pi.md (checked against @mariozechner/pi-coding-agent
// 0.73.1 and sessions recorded with it, tests/data/agents/pi-0.73.1/).
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
    "{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"title\":\"harvest_pi\","
    "\"description\":\"Pi sessions under <home>/sessions (default home ~/.pi/agent)\","
    "\"type\":\"object\",\"additionalProperties\":false,\"properties\":{" SKILLPIPE_HARVEST_SCHEMA_PROPERTIES_HOME("~/.pi/agent") "}}";

// "...\n\nCommand exited with code 127" at the end of a failed bash result.
std::optional<int> bash_exit_code(std::string_view text) {
  constexpr std::string_view kKey = "Command exited with code ";
  const std::size_t at = text.rfind(kKey);
  if (at == std::string_view::npos) return std::nullopt;
  int code = 0;
  const char* b = text.data() + at + kKey.size();
  auto [p, ec] = std::from_chars(b, text.data() + text.size(), code);
  if (ec != std::errc() || p == b) return std::nullopt;
  return code;
}

template <class Fn>
void for_blocks(const JsonView& content, Fn&& fn) {
  if (!content.is_array()) return;
  auto it = content.iter();
  JsonView b;
  while (it.next(b))
    if (b.is_object()) fn(b);
}

class PiParser final : public harvest::LineParser {
 public:
  using LineParser::LineParser;

 protected:
  void on_record(const JsonView& rec, std::int64_t offset) override {
    JsonView f[6];
    rec.get({"type", "id", "timestamp", "cwd", "message", "modelId"}, f);
    harvest::SessionBuilder& s = session();
    const std::string_view type = f[0].is_string() ? f[0].str_raw() : std::string_view();
    if (type == "session") {  // the header: the session id is the file's, the cwd the project
      if (f[1].is_string()) s.session_id(str(f[1]));
      if (f[3].is_string() && !s.project(str(f[3]))) return stop("out_of_scope");
      s.in_window(time_ms(f[2]));
    } else if (type == "model_change") {
      if (f[5].is_string()) s.model(str(f[5]));
    } else if (type == "compaction") {
      s.compaction();
    } else if (type == "message") {
      if (s.at(time_ms(f[2])) && f[4].is_object()) on_message(f[4], f[1], offset);
    } else if (type != "thinking_level_change" && type != "branch_summary" && type != "custom" &&
               type != "custom_message" && type != "label" && type != "session_info") {
      count("unknown_records");
    }
  }

  void on_end() override { settle_api_error(); }

 private:
  void on_message(const JsonView& msg, const JsonView& id, std::int64_t offset) {
    JsonView m[2];
    msg.get({"role", "content"}, m);
    if (m[0].str_eq("user")) {
      std::string text = m[1].is_string() ? str(m[1]) : std::string();
      for_blocks(m[1], [&](const JsonView& b) {
        if (b["type"].str_eq("text")) text += (text.empty() ? "" : "\n") + str(b["text"]);
      });
      if (trim(text).empty()) return;
      settle_api_error();
      session().prompt(text, offset);
    } else if (m[0].str_eq("assistant")) {
      on_assistant(msg, id.is_string() ? str(id) : std::string());
    } else if (m[0].str_eq("toolResult")) {
      on_tool_result(msg);
    }
    // bashExecution (the user's own `!cmd`), custom, branchSummary, compactionSummary: not the
    // model's work and not the user's prompt.
  }

  void on_assistant(const JsonView& msg, const std::string& id) {
    harvest::SessionBuilder& s = session();
    JsonView m[4];
    msg.get({"model", "usage", "content", "stopReason"}, m);
    if (m[3].str_eq("error")) {  // a failed request; pi may retry it in the same turn
      s.api_error(false);
      api_error_pending_ = true;
      return;
    }
    api_error_pending_ = false;
    if (differs(m[0], s.model())) s.model(str(m[0]));
    if (m[1].is_object()) {  // pi-ai normalises every provider: input excludes the cache
      JsonView u[4];
      m[1].get({"input", "output", "cacheRead", "cacheWrite"}, u);
      s.add_usage(TokenUsage{u[0].as_int(), u[1].as_int(), u[2].as_int(), u[3].as_int()}, id);
    }
    s.answer_text({}, id);
    for_blocks(m[2], [&](const JsonView& b) {
      JsonView t = b["type"];
      if (t.str_eq("text")) s.answer_text(str(b["text"]), id);
      else if (t.str_eq("toolCall")) tool_call(b);
    });
    if (m[3].str_eq("aborted")) s.interrupted();
    else if (!m[3].str_eq("toolUse")) s.turn_finished();  // stop, length
  }

  void tool_call(const JsonView& b) {
    harvest::SessionBuilder& s = session();
    JsonView c[3];
    b.get({"id", "name", "arguments"}, c);
    const std::string name = str(c[1]);
    const harvest::CallRef ref = s.tool_call(name, c[0].is_string() ? c[0].str_raw() : std::string_view());
    if (ref.id == 0 || !c[2].is_object()) return;
    if (name == "bash") s.command(ref, str(c[2]["command"]));
    else if (name == "write" || name == "edit" || name == "read") s.file_touched(str(c[2]["path"]));
  }

  // isError is explicit; a failed bash call also ends its text with the exit code.
  void on_tool_result(const JsonView& msg) {
    JsonView r[3];
    msg.get({"toolCallId", "isError", "content"}, r);
    std::optional<int> code;
    for_blocks(r[2], [&](const JsonView& b) {
      if (JsonView t = b["text"]; t.is_string() && !code) code = bash_exit_code(str(t));
    });
    session().tool_result(r[0].is_string() ? r[0].str_raw() : std::string_view(), r[1].as_bool(), code);
  }

  // The turn's last request failed and nothing answered after it: the turn ended in the error.
  void settle_api_error() {
    if (api_error_pending_) session().turn_failed();
    api_error_pending_ = false;
  }

  bool api_error_pending_ = false;
};

class PiHarvester final : public harvest::JsonlHarvester<PiParser> {
 protected:
  std::string_view source() const override { return "pi"; }
  std::string_view default_home() const override { return "~/.pi/agent"; }
  harvest::Candidates find_files(Context&) override {
    return walk("sessions", [](std::string_view name, std::string_view) {
      return ends_with(name, ".jsonl") || ends_with(name, ".jsonl.zst");
    });
  }
};

}  // namespace
}  // namespace skillpipe

SKILLPIPE_PLUGIN(skillpipe::StageKind::kHarvester, "1.0.0",
                 "Pi coding agent sessions (~/.pi/agent/sessions) -> session digests: prompts, finals, tools, "
                 "shell commands with exit codes, API errors, tokens; cursors, redaction, filters",
                 skillpipe::kSchemaJson,
                 [] { return std::unique_ptr<skillpipe::StageBase>(new skillpipe::PiHarvester); });
