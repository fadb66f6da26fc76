// The template drafter (draft_template.hpp).
#include "draft_template.hpp"

#include <algorithm>

#include "skillpipe/kit/safety.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::consolidate_draft {
namespace {

// What a step of the winning path does, by tool family (Claude Code and Codex names).
struct Step {
  const char* family;
  const char* text;
};

Step step_for(const std::string& tool) {
  const std::string t = to_lower_ascii(tool);
  if (t == "read" || t == "read_file" || t == "view" || t == "notebookread")
    return {"read", "Read the files involved before changing anything"};
  if (t == "grep" || t == "glob" || t == "ls" || t == "search" || t == "list_dir" || t == "find")
    return {"search", "Locate the relevant code by searching the project"};
  if (t == "edit" || t == "multiedit" || t == "write" || t == "apply_patch" || t == "notebookedit" ||
      t == "str_replace_based_edit_tool")
    return {"edit", "Make the change in place"};
  if (t == "bash" || t == "shell" || t == "exec_command" || t == "local_shell" || t == "container.exec" ||
      t == "write_stdin")
    return {"run", "Run the project's commands to build and check the result"};
  if (t == "todowrite" || t == "update_plan" || t == "taskcreate" || t == "taskupdate")
    return {"plan", "Write down the steps before starting"};
  if (t == "webfetch" || t == "websearch" || t == "web_search" || t == "web_fetch")
    return {"web", "Look up the reference material"};
  if (t == "task" || t == "agent") return {"delegate", "Hand a self-contained sub-task to a sub-agent"};
  if (t == "skill") return {"skill", "Load the skill the task relies on"};
  if (starts_with(t, "mcp__")) return {"mcp", "Use the integration"};
  return {"", "Use"};
}

std::string code_list(const std::vector<std::string>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", `" : "`") + v[i] + "`";
  return s;
}

std::string procedure_steps(const std::vector<std::string>& chain) {
  // Consecutive tools of one family become one step: "Locate ... (`Grep`, `Glob`)".
  std::vector<std::pair<Step, std::vector<std::string>>> steps;
  for (const auto& tool : chain) {
    const Step s = step_for(tool);
    if (!steps.empty() && *s.family && std::string(steps.back().first.family) == s.family)
      steps.back().second.push_back(tool);
    else
      steps.push_back({s, {tool}});
  }
  std::string out;
  for (std::size_t i = 0; i < steps.size(); ++i)
    out += std::to_string(i + 1) + ". " + steps[i].first.text + " (" + code_list(steps[i].second) + ").\n";
  return out;
}

// Text safe inside a one-line Markdown bullet or a YAML double-quoted scalar.
std::string one_line(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (c == '<' || c == '>') continue;  // no tags in frontmatter, no stray HTML in the body
    out += c;
  }
  return trim(out);
}

std::string yaml_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : one_line(s)) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string title_of(const std::string& label) {
  std::string t = label;
  std::replace(t.begin(), t.end(), '-', ' ');
  if (!t.empty() && t[0] >= 'a' && t[0] <= 'z') t[0] = static_cast<char>(t[0] - 32);
  return t;
}

std::string plural(int n, const std::string& w) { return std::to_string(n) + " " + w + (n == 1 ? "" : "s"); }

// The four sections; `h` is "##" for a new skill, "###" inside an appended section.
std::string sections(const PatternView& p, const std::string& h) {
  std::string s;
  s += h + " When to use\n\n";
  s += "Use this for requests like these, which came up again and again in this project:\n\n";
  std::vector<std::string> asks{p.intent};
  for (const auto& e : p.examples)
    if (asks.size() < 4 && std::find(asks.begin(), asks.end(), e) == asks.end()) asks.push_back(e);
  for (const auto& a : asks)
    if (!one_line(a).empty()) s += "- \"" + one_line(a) + "\"\n";

  s += "\n" + h + " Procedure\n\n";
  if (!p.tool_chain.empty()) {
    std::string support = p.tool_chain_support;
    if (const auto slash = support.find('/'); slash != std::string::npos)
      support = support.substr(0, slash) + " of the " + support.substr(slash + 1);
    s += "The successful sessions followed this path (each step was taken in at least " + support + " sessions):\n\n";
    s += procedure_steps(p.tool_chain);
  } else {
    s += "The successful sessions shared no common tool chain; follow the request directly.\n";
  }
  if (!p.skills.empty()) s += "\nSkills these sessions relied on: " + code_list(p.skills) + ".\n";
  if (!p.files.empty()) s += "\nFiles usually involved: " + code_list(p.files) + ".\n";

  s += "\n" + h + " Expected result\n\n";
  s += "A finished answer looked like this:\n\n";
  int shown = 0;
  for (auto it = p.evidence.rbegin(); it != p.evidence.rend() && shown < 3; ++it) {
    if (it->outcome != Outcome::kSuccess || one_line(it->result).empty()) continue;
    s += "- \"" + one_line(it->result) + "\"\n";
    ++shown;
  }
  if (shown == 0) s += "- (the sessions recorded no final answer text)\n";

  s += "\n" + h + " Source evidence\n\n";
  s += "Drafted by skillpipe without an LLM from pattern `" + p.id + "`: " + plural(p.successes, "successful session") +
       ", " + plural(p.failures, "failed session") + " (success ratio " + p.ratio + ").\n\n";
  for (const auto& e : p.evidence) {
    s += "- `" + e.session + "` (" + e.at.substr(0, 10) + "): " + to_string(e.outcome);
    if (!e.reason.empty()) s += ", " + one_line(e.reason);
    s += "\n";
  }
  return s;
}

}  // namespace

std::string skill_name_for(const PatternView& p) {
  if (valid_skill_name(p.label, 64) && p.label.find("claude") == std::string::npos &&
      p.label.find("anthropic") == std::string::npos)
    return p.label;
  const std::string hex = p.id.size() > 4 ? p.id.substr(4, 8) : sha256_hex(p.id).substr(0, 8);
  return "pattern-" + hex;
}

std::string section_heading(const PatternView& p) { return "## Learned pattern: " + p.label + " (`" + p.id + "`)"; }

std::string render_new_skill(const PatternView& p, const std::string& name) {
  std::string ask = truncate_utf8(one_line(p.intent), 200);
  std::replace(ask.begin(), ask.end(), '"', '\'');
  const std::string desc = "Use for recurring requests like '" + ask + "' (learned from " +
                           plural(p.successes, "successful session") + " in this project).";
  std::string s = "---\nname: " + name + "\ndescription: " + yaml_quote(desc) + "\n---\n\n";
  s += "# " + title_of(p.label.empty() ? name : p.label) + "\n\n";
  s += sections(p, "##");
  return s;
}

std::string render_append(const PatternView& p, const std::string& base) {
  return append_section(p, base,
                        "Learned by skillpipe from recent sessions; review before adopting.\n\n" + sections(p, "###"));
}

std::string append_section(const PatternView& p, const std::string& base, const std::string& body) {
  const std::string heading = section_heading(p);
  std::string section = heading + "\n\n" + body;
  while (!section.empty() && section.back() == '\n') section.pop_back();
  section += "\n";

  std::string text = base;
  const auto at = text.find(heading);
  if (at != std::string::npos) {
    // Replace the earlier night's section for this pattern, up to the next "## " heading.
    auto end = text.find("\n## ", at + heading.size());
    end = end == std::string::npos ? text.size() : end + 1;
    const std::string tail = text.substr(end);
    return text.substr(0, at) + section + (tail.empty() ? "" : "\n" + tail);
  }
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text + "\n\n" + section;
}

}  // namespace skillpipe::consolidate_draft
