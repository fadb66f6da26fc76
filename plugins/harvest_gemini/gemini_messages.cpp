// gemini_messages.cpp - Gemini CLI records -> SessionBuilder calls (see gemini_messages.hpp).
#include "gemini_messages.hpp"

#include <charconv>

#include "skillpipe/kit/util.hpp"

namespace skillpipe::gemini {

using harvest::JsonView;

namespace {

// A shell result's exit code: run_shell_command reports status "success" whatever the command
// returned; a non-zero code is only a line of the output text ("Exit Code: 127").
std::optional<int> exit_code_in(std::string_view output) {
  constexpr std::string_view kLine = "\nExit Code: ";
  const std::size_t at = output.find(kLine);
  if (at == std::string_view::npos) return std::nullopt;
  const char* first = output.data() + at + kLine.size();
  int code = 0;
  const auto [end, ec] = std::from_chars(first, output.data() + output.size(), code);
  return ec == std::errc() && end != first ? std::optional<int>(code) : std::nullopt;
}

std::string str_of(const JsonView& v) { return v.is_string() ? v.str() : std::string(); }

// The text of a string, a part, or a Part[] (text parts joined by newlines).
std::string text_of(const JsonView& v) {
  if (v.is_string()) return v.str();
  if (v.is_object()) return v["text"].is_string() ? v["text"].str() : std::string();
  std::string out;
  if (!v.is_array()) return out;
  auto it = v.iter();
  JsonView part;
  while (it.next(part)) {
    const JsonView t = part.is_object() ? part["text"] : part;
    if (!t.is_string()) continue;
    if (!out.empty()) out += "\n";
    t.append_str(out);
  }
  return out;
}

// The exit code in a tool call's function responses, if any.
std::optional<int> result_exit_code(const JsonView& result) {
  if (!result.is_array()) return std::nullopt;
  auto it = result.iter();
  JsonView part;
  while (it.next(part)) {
    const JsonView out = part["functionResponse"]["response"]["output"];
    if (out.is_string())
      if (auto code = exit_code_in(out.str())) return code;
  }
  return std::nullopt;
}

}  // namespace

std::string project_of(const ProjectIndex& projects, std::string_view home, std::string_view path) {
  const std::string tmp = std::string(home) + "/tmp/";
  if (!starts_with(path, tmp)) return {};
  const std::string_view rest = path.substr(tmp.size());
  const std::string_view folder = rest.substr(0, rest.find('/'));
  if (auto it = projects.find(folder); it != projects.end()) return it->second;
  const bool hash = folder.size() == 64 && folder.find_first_not_of("0123456789abcdef") == std::string_view::npos;
  return hash ? "gemini:" + std::string(folder) : std::string();
}

Messages::Messages(harvest::SessionBuilder& s) : s_(s) {}

void Messages::header(const JsonView& rec) {
  JsonView f[2];
  rec.get({"sessionId", "kind"}, f);
  if (f[0].is_string()) s_.session_id(f[0].str());
  if (f[1].str_eq("subagent")) subagent_ = true;
  rebuilding_ = true;
}

void Messages::set(const JsonView& patch) {
  const JsonView list = patch["messages"];
  if (!list.is_array() || rebuilding_ || open_prompt_.empty()) return;
  auto it = list.iter();
  JsonView m;
  while (it.next(m)) {
    if (m["id"].str_eq(open_prompt_)) return;
    // A compression replaces the history with a summary: not a rollback.
    const JsonView content = m["content"];
    if (content.is_array() && content.raw().find("<state_snapshot>") != std::string_view::npos) return;
  }
  // geminiChat rolls a failed request's prompt out of the history (headless mode writes no
  // error message): the turn ended in an API error.
  s_.api_error(true);
  open_prompt_.clear();
}

void Messages::message(const JsonView& m, std::int64_t offset) {
  enum { kId, kType, kTs, kContent, kDisplay, kTokens, kModel, kCalls };
  JsonView f[8];
  m.get({"id", "type", "timestamp", "content", "displayContent", "tokens", "model", "toolCalls"}, f);
  rebuilding_ = false;
  const std::string_view id = f[kId].is_string() ? f[kId].str_raw() : std::string_view();
  const auto ms = f[kTs].is_string() ? parse_iso8601_ms(f[kTs].str_raw()) : std::nullopt;
  if (!s_.at(ms.value_or(0))) return;
  if (f[kType].str_eq("gemini")) return model(f, id);
  if (!id.empty() && !seen_.insert(id)) return;  // a rewrite: read already
  if (f[kType].str_eq("user")) return user(f, id, offset);
  if (f[kType].str_eq("error")) return s_.api_error(true);  // interactive mode's error notice
  if (f[kType].str_eq("info") || f[kType].str_eq("warning")) return;
  count("unknown_records");
}

void Messages::user(const JsonView* f, std::string_view id, std::int64_t offset) {
  // displayContent is what the user typed when content holds expansions (@file contents).
  const std::string text = trim(text_of(f[4].valid() && !f[4].is_null() ? f[4] : f[3]));
  if (text.empty()) return;  // function responses: the outcomes are on the model's toolCalls
  if (starts_with(text, "<session_context>") || starts_with(text, "<hook_context>") || text[0] == '?') return;
  if (starts_with(text, "<state_snapshot>")) {  // a compression summary, followed by a model "Got it."
    s_.compaction();
    skip_ack_ = true;
    return;
  }
  if (text[0] == '/') return s_.command_turn(text.substr(0, text.find_first_of(" \t\n")), offset);
  s_.prompt(text, offset);
  open_prompt_ = std::string(id);
}

void Messages::model(const JsonView* f, std::string_view id) {
  // The newest model message of the previous read may be re-written after the cursor (its tool
  // calls added): its text and tokens were read then.
  const auto last = s_.state().find("last_model");
  const bool first = (id.empty() || seen_.insert(id)) && !(last != s_.state().end() && last->second == id);
  if (skip_ack_ && first) {
    skip_ack_ = false;
    return;
  }
  s_.answered();
  open_prompt_.clear();
  if (f[6].is_string() && !f[6].str_eq(s_.model())) s_.model(f[6].str());
  if (first && f[5].is_object()) {
    JsonView t[4];
    f[5].get({"input", "output", "cached", "thoughts"}, t);
    // input is promptTokenCount, which includes the cached tokens; thoughts are billed output.
    const std::int64_t cached = t[2].as_int();
    s_.add_usage(TokenUsage{std::max<std::int64_t>(0, t[0].as_int() - cached), t[1].as_int() + t[3].as_int(), cached, 0},
                 id);
  }
  const std::string text = trim(text_of(f[3]));
  if (first && !text.empty()) s_.answer_text(text, id);
  const bool calls = f[7].is_array() && f[7].raw().size() > 2;
  if (calls) tool_calls(f[7]);
  else if (!text.empty()) s_.turn_finished();  // a reply without tool calls ends the turn
  if (!id.empty()) s_.state()["last_model"] = std::string(id);
}

// toolCalls are written once the calls finished: each carries its terminal status and result.
void Messages::tool_calls(const JsonView& calls) {
  auto it = calls.iter();
  JsonView call;
  while (it.next(call)) {
    JsonView c[5];
    call.get({"id", "name", "args", "status", "result"}, c);
    const std::string name = c[1].is_string() ? c[1].str() : std::string();
    const harvest::CallRef ref = s_.tool_call(name, c[0].is_string() ? c[0].str_raw() : std::string_view());
    if (ref.id == 0) continue;  // seen before (the builder counts each call id once)
    if (c[2].is_object()) {
      if (name == "run_shell_command") s_.command(ref, str_of(c[2]["command"]));
      else if (name == "write_file" || name == "replace" || name == "read_file") s_.file_touched(str_of(c[2]["file_path"]));
      // activate_skill's one argument is "name" (SKILL_PARAM_NAME in the 0.61.0 bundle,
      // chunk-JDPZ4CE3.js, getActivateSkillDeclaration).
      else if (name == "activate_skill") s_.skill_used(str_of(c[2]["name"]));
      else if (name == "invoke_agent") s_.subagent_call();
    }
    const std::optional<int> code = result_exit_code(c[4]);
    s_.tool_result(ref, !c[3].str_eq("success") || (code && *code != 0), code);
    if (c[3].str_eq("cancelled")) s_.interrupted();
  }
}

}  // namespace skillpipe::gemini
