// Reading a script file into a ScriptPolicy, with errors that name the file, line, field,
// what was expected and what was found.
#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "script.hpp"

namespace skillpipe::model_server {

class ScriptLoader {
 public:
  explicit ScriptLoader(std::string origin) : origin_(std::move(origin)) {}

  std::shared_ptr<ScriptPolicy> load(const YAML::Node& root) {
    auto p = std::shared_ptr<ScriptPolicy>(new ScriptPolicy());
    if (!root.IsMap()) fail(root, "(top level)", "expected a mapping with `rules:` (and optionally usage, agent, id_prefix)");
    keys(root, "(top level)", {"description", "id_prefix", "usage", "agent", "rules"});
    if (root["id_prefix"]) p->id_prefix_ = str(root["id_prefix"], "id_prefix");
    if (root["usage"]) p->usage_ = usage(root["usage"], "usage", Usage{});
    SkillAgentOptions ao;
    ao.usage = p->usage_;
    if (root["agent"]) agent(root["agent"], ao);
    p->agent_ = std::make_shared<SkillAgentPolicy>(ao);
    const YAML::Node rules = root["rules"];
    if (rules && !rules.IsSequence()) fail(rules, "rules", "expected a list of rules");
    for (size_t i = 0; rules && i < rules.size(); ++i) {
      p->rules_.push_back(rule(rules[i], "rules[" + std::to_string(i) + "]", p->usage_));
    }
    return p;
  }

 private:
  [[noreturn]] void fail(const YAML::Node& n, const std::string& field, const std::string& msg) const {
    const YAML::Mark m = n.Mark();
    std::string where = origin_;
    if (m.line >= 0) where += ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
    throw std::runtime_error(where + ": " + field + ": " + msg);
  }

  static std::string shown(const YAML::Node& n) {
    if (n.IsScalar()) return "'" + n.Scalar() + "'";
    return n.IsMap() ? "a mapping" : n.IsSequence() ? "a list" : "nothing";
  }

  void keys(const YAML::Node& map, const std::string& field, std::initializer_list<const char*> allowed) const {
    if (!map.IsMap()) fail(map, field, "expected a mapping, got " + shown(map));
    for (const auto& kv : map) {
      std::string k = kv.first.Scalar();
      if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return k == a; })) {
        std::string list;
        for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        fail(kv.first, field, "unknown key '" + k + "' (allowed: " + list + ")");
      }
    }
  }

  std::string str(const YAML::Node& n, const std::string& field) const {
    if (!n.IsScalar()) fail(n, field, "expected a string, got " + shown(n));
    return n.Scalar();
  }

  long integer(const YAML::Node& n, const std::string& field) const {
    try {
      if (n.IsScalar()) return n.as<long>();
    } catch (const YAML::Exception&) {
    }
    fail(n, field, "expected an integer, got " + shown(n));
  }

  double real(const YAML::Node& n, const std::string& field) const {
    try {
      if (n.IsScalar()) return n.as<double>();
    } catch (const YAML::Exception&) {
    }
    fail(n, field, "expected a number, got " + shown(n));
  }

  bool boolean(const YAML::Node& n, const std::string& field) const {
    try {
      if (n.IsScalar()) return n.as<bool>();
    } catch (const YAML::Exception&) {
    }
    fail(n, field, "expected true or false, got " + shown(n));
  }

  std::vector<std::string> strings(const YAML::Node& n, const std::string& field) const {
    if (!n.IsSequence()) fail(n, field, "expected a list of strings, got " + shown(n));
    std::vector<std::string> out;
    for (size_t i = 0; i < n.size(); ++i) out.push_back(str(n[i], field + "[" + std::to_string(i) + "]"));
    return out;
  }

  Regex regex(const YAML::Node& n, const std::string& field) const {
    try {
      return Regex(str(n, field));
    } catch (const std::runtime_error& e) {
      fail(n, field, e.what());
    }
  }

  Usage usage(const YAML::Node& n, const std::string& f, Usage u) const {
    keys(n, f, {"input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"});
    if (n["input_tokens"]) u.input_tokens = integer(n["input_tokens"], f + ".input_tokens");
    if (n["output_tokens"]) u.output_tokens = integer(n["output_tokens"], f + ".output_tokens");
    if (n["cache_read_input_tokens"]) u.cache_read_input_tokens = integer(n["cache_read_input_tokens"], f + ".cache_read_input_tokens");
    if (n["cache_creation_input_tokens"]) {
      u.cache_creation_input_tokens = integer(n["cache_creation_input_tokens"], f + ".cache_creation_input_tokens");
    }
    return u;
  }

  void agent(const YAML::Node& n, SkillAgentOptions& o) const {
    keys(n, "agent", {"threshold", "min_shared", "ignore_skills", "default_commands", "default_answer"});
    if (n["threshold"]) o.threshold = real(n["threshold"], "agent.threshold");
    if (n["min_shared"]) o.min_shared = static_cast<int>(integer(n["min_shared"], "agent.min_shared"));
    if (n["ignore_skills"]) o.ignore_skills = strings(n["ignore_skills"], "agent.ignore_skills");
    if (n["default_commands"]) o.default_commands = strings(n["default_commands"], "agent.default_commands");
    if (n["default_answer"]) o.default_answer = str(n["default_answer"], "agent.default_answer");
  }

  Condition condition(const YAML::Node& n, const std::string& f) const {
    keys(n, f, {"api", "user", "tool_result", "context", "step", "turn", "last_failed", "tool_offered"});
    Condition c;
    if (n["api"]) {
      std::string a = str(n["api"], f + ".api");
      if (a == "anthropic") c.api = Api::kAnthropic;
      else if (a == "responses") c.api = Api::kResponses;
      else if (a == "chat") c.api = Api::kChat;
      else fail(n["api"], f + ".api", "expected anthropic, responses or chat, got '" + a + "'");
    }
    if (n["user"]) c.user = regex(n["user"], f + ".user");
    if (n["tool_result"]) c.tool_result = regex(n["tool_result"], f + ".tool_result");
    if (n["context"]) c.context = regex(n["context"], f + ".context");
    if (n["step"]) c.step = static_cast<int>(integer(n["step"], f + ".step"));
    if (n["turn"]) c.turn = static_cast<int>(integer(n["turn"], f + ".turn"));
    if (n["last_failed"]) c.last_failed = boolean(n["last_failed"], f + ".last_failed");
    if (n["tool_offered"]) c.tool_offered = str(n["tool_offered"], f + ".tool_offered");
    return c;
  }

  void failure(const YAML::Node& n, const std::string& f, Reply& r) const {
    keys(n, f, {"status", "type", "message", "retry_after"});
    if (!n["status"]) fail(n, f, "an error needs a `status` (e.g. 500, 529, 400)");
    r.status = static_cast<int>(integer(n["status"], f + ".status"));
    if (r.status < 400 || r.status > 599) fail(n["status"], f + ".status", "expected an HTTP error status 400-599");
    if (n["type"]) r.error_type = str(n["type"], f + ".type");
    if (n["message"]) r.error_message = str(n["message"], f + ".message");
    if (n["retry_after"]) r.retry_after = str(n["retry_after"], f + ".retry_after");
  }

  ReplySpec reply(const YAML::Node& n, const std::string& f, const Usage& u) const {
    ReplySpec s;
    s.base.usage = u;
    if (n.IsScalar()) {
      s.text = n.Scalar();
      return s;
    }
    keys(n, f, {"text", "command", "tool", "input", "skill", "write", "agent", "usage", "error", "stream_error",
                "cut_after", "delay_ms", "hang_ms"});
    if (n["text"]) s.text = str(n["text"], f + ".text");
    if (n["command"]) s.command = str(n["command"], f + ".command");
    if (n["tool"]) s.tool = str(n["tool"], f + ".tool");
    if (n["input"]) s.input = n["input"];
    if (n["input"] && !n["input"].IsMap()) fail(n["input"], f + ".input", "expected a mapping (the tool's arguments)");
    if (n["input"] && s.tool.empty()) fail(n["input"], f + ".input", "`input` needs `tool` (the tool's name)");
    if (n["skill"]) s.skill = str(n["skill"], f + ".skill");
    if (n["write"]) {
      keys(n["write"], f + ".write", {"path", "content"});
      if (!n["write"]["path"]) fail(n["write"], f + ".write", "needs `path`");
      s.write_path = str(n["write"]["path"], f + ".write.path");
      if (n["write"]["content"]) s.write_content = str(n["write"]["content"], f + ".write.content");
    }
    if (n["agent"]) s.agent = boolean(n["agent"], f + ".agent");
    if (n["usage"]) s.base.usage = usage(n["usage"], f + ".usage", u);
    if (n["error"]) failure(n["error"], f + ".error", s.base);
    if (n["stream_error"]) s.base.stream_error = str(n["stream_error"], f + ".stream_error");
    if (n["cut_after"]) s.base.cut_after_events = static_cast<int>(integer(n["cut_after"], f + ".cut_after"));
    if (n["delay_ms"]) s.base.delay_ms = static_cast<int>(integer(n["delay_ms"], f + ".delay_ms"));
    if (n["hang_ms"]) s.base.hang_ms = static_cast<int>(integer(n["hang_ms"], f + ".hang_ms"));
    int calls = !s.command.empty() + !s.tool.empty() + !s.skill.empty() + !s.write_path.empty() + s.agent;
    if (calls > 1) fail(n, f, "give at most one of command, tool, skill, write, agent");
    return s;
  }

  std::unique_ptr<Rule> rule(const YAML::Node& n, const std::string& f, const Usage& u) const {
    keys(n, f, {"name", "when", "reply", "times"});
    auto r = std::make_unique<Rule>();
    r->name = n["name"] ? str(n["name"], f + ".name") : f;
    if (n["when"]) r->when = condition(n["when"], f + ".when");
    if (!n["reply"]) fail(n, f, "a rule needs a `reply`");
    r->reply = reply(n["reply"], f + ".reply", u);
    if (n["times"]) r->times = static_cast<int>(integer(n["times"], f + ".times"));
    return r;
  }

  std::string origin_;
};

std::shared_ptr<ScriptPolicy> ScriptPolicy::parse(const std::string& text, const std::string& origin) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw std::runtime_error(origin + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                             ": not valid YAML/JSON: " + e.msg);
  }
  return ScriptLoader(origin).load(root);
}

std::shared_ptr<ScriptPolicy> ScriptPolicy::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read the script file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse(ss.str(), path);
}

}  // namespace skillpipe::model_server
