// The template drafter (draft_template.hpp).
#include "draft_template.hpp"

#include <algorithm>

#include "procedure_text.hpp"
#include "skillpipe/kit/safety.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::consolidate_draft {
namespace {

std::string code_list(const std::vector<std::string>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", `" : "`") + v[i] + "`";
  return s;
}

// `text` with each redaction marker ("[REDACTED:github_token]") replaced by `with`.
std::string replace_markers(const std::string& text, const std::string& with) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto at = text.find("[REDACTED", i);
    if (at == std::string::npos) {
      out += text.substr(i);
      break;
    }
    out += text.substr(i, at - i) + with;
    const auto end = text.find(']', at);
    i = end == std::string::npos ? text.size() : end + 1;
  }
  return out;
}

// A request as a description may quote it: without redaction markers (what they hid is not
// part of the task), "" when nothing else is left.
std::string without_markers(const std::string& text) {
  std::string out = replace_markers(text, "");
  std::string flat;
  for (char c : out)
    if (c != ' ' || (!flat.empty() && flat.back() != ' ')) flat += c;
  return trim(flat);
}

// An answer quoted with its redactions visible as such.
std::string marked_redacted(const std::string& text) { return replace_markers(text, "(redacted)"); }

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
std::string sections(const PatternView& p, const std::string& h, const DraftFor& f) {
  std::string s;
  s += h + " When to use\n\n";
  s += "Use this for requests like these, which came up again and again " + f.where + ":\n\n";
  std::vector<std::string> asks;
  for (const auto& a : std::vector<std::string>{p.intent})
    if (!without_markers(one_line(a)).empty()) asks.push_back(without_markers(one_line(a)));
  for (const auto& e : p.examples) {
    const std::string a = one_line(e);
    // A request with redacted parts is not quoted: what is left may not say what was asked.
    if (asks.size() < 4 && !a.empty() && a.find("[REDACTED") == std::string::npos &&
        std::find(asks.begin(), asks.end(), a) == asks.end())
      asks.push_back(a);
  }
  for (const auto& a : asks) s += "- \"" + a + "\"\n";

  s += "\n" + h + " Procedure\n\n";
  const std::string steps = procedure_steps(p, f.agent);
  if (!steps.empty()) {
    s += "What the successful sessions did, in order:\n\n" + steps;
  } else {
    s += "The successful sessions shared no common commands or tools; follow the request directly.\n";
  }
  if (!p.skills.empty()) s += "\nSkills these sessions relied on: " + code_list(p.skills) + ".\n";
  if (!p.files.empty()) s += "\nFiles usually involved: " + code_list(p.files) + ".\n";

  s += "\n" + h + " Expected result\n\n";
  s += "A finished answer looked like this:\n\n";
  std::vector<std::string> shown;
  // Answers without redactions first; one with them only when there is nothing else, its
  // markers shown as "(redacted)". The same answer once, however many sessions gave it.
  for (const bool allow_redacted : {false, true}) {
    for (auto it = p.evidence.rbegin(); it != p.evidence.rend() && shown.size() < 3; ++it) {
      std::string r = one_line(it->result);
      const bool redacted = r.find("[REDACTED") != std::string::npos;
      if (it->outcome != Outcome::kSuccess || r.empty() || redacted != allow_redacted) continue;
      if (redacted) r = marked_redacted(r);
      if (std::find(shown.begin(), shown.end(), r) != shown.end()) continue;
      s += "- \"" + r + "\"\n";
      shown.push_back(r);
    }
    if (!shown.empty()) break;
  }
  if (shown.empty()) s += "- (the sessions recorded no final answer text)\n";

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

std::string where_from(const PatternView& p, const std::string& night_project) {
  if (p.projects.size() > 1) return "across " + std::to_string(p.projects.size()) + " projects";
  const std::string& other = p.projects.empty() ? p.project : p.projects.front();  // older records: the main one
  if (other == night_project) return "in this project";
  return "in project " + other.substr(other.find_last_of('/') == std::string::npos ? 0 : other.find_last_of('/') + 1);
}

std::string render_new_skill(const PatternView& p, const std::string& name, const DraftFor& f) {
  std::string ask = truncate_utf8(without_markers(one_line(p.intent)), 200);
  std::replace(ask.begin(), ask.end(), '"', '\'');
  const std::string desc = "Use for recurring requests like '" + ask + "' (learned from " +
                           plural(p.successes, "successful session") + " " + f.where + ").";
  std::string s = "---\nname: " + name + "\ndescription: " + yaml_quote(desc) + "\n---\n\n";
  s += "# " + title_of(p.label.empty() ? name : p.label) + "\n\n";
  s += sections(p, "##", f);
  return s;
}

std::string render_append(const PatternView& p, const std::string& base, const DraftFor& f) {
  return append_section(
      p, base, "Learned by skillpipe from recent sessions; review before adopting.\n\n" + sections(p, "###", f));
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
