// Matching rules against a request and rendering their replies.
#include "script.hpp"

#include "agent_tools.hpp"
#include "json_out.hpp"

namespace skillpipe::model_server {
namespace {

const Item* last_result_item(const Conversation& c) { return c.last_tool_result(); }

const Item* call_of(const Conversation& c, const Item* result) {
  if (!result) return nullptr;
  for (const auto& it : c.items) {
    if (it.kind == ItemKind::kToolCall && it.call_id == result->call_id) return &it;
  }
  return nullptr;
}

std::string first_line(const std::string& text) {
  size_t b = text.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  return text.substr(b, text.find('\n', b) - b);
}

std::string trim_end(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}

// {{name}} -> value, for the names documented in script.hpp; unknown names stay as written.
std::string expand(const std::string& tmpl, const Conversation& c) {
  if (tmpl.find("{{") == std::string::npos) return tmpl;
  const Item* res = last_result_item(c);
  auto value = [&](const std::string& name, bool* known) -> std::string {
    *known = true;
    if (name == "user") return c.latest_user_text();
    if (name == "last_output") return res ? trim_end(result_output(*res)) : "";
    if (name == "last_output_line") return res ? first_line(result_output(*res)) : "";
    if (name == "exit_code") return res ? std::to_string(exit_code_of(*res)) : "";
    if (name == "last_command") {
      const Item* call = call_of(c, res);
      return call ? shell_command_of(*call) : "";
    }
    if (name == "cwd") return working_directory(c);
    *known = false;
    return {};
  };
  std::string out;
  size_t i = 0;
  while (i < tmpl.size()) {
    size_t open = tmpl.find("{{", i);
    size_t close = open == std::string::npos ? open : tmpl.find("}}", open + 2);
    if (close == std::string::npos) {
      out += tmpl.substr(i);
      break;
    }
    bool known = false;
    std::string v = value(tmpl.substr(open + 2, close - open - 2), &known);
    out += tmpl.substr(i, open - i);
    out += known ? v : tmpl.substr(open, close + 2 - open);
    i = close + 2;
  }
  return out;
}

bool plain_number(const std::string& s, bool* is_int) {
  if (s.empty()) return false;
  size_t i = s[0] == '-' ? 1 : 0;
  bool digits = false, dot = false;
  for (; i < s.size(); ++i) {
    if (std::isdigit(static_cast<unsigned char>(s[i]))) {
      digits = true;
    } else if (s[i] == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  *is_int = !dot;
  return digits;
}

// A YAML tree as JSON; quoted scalars stay strings, plain ones become numbers, booleans or
// null when they look like one; every string is template-expanded.
void to_json(const YAML::Node& n, const Conversation& c, JsonOut& j) {
  if (n.IsMap()) {
    j.obj();
    for (const auto& kv : n) {
      j.key(kv.first.Scalar());
      to_json(kv.second, c, j);
    }
    j.end();
  } else if (n.IsSequence()) {
    j.arr();
    for (const auto& x : n) to_json(x, c, j);
    j.end_arr();
  } else if (!n.IsScalar()) {
    j.null();
  } else {
    const std::string& s = n.Scalar();
    bool is_int = false;
    if (n.Tag() == "!") {
      j.s(expand(s, c));
    } else if (s == "true" || s == "false") {
      j.b(s == "true");
    } else if (s == "null" || s == "~") {
      j.null();
    } else if (plain_number(s, &is_int)) {
      if (is_int) j.i(std::stol(s));
      else j.d(std::stod(s));
    } else {
      j.s(expand(s, c));
    }
  }
}

}  // namespace

bool Condition::matches(const Conversation& c) const {
  if (api && *api != c.api) return false;
  if (user && !user->search(c.latest_user_text())) return false;
  const Item* res = last_result_item(c);
  if (tool_result && !(res && tool_result->search(res->text))) return false;
  if (last_failed && (res != nullptr && exit_code_of(*res) != 0) != *last_failed) return false;
  if (step && static_cast<int>(c.calls_this_turn().size()) != *step) return false;
  if (turn && c.user_turns() != *turn) return false;
  if (tool_offered && !c.tool(*tool_offered)) return false;
  if (context) {
    bool any = false;
    for (std::string_view t : c.context_texts()) any = any || context->search(t);
    if (!any) return false;
  }
  return true;
}

Reply ScriptPolicy::decide(const Conversation& c) {
  for (auto& rule : rules_) {
    if (!rule->when.matches(c)) continue;
    if (rule->times >= 0 && rule->fired.fetch_add(1) >= rule->times) continue;
    if (rule->reply.agent) {
      Reply r = agent_->decide(c);
      r.usage = rule->reply.base.usage;
      r.rule = rule->name + " -> " + r.rule;
      return r;
    }
    Reply r = render(rule->reply, c);
    r.rule = rule->name;
    return r;
  }
  return agent_->decide(c);
}

Reply ScriptPolicy::render(const ReplySpec& spec, const Conversation& c) const {
  Reply r = spec.base;
  if (r.failed()) return r;
  r.text = expand(spec.text, c);
  std::optional<ToolCall> call;
  if (!spec.command.empty()) {
    call = shell_call(c, expand(spec.command, c));
  } else if (!spec.write_path.empty()) {
    call = write_call(c, expand(spec.write_path, c), expand(spec.write_content, c));
  } else if (!spec.skill.empty()) {
    if (c.tool("Skill")) {
      JsonOut j;
      j.obj().ks("skill", spec.skill).end();
      call = ToolCall{"Skill", j.str()};
    } else {
      std::string path = ".agents/skills/" + spec.skill + "/SKILL.md";
      for (const auto& s : listed_skills(c)) {
        if (s.name == spec.skill && !s.path.empty()) path = s.path;
      }
      call = shell_call(c, "cat " + path);
    }
  } else if (!spec.tool.empty()) {
    JsonOut j;
    if (spec.input) {
      to_json(spec.input, c, j);
    } else {
      j.obj().end();
    }
    call = ToolCall{spec.tool, j.str()};
  }
  if (call) r.tool_calls.push_back(std::move(*call));
  bool wanted_call = !spec.command.empty() || !spec.write_path.empty() || !spec.skill.empty() || !spec.tool.empty();
  if (wanted_call && r.tool_calls.empty() && r.text.empty()) {
    r.text = "(scripted model: the request offers no tool for this step)";
  }
  return r;
}

}  // namespace skillpipe::model_server
