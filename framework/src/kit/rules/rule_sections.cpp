// rule_sections.cpp - the Markdown section checks (section_present, section_contains): a
// heading found outside code fences, and the body under it (rule_ops.hpp).
#include <string>
#include <vector>

#include "rule_ops.hpp"

namespace skillpipe::rules::detail {
namespace {

std::vector<std::string_view> lines_of(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t nl = s.find('\n', start);
    if (nl == std::string_view::npos) nl = s.size();
    std::string_view line = s.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.push_back(line);
    start = nl + 1;
  }
  return out;
}

std::string_view ltrim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

bool is_fence(std::string_view line) {
  const auto t = ltrim(line);
  return t.substr(0, 3) == "```" || t.substr(0, 3) == "~~~";
}

// A Markdown ATX heading: 0-3 spaces, 1-6 '#', then a space or the end. Returns the level
// (0 = not a heading) and the heading text without closing #'s.
int atx_heading(std::string_view line, std::string* text) {
  std::size_t i = 0;
  while (i < line.size() && i < 3 && line[i] == ' ') ++i;
  std::size_t h = 0;
  while (i + h < line.size() && line[i + h] == '#') ++h;
  if (h == 0 || h > 6) return 0;
  if (i + h < line.size() && line[i + h] != ' ' && line[i + h] != '\t') return 0;
  std::string t = trim(line.substr(i + h));
  while (!t.empty() && t.back() == '#') t.pop_back();
  if (text) *text = trim(t);
  return static_cast<int>(h);
}

}  // namespace

bool section_present(std::string_view response, std::string_view name) {
  const std::string n = lower(trim(name));
  bool fenced = false;
  for (auto line : lines_of(response)) {
    if (is_fence(line)) {
      fenced = !fenced;
      continue;
    }
    if (fenced) continue;
    const std::string t = lower(trim(line));
    if (!t.empty() && t[0] == '#') {
      // "## 2. Key Risks" / "### Key Risks:" - the heading ends with the name.
      std::string h = t;
      while (!h.empty() && (h.back() == '#' || h.back() == ':' || h.back() == ' ')) h.pop_back();
      if (h.size() >= n.size() && h.compare(h.size() - n.size(), n.size(), n) == 0) return true;
    } else if (t.rfind("**", 0) == 0) {
      const auto close = t.find("**", 2);
      if (close != std::string::npos && t.substr(2, close - 2).find(n) != std::string::npos) return true;
    } else if (t.rfind(n, 0) == 0) {
      const std::string rest = trim(t.substr(n.size()));
      if (!rest.empty() && rest[0] == ':') return true;
    }
  }
  return false;
}

CheckResult section_contains(std::string_view response, std::string_view name, std::string_view body_text) {
  const std::string n = lower(trim(name));
  const std::string want = lower(body_text);
  const auto lines = lines_of(response);
  bool fenced = false;
  bool any_heading = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (is_fence(lines[i])) fenced = !fenced;
    std::string h;
    const int level = fenced ? 0 : atx_heading(lines[i], &h);
    if (level == 0 || lower(h).find(n) == std::string::npos) continue;
    any_heading = true;
    if (want.empty()) return {true, {}};
    std::string body;
    bool inner_fenced = false;
    for (std::size_t j = i + 1; j < lines.size(); ++j) {
      if (is_fence(lines[j])) inner_fenced = !inner_fenced;
      const int l2 = inner_fenced ? 0 : atx_heading(lines[j], nullptr);
      if (l2 > 0 && l2 <= level) break;
      body += lower(lines[j]);
      body += '\n';
    }
    if (body.find(want) != std::string::npos) return {true, {}};
  }
  if (!any_heading) return {false, "no heading contains " + q(name)};
  return {false, "the section does not contain " + q(body_text)};
}

}  // namespace skillpipe::rules::detail
