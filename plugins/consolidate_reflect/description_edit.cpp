#include "description_edit.hpp"

#include <cstring>
#include <vector>

#include "skillpipe/kit/safety.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::consolidate_reflect {
namespace {

// Lines with their terminators, so untouched lines are written back byte for byte.
std::vector<std::string_view> lines_of(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t nl = s.find('\n', i);
    const std::size_t end = nl == std::string_view::npos ? s.size() : nl + 1;
    out.push_back(s.substr(i, end - i));
    i = end;
  }
  return out;
}

std::string_view content_of(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  return line;
}

std::string_view terminator_of(std::string_view line) { return line.substr(content_of(line).size()); }

// The line without its terminator and trailing blanks (how the frontmatter reader sees `---`).
std::string rtrimmed(std::string_view line) {
  line = content_of(line);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  return std::string(line);
}

bool indented(std::string_view line) { return !line.empty() && (line[0] == ' ' || line[0] == '\t'); }

bool blank(std::string_view line) { return trim(content_of(line)).empty(); }

// A YAML plain scalar reads back as exactly `v` unless it starts with an indicator or holds
// ": " / " #" (mapping value, comment) or ends with ':'.
bool plain_safe(const std::string& v) {
  if (v.empty() || std::strchr("-?:,[]{}#&*!|>'\"%@`", v.front())) return false;
  return v.find(": ") == std::string::npos && v.find(" #") == std::string::npos && v.back() != ':';
}

std::string yaml_scalar(const std::string& v) {
  if (plain_safe(v)) return v;
  std::string q = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + "\"";
}

DescriptionEdit refuse(EditStatus s, std::string why) { return {s, {}, std::move(why)}; }

}  // namespace

std::string one_line_description(std::string_view content) {
  std::string out;
  bool space = false;
  for (char c : content) {
    const auto u = static_cast<unsigned char>(c);
    if (u == ' ' || u == '\t' || u == '\n' || u == '\r' || u == '\v' || u == '\f') {
      space = !out.empty();
      continue;
    }
    if (u < 0x20 || u == 0x7f) continue;  // control characters have no place in a listing
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

DescriptionEdit set_description(std::string_view document, std::string_view content) {
  const std::string value = one_line_description(content);
  if (value.empty()) return refuse(EditStatus::kEmpty, "the new description is empty");
  if (value.size() > kMaxDescriptionChars)
    return refuse(EditStatus::kOversize, "the new description has " + std::to_string(value.size()) +
                                             " characters; the limit is " + std::to_string(kMaxDescriptionChars) +
                                             " (the longest Codex accepts)");
  const auto lines = lines_of(document);
  if (lines.empty() || rtrimmed(lines[0]) != "---")
    return refuse(EditStatus::kAnchorNotFound,
                  "the skill has no YAML frontmatter (a first line `---`, then `name:` and `description:` lines, "
                  "then `---`), so it has no description to set; add a frontmatter to the SKILL.md by hand");
  std::size_t desc = 0, close = 0;
  for (std::size_t k = 1; k < lines.size() && close == 0; ++k) {
    const std::string t = rtrimmed(lines[k]);
    if (t == "---" || t == "...")
      close = k;
    else if (desc == 0 && starts_with(t, "description:"))
      desc = k;
  }
  if (close == 0)
    return refuse(EditStatus::kAnchorNotFound,
                  "the skill's frontmatter is not closed by a `---` line, so its description cannot be set safely; "
                  "fix the frontmatter by hand");
  if (desc == 0)
    return refuse(EditStatus::kAnchorNotFound,
                  "the skill's frontmatter has no top-level `description:` line; add one by hand");
  if (parse_skill_frontmatter(document).get("description") == value)
    return refuse(EditStatus::kDuplicate, "the skill already has this description");
  // The old value's continuation lines (a block scalar, a wrapped plain or quoted scalar) go
  // with it; a blank line counts only when more of the value follows it.
  std::size_t end = desc + 1;
  for (std::size_t k = end; k < close; ++k) {
    if (indented(lines[k]))
      end = k + 1;
    else if (!blank(lines[k]))
      break;
  }
  std::string out;
  for (std::size_t k = 0; k < desc; ++k) out += lines[k];
  out += "description: " + yaml_scalar(value);
  out += terminator_of(lines[desc]).empty() ? std::string_view("\n") : terminator_of(lines[desc]);
  for (std::size_t k = end; k < lines.size(); ++k) out += lines[k];
  return {EditStatus::kApplied, std::move(out), {}};
}

}  // namespace skillpipe::consolidate_reflect
