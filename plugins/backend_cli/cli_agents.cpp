#include "cli_agents.hpp"

#include <rapidjson/document.h>

#include <algorithm>

#include "request_text.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe_internal/json_parse.hpp"

namespace skillpipe::backend_cli {
namespace {

using rapidjson::Document;
using rapidjson::Value;

std::string get_str(const Value& o, const char* k) {
  return o.IsObject() && o.HasMember(k) && o[k].IsString() ? std::string(o[k].GetString(), o[k].GetStringLength())
                                                           : std::string();
}

std::int64_t get_i64(const Value& o, const char* k) {
  if (!o.IsObject() || !o.HasMember(k)) return 0;
  if (o[k].IsInt64()) return o[k].GetInt64();
  if (o[k].IsNumber()) return static_cast<std::int64_t>(o[k].GetDouble());
  return 0;
}

// The one JSON object Claude prints with --output-format json (tolerating log lines around it).
bool parse_claude_json(const std::string& out, Document& d) {
  std::string t = trim(out);
  if (!skillpipe::detail::parse_json(d, t) && d.IsObject()) return true;
  auto lines = split(t, '\n');
  for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
    std::string line = trim(*it);
    if (line.empty() || line[0] != '{') continue;
    if (!skillpipe::detail::parse_json(d, line) && d.IsObject()) return true;
  }
  return false;
}

std::string first_line(const std::string& s) {
  std::string t = trim(s);
  return backend_common::printable(t.substr(0, t.find('\n')), 300);  // a CLI's stderr may hold any bytes
}

// An error with no text of its own: say what the process did.
std::string exit_summary(const ProcessResult& p) {
  if (p.term_signal) return "killed by signal " + std::to_string(p.term_signal);
  return "exited with code " + std::to_string(p.exit_code);
}

AgentAnswer read_claude(const ProcessResult& p) {
  AgentAnswer a;
  Document d;
  if (parse_claude_json(p.out, d)) {
    a.text = get_str(d, "result");
    bool is_error = d.HasMember("is_error") && d["is_error"].IsBool() && d["is_error"].GetBool();
    std::string subtype = get_str(d, "subtype");
    if (d.HasMember("usage") && d["usage"].IsObject()) {
      const Value& u = d["usage"];
      a.usage.cache_read = get_i64(u, "cache_read_input_tokens");
      a.usage.cache_write = get_i64(u, "cache_creation_input_tokens");
      a.usage.input = get_i64(u, "input_tokens") + a.usage.cache_read + a.usage.cache_write;
      a.usage.output = get_i64(u, "output_tokens");
      a.has_usage = true;
    }
    if (d.HasMember("total_cost_usd") && d["total_cost_usd"].IsNumber()) a.cost_usd = d["total_cost_usd"].GetDouble();
    if (d.HasMember("modelUsage") && d["modelUsage"].IsObject() && d["modelUsage"].MemberCount() > 0) {
      a.model = d["modelUsage"].MemberBegin()->name.GetString();
    }
    if (is_error || (!subtype.empty() && subtype != "success")) {
      std::string msg = a.text.empty() ? subtype : a.text;
      a.failure = classify_error_text(msg + "\n" + p.err);
      a.error = "claude reported an error: " + first_line(msg.empty() ? p.err : msg);
      a.text.clear();
      return a;
    }
    if (p.exit_code != 0) {
      a.failure = classify_error_text(p.err + "\n" + a.text);
      a.error = "claude " + exit_summary(p) + ": " + first_line(p.err.empty() ? a.text : p.err);
      a.text.clear();
      return a;
    }
  } else {
    // Not JSON: an old CLI printing text, or an error message.
    if (p.exit_code != 0) {
      a.failure = classify_error_text(p.err + "\n" + p.out);
      a.error = "claude " + exit_summary(p) + ": " + first_line(p.err.empty() ? p.out : p.err);
      return a;
    }
    a.text = p.out;
  }
  return a;
}

AgentAnswer read_codex(const ProcessResult& p, const std::string& answer_file_text) {
  AgentAnswer a;
  std::string last_message;
  std::string errors;
  bool completed = false;
  for (const auto& raw : split(p.out, '\n')) {
    std::string line = trim(raw);
    if (line.empty() || line[0] != '{') continue;
    Document d;
    if (skillpipe::detail::parse_json(d, line) || !d.IsObject()) continue;
    std::string type = get_str(d, "type");
    if (type == "item.completed" && d.HasMember("item") && d["item"].IsObject()) {
      const Value& item = d["item"];
      std::string it = get_str(item, "type");
      if (it == "agent_message" || it == "assistant_message") last_message = get_str(item, "text");
      if (it == "error") errors += get_str(item, "message") + "\n";
    } else if (type == "turn.completed") {
      completed = true;
      if (d.HasMember("usage") && d["usage"].IsObject()) {
        const Value& u = d["usage"];
        a.usage.input = get_i64(u, "input_tokens");
        a.usage.cache_read = get_i64(u, "cached_input_tokens");
        a.usage.output = get_i64(u, "output_tokens");
        a.has_usage = true;
      }
    } else if (type == "turn.failed") {
      if (d.HasMember("error") && d["error"].IsObject()) errors += get_str(d["error"], "message") + "\n";
    } else if (type == "error") {
      errors += get_str(d, "message") + "\n";
    }
  }
  std::string from_file = answer_file_text;
  while (!from_file.empty() && (from_file.back() == '\n' || from_file.back() == '\r')) from_file.pop_back();
  a.text = trim(from_file).empty() ? last_message : from_file;
  // Codex reports reconnects as error events and then succeeds: a completed turn with an
  // answer is an answer.
  if (p.exit_code == 0 && completed && !trim(a.text).empty()) return a;
  if (p.exit_code != 0 || !errors.empty()) {
    std::string all = errors + "\n" + p.err;
    a.failure = classify_error_text(all);
    std::string shown = first_line(errors.empty() ? p.err : errors);
    a.error = "codex " + (p.exit_code != 0 ? exit_summary(p) : std::string("reported an error")) +
              (shown.empty() ? std::string() : ": " + shown);
    a.text.clear();
    return a;
  }
  return a;
}

}  // namespace

std::vector<std::string> agent_argv(const AgentSettings& s, const std::string& workdir, const std::string& answer_file) {
  std::vector<std::string> argv{s.binary};
  if (s.agent == Agent::kClaude) {
    if (!s.args.empty()) {
      argv.insert(argv.end(), s.args.begin(), s.args.end());
    } else {
      // Print mode, one JSON result, no tools, no MCP servers, nothing saved to history.
      argv.insert(argv.end(), {"-p", "--output-format", "json", "--tools", "", "--strict-mcp-config",
                               "--no-session-persistence"});
      if (s.bare) argv.push_back("--bare");
    }
    if (!s.model.empty()) argv.insert(argv.end(), {"--model", s.model});
  } else {
    argv.push_back("exec");
    if (!s.args.empty()) {
      argv.insert(argv.end(), s.args.begin(), s.args.end());
    } else {
      // Read-only sandbox in an empty folder, JSONL events, no rollout file in ~/.codex.
      argv.insert(argv.end(), {"--skip-git-repo-check", "--ephemeral", "--sandbox", "read-only", "--color", "never",
                               "--json", "-C", workdir});
    }
    argv.insert(argv.end(), {"-o", answer_file});
    if (!s.model.empty()) argv.insert(argv.end(), {"-m", s.model});
  }
  argv.insert(argv.end(), s.extra_args.begin(), s.extra_args.end());
  if (s.agent == Agent::kCodex) argv.push_back("-");  // the prompt comes on stdin
  return argv;
}

std::vector<std::string> agent_env_unset(const AgentSettings& s) {
  // A Claude Code session sets CLAUDECODE; a nested `claude` would refuse to start.
  if (s.agent == Agent::kClaude) return {"CLAUDECODE", "CLAUDE_CODE_ENTRYPOINT"};
  return {};
}

std::vector<std::string> agent_env_set(const AgentSettings& s) {
  if (s.agent == Agent::kClaude) return {"DISABLE_AUTOUPDATER=1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1"};
  return {"NO_COLOR=1"};
}

AgentAnswer read_answer(const AgentSettings& s, const ProcessResult& p, const std::string& answer_file_text) {
  AgentAnswer a;
  const char* name = s.agent == Agent::kClaude ? "claude" : "codex";
  if (!p.started) {
    a.failure = Failure::kFatal;
    a.error = std::string(name) + " could not be started: " + p.start_error;
    return a;
  }
  if (p.cancelled) {
    a.failure = Failure::kFatal;
    a.error = std::string(name) + " was stopped: the run was cancelled";
    return a;
  }
  if (p.timed_out) {
    a.failure = Failure::kTransient;
    a.error = std::string(name) + " timed out after " + std::to_string(static_cast<int>(p.elapsed_s)) + " s";
    return a;
  }
  a = s.agent == Agent::kClaude ? read_claude(p) : read_codex(p, answer_file_text);
  if (a.failure == Failure::kNone && trim(a.text).empty()) {
    // Silence with an auth complaint on stderr is an auth error, not an empty answer.
    Failure f = classify_error_text(p.err);
    a.failure = (f == Failure::kTransient || trim(p.err).empty()) ? Failure::kEmpty : f;
    a.error = std::string(name) + " returned an empty answer" +
              (trim(p.err).empty() ? std::string() : " (stderr: " + first_line(p.err) + ")");
  }
  return a;
}

}  // namespace skillpipe::backend_cli
