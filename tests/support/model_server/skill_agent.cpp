#include "skill_agent.hpp"

#include <rapidjson/document.h>

#include "agent_tools.hpp"
#include "json_out.hpp"

namespace skillpipe::model_server {
namespace {

constexpr std::string_view kClaudeBodyPrefix = "Base directory for this skill:";

std::string skill_arg(const Item& call) {
  rapidjson::Document d;
  d.Parse(call.input_json.data(), call.input_json.size());
  if (d.HasParseError() || !d.IsObject()) return {};
  auto it = d.FindMember("skill");
  return it != d.MemberEnd() && it->value.IsString() ? it->value.GetString() : "";
}

std::string shell_quote(const std::string& s) {
  if (s.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-") == std::string::npos) {
    return s;
  }
  std::string out = "'";
  for (char ch : s) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

std::string skill_file(const ListedSkill& s) {
  return s.path.empty() ? ".agents/skills/" + s.name + "/SKILL.md" : s.path;
}

bool loads(const Item& call, const ListedSkill& s) {
  if (call.tool_name == "Skill") return skill_arg(call) == s.name;
  std::string cmd = shell_command_of(call);
  return !cmd.empty() && cmd.find(skill_file(s)) != std::string::npos;
}

// Claude Code injects "Base directory for this skill: <dir>\n\n<body>" after a Skill call.
std::string claude_body(const Conversation& c, int after, const std::string& name) {
  for (size_t i = static_cast<size_t>(after + 1); i < c.items.size(); ++i) {
    const std::string& t = c.items[i].text;
    if (c.items[i].kind != ItemKind::kContext || !t.starts_with(kClaudeBodyPrefix)) continue;
    std::string first = t.substr(0, t.find('\n'));
    if (!first.ends_with("/" + name)) continue;
    size_t blank = t.find("\n\n");
    return blank == std::string::npos ? std::string() : strip_frontmatter(std::string_view(t).substr(blank + 2));
  }
  return {};
}

std::string first_line(const std::string& text) {
  size_t b = text.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return {};
  return text.substr(b, text.find('\n', b) - b);
}

std::string list(const std::vector<std::string>& cmds) {
  std::string out;
  for (const auto& c : cmds) out += (out.empty() ? "`" : ", `") + c + "`";
  return out;
}

}  // namespace

TurnState read_turn(const Conversation& c, const SkillAgentOptions& o) {
  TurnState t;
  const int start = c.latest_user_index();
  t.task = c.latest_user_text();
  t.skills = listed_skills(c);
  t.match = best_skill(t.task, t.skills, o.threshold, o.min_shared, o.ignore_skills);
  int from = start;
  if (t.match) {
    for (int i = start + 1; i < static_cast<int>(c.items.size()); ++i) {
      const Item& it = c.items[i];
      if (it.kind != ItemKind::kToolCall || !loads(it, t.match->skill)) continue;
      t.load_call = i;
      if (it.tool_name == "Skill") {
        t.body = claude_body(c, i, t.match->skill.name);
      } else if (const Item* r = c.result_for(it.call_id)) {
        t.body = strip_frontmatter(result_output(*r));
      }
      break;
    }
    from = t.load_call;
  }
  if (!t.match || t.load_call >= 0) {
    for (size_t i = static_cast<size_t>(from + 1); i < c.items.size(); ++i) {
      if (c.items[i].kind == ItemKind::kToolCall && !shell_command_of(c.items[i]).empty()) {
        t.shell_calls_after_load.push_back(&c.items[i]);
      }
    }
  }
  return t;
}

Reply SkillAgentPolicy::decide(const Conversation& c) {
  TurnState t = read_turn(c, o_);
  auto with_usage = [this](Reply r, std::string rule) {
    r.usage = o_.usage;
    r.rule = "skill_agent:" + std::move(rule);
    return r;
  };
  if (t.task.empty()) return with_usage(Reply::say(o_.default_answer), "no-task");
  std::vector<std::string> ran;
  for (const Item* call : t.shell_calls_after_load) {
    const Item* res = c.result_for(call->call_id);
    ran.push_back(shell_command_of(*call));
    if (res && exit_code_of(*res) != 0) {
      std::string why = first_line(result_output(*res));
      return with_usage(Reply::say("I could not finish the task: `" + ran.back() + "` failed with exit code " +
                                   std::to_string(exit_code_of(*res)) + (why.empty() ? "." : ": " + why)),
                        "failed");
    }
  }
  if (t.match && t.load_call < 0) {
    const ListedSkill& s = t.match->skill;
    if (c.tool("Skill")) {
      JsonOut j;
      j.obj().ks("skill", s.name).end();
      return with_usage(Reply::call("Skill", j.str()), "load " + s.name);
    }
    if (auto call = shell_call(c, "cat " + shell_quote(skill_file(s)))) {
      Reply r;
      r.tool_calls.push_back(*call);
      return with_usage(std::move(r), "load " + s.name);
    }
  }
  std::vector<std::string> plan = t.match ? skill_commands(t.body) : o_.default_commands;
  size_t next = t.shell_calls_after_load.size();
  if (next < plan.size()) {
    if (auto call = shell_call(c, plan[next])) {
      Reply r;
      r.tool_calls.push_back(*call);
      return with_usage(std::move(r), (t.match ? "run " : "naive ") + std::to_string(next + 1) + "/" +
                                          std::to_string(plan.size()));
    }
  }
  return with_usage(finish(c, t.match ? t.match->skill.name : "", ran), "answer");
}

Reply SkillAgentPolicy::finish(const Conversation&, const std::string& skill, const std::vector<std::string>& ran) const {
  if (ran.empty()) return Reply::say(skill.empty() ? o_.default_answer : "I followed the " + skill + " skill.");
  if (skill.empty()) return Reply::say("Done. I ran " + list(ran) + ".");
  return Reply::say("Done. I followed the " + skill + " skill and ran " + list(ran) + ".");
}

}  // namespace skillpipe::model_server
