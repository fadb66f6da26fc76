// harvest_copilot - GitHub Copilot CLI sessions (<home>/session-state/<id>/events.jsonl) ->
// SessionDigests. Format: docs/formats/copilot-cli.md (checked against @github/copilot 1.0.102
// and sessions recorded with it, tests/data/agents/copilot-cli-1.0.102/).
//
// The events file is the source of truth; session-store.db is a derived index with fewer
// facts (no tool outcomes, no errors) that can lag, so it is not read. Only the format lives
// here; the read loop, cursors, hold-back, caps, outcome bookkeeping and redaction are the
// SDK's (skillpipe/kit/harvester.hpp).
#include "skillpipe/kit/harvester.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/plugin.hpp"

namespace skillpipe {
namespace {

using harvest::JsonView;

const char* const kSchemaJson =
    "{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"title\":\"harvest_copilot\","
    "\"description\":\"GitHub Copilot CLI sessions under <home>/session-state (default home ~/.copilot)\","
    "\"type\":\"object\",\"additionalProperties\":false,\"properties\":{" SKILLPIPE_HARVEST_SCHEMA_PROPERTIES_HOME("~/.copilot") "}}";

class CopilotParser final : public harvest::LineParser {
 public:
  using LineParser::LineParser;

 protected:
  void on_record(const JsonView& rec, std::int64_t offset) override {
    JsonView f[4];
    rec.get({"type", "data", "timestamp", "agentId"}, f);
    // A sub-agent's events are inline, marked by agentId: its brief is not the user's prompt,
    // its tokens and tools are not the session's (the parent's `task` call stands for them).
    if (f[3].valid()) return count("subagent_events");
    if (!f[0].is_string() || !f[1].is_object()) return count("malformed_records");
    const std::string_view type = f[0].str_raw();
    const JsonView& data = f[1];
    harvest::SessionBuilder& s = session();
    if (type == "session.start" || type == "session.resume") {
      if (!on_start_event(data)) return stop("out_of_scope");
      s.in_window(time_ms(f[2]));
      return;
    }
    if (type == "session.usage_record" || type == "session.compaction_complete") {
      if (!s.in_window(time_ms(f[2]))) return;
      return type == "session.compaction_complete" ? s.compaction() : usage(data["usage"]);
    }
    if (!s.at(time_ms(f[2]))) return;
    if (type == "user.message") {
      settle_api_error();
      s.prompt(str(data["content"]), offset);  // `content` is what was typed
    } else if (type == "assistant.message") {
      on_assistant(data);
    } else if (type == "tool.execution_complete") {
      on_tool_done(data);
    } else if (type == "session.error") {
      s.api_error(false);  // a retry may still answer: settled at the next prompt or the end
      api_error_pending_ = true;
    } else if (type == "abort") {
      s.interrupted();
    } else if (type == "skill.invoked") {
      s.skill_used(str(data["name"]));
    }
  }

  void on_end() override { settle_api_error(); }

 private:
  bool on_start_event(const JsonView& data) {
    harvest::SessionBuilder& s = session();
    JsonView d[4];
    data.get({"sessionId", "copilotVersion", "selectedModel", "context"}, d);
    if (d[0].is_string()) s.session_id(str(d[0]));
    if (d[1].is_string()) s.agent_version(str(d[1]));
    if (differs(d[2], s.model())) s.model(str(d[2]));
    if (!d[3].is_object()) return true;
    JsonView c[2];
    d[3].get({"cwd", "branch"}, c);
    if (c[1].is_string()) s.branch(str(c[1]));
    return !c[0].is_string() || s.project(str(c[0]));
  }

  // One record per model request; inputTokens includes the cache reads.
  void usage(const JsonView& u) {
    if (!u.is_object()) return;
    JsonView v[5];
    u.get({"inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens", "apiCallId"}, v);
    const std::int64_t cached = v[2].as_int();
    session().add_usage(TokenUsage{std::max<std::int64_t>(0, v[0].as_int() - cached), v[1].as_int(), cached,
                                   v[3].as_int()},
                        v[4].is_string() ? v[4].str_raw() : std::string_view());
  }

  void on_assistant(const JsonView& data) {
    harvest::SessionBuilder& s = session();
    api_error_pending_ = false;
    JsonView m[6];
    data.get({"messageId", "content", "toolRequests", "model", "chunkIndex", "chunkCount"}, m);
    if (differs(m[3], s.model())) s.model(str(m[3]));
    const std::string id = str(m[0]);
    // A reply split into chunks shares its messageId: the chunks are one text, kept whole.
    if (id != chunk_id_ || m[4].as_int(0) == 0) chunk_text_.clear();
    chunk_id_ = id;
    append_str(chunk_text_, m[1]);
    s.answer_text({}, id);
    if (m[4].as_int(0) + 1 >= m[5].as_int(1) && !chunk_text_.empty()) s.answer_text(chunk_text_, id);
    bool calls = false;
    if (m[2].is_array()) {
      auto it = m[2].iter();
      JsonView req;
      while (it.next(req))
        if (req.is_object()) calls = tool_call(req) || calls;
    }
    if (!calls) s.turn_finished();  // a reply without tool requests ends the turn
  }

  bool tool_call(const JsonView& req) {
    harvest::SessionBuilder& s = session();
    JsonView r[3];
    req.get({"toolCallId", "name", "arguments"}, r);
    const std::string name = str(r[1]);
    const harvest::CallRef ref = s.tool_call(name, r[0].is_string() ? r[0].str_raw() : std::string_view());
    if (ref.id == 0 || !r[2].is_object()) return true;
    if (name == "bash") s.command(ref, str(r[2]["command"]));
    else if (name == "create" || name == "edit" || name == "view") s.file_touched(str(r[2]["path"]));
    else if (name == "skill") s.skill_used(str(r[2]["skill"]));
    else if (name == "task") s.subagent_call();
    return true;
  }

  // success is true for a shell command that exits non-zero: the exit code decides then.
  void on_tool_done(const JsonView& data) {
    JsonView t[3];
    data.get({"toolCallId", "success", "shellExecution"}, t);
    std::optional<int> code;
    if (t[2].is_object())
      if (JsonView c = t[2]["exitCode"]; c.type() == JsonView::Type::kNumber) code = static_cast<int>(c.as_int());
    const bool failed = !t[1].as_bool(true) || (code && *code != 0);
    session().tool_result(t[0].is_string() ? t[0].str_raw() : std::string_view(), failed, code);
  }

  // The turn's last request failed and nothing answered after it: the turn ended in the error.
  void settle_api_error() {
    if (api_error_pending_) session().turn_failed();
    api_error_pending_ = false;
  }

  bool api_error_pending_ = false;
  std::string chunk_id_, chunk_text_;
};

class CopilotHarvester final : public harvest::JsonlHarvester<CopilotParser> {
 protected:
  std::string_view source() const override { return "copilot"; }
  std::string_view default_home() const override { return "~/.copilot"; }
  // session-state/<id>/events.jsonl; the session folders' other files and the lock folder are
  // not transcripts.
  harvest::Candidates find_files(Context&) override {
    return walk("session-state",
                [](std::string_view name, std::string_view) { return name == "events.jsonl" || name == "events.jsonl.zst"; },
                [](std::string_view name, std::string_view) {
                  return name != ".session-operation-locks" && name != "checkpoints" && name != "files" &&
                         name != "research" && name != "rewind-file-snapshots";
                });
  }
};

}  // namespace
}  // namespace skillpipe

SKILLPIPE_PLUGIN(skillpipe::StageKind::kHarvester, "1.0.0",
                 "GitHub Copilot CLI sessions (~/.copilot/session-state) -> session digests: prompts, finals, "
                 "tools, shell commands with exit codes, API errors, tokens; cursors, redaction, filters",
                 skillpipe::kSchemaJson,
                 [] { return std::unique_ptr<skillpipe::StageBase>(new skillpipe::CopilotHarvester); });
