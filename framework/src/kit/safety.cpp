// The skill safety review: content detectors (safety_*.cpp) plus the structural checks a
// SKILL.md needs before an agent loads it (frontmatter, size).
#include "skillpipe/kit/safety.hpp"

#include <algorithm>
#include <cctype>

#include "safety_internal.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe {
namespace {

using safety_detail::add_finding;
using safety_detail::Findings;

std::string rtrim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.pop_back();
  return s;
}

bool valid_key(std::string_view k) {
  if (k.empty()) return false;
  for (char c : k)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  return true;
}

// Parses a quoted YAML scalar starting at v[0]; returns false when it does not close.
bool unquote(std::string_view v, std::string& out, std::string& rest) {
  const char q = v[0];
  out.clear();
  for (std::size_t i = 1; i < v.size(); ++i) {
    const char c = v[i];
    if (q == '\'' && c == '\'' && i + 1 < v.size() && v[i + 1] == '\'') {
      out += '\'';
      ++i;
    } else if (q == '"' && c == '\\' && i + 1 < v.size()) {
      const char e = v[++i];
      out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
    } else if (c == q) {
      rest = trim(v.substr(i + 1));
      return true;
    } else {
      out += c;
    }
  }
  return false;
}

}  // namespace

std::string SkillFrontmatter::get(std::string_view key) const {
  for (const auto& [k, v] : fields)
    if (k == key) return v;
  return {};
}

bool SkillFrontmatter::has(std::string_view key) const {
  for (const auto& [k, v] : fields)
    if (k == key) return true;
  return false;
}

SkillFrontmatter parse_skill_frontmatter(std::string_view text) {
  SkillFrontmatter fm;
  const auto lines = split(text, '\n');
  if (lines.empty() || rtrim(lines[0]) != "---") {
    fm.body = std::string(text);
    return fm;
  }
  fm.present = true;
  std::size_t k = 1;
  std::string block_style;  // "|" or ">" while a block scalar is being read
  for (; k < lines.size(); ++k) {
    const std::string line = rtrim(lines[k]);
    const int no = static_cast<int>(k) + 1;
    if (line == "---" || line == "...") {
      fm.closed = true;
      break;
    }
    if (trim(line).empty() || line[0] == '#') continue;
    if (line[0] == ' ' || line[0] == '\t' || starts_with(line, "- ")) {
      if (fm.fields.empty()) {
        fm.errors.emplace_back(no, "indented line before any key");
      } else if (!block_style.empty()) {
        std::string& v = fm.fields.back().second;
        if (!v.empty()) v += block_style == "|" ? "\n" : " ";
        v += trim(line);
      }
      continue;  // nested values (e.g. metadata:) are kept out of `fields`
    }
    block_style.clear();
    const auto colon = line.find(':');
    if (colon == std::string::npos || !valid_key(line.substr(0, colon))) {
      fm.errors.emplace_back(no, "expected `key: value`, got `" + truncate_utf8(line, 60) + "`");
      continue;
    }
    const std::string key = line.substr(0, colon);
    std::string value = trim(line.substr(colon + 1));
    if (fm.has(key)) fm.errors.emplace_back(no, "duplicate key `" + key + "`");
    if (!value.empty() && (value[0] == '"' || value[0] == '\'')) {
      std::string out, rest;
      if (!unquote(value, out, rest))
        fm.errors.emplace_back(no, "unterminated quoted value for `" + key + "`");
      else if (!rest.empty() && rest[0] != '#')
        fm.errors.emplace_back(no, "text after the quoted value of `" + key + "`");
      value = out;
    } else if (value == "|" || value == ">" || value == "|-" || value == ">-") {
      block_style = value.substr(0, 1);
      value.clear();
    } else {
      if (const auto hash = value.find(" #"); hash != std::string::npos) value = trim(value.substr(0, hash));
      // A plain scalar with ": " is a YAML error ("mapping values are not allowed here").
      if (value.find(": ") != std::string::npos && value[0] != '[' && value[0] != '{')
        fm.errors.emplace_back(no, "the value of `" + key + "` contains \": \"; quote it");
    }
    fm.fields.emplace_back(key, value);
  }
  if (!fm.closed) {
    fm.errors.emplace_back(static_cast<int>(lines.size()), "frontmatter is not closed by a `---` line");
    return fm;
  }
  fm.body_line = static_cast<int>(k) + 2;
  std::string body;
  for (std::size_t j = k + 1; j < lines.size(); ++j) {
    body += lines[j];
    if (j + 1 < lines.size()) body += '\n';
  }
  fm.body = std::move(body);
  return fm;
}

bool valid_skill_name(std::string_view name, std::size_t max_len) {
  if (name.empty() || name.size() > max_len || name.front() == '-' || name.back() == '-') return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '-') {
      if (name[i - 1] == '-') return false;
    } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
      return false;
    }
  }
  return true;
}

std::vector<SafetyFinding> scan_unsafe_content(std::string_view text) {
  Findings out;
  safety_detail::scan_all_content(text, out, 2);
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.line < b.line; });
  return out;
}

std::vector<SafetyFinding> review_skill_document(std::string_view text, const SafetyOptions& o) {
  Findings out = scan_unsafe_content(text);
  const auto lines = split(text, '\n');

  if (text.size() > o.max_bytes)
    out.push_back({"size", "document_too_large", "medium",
                   std::to_string(text.size()) + " bytes > limit " + std::to_string(o.max_bytes), 0});
  if (lines.size() > o.max_lines)
    out.push_back({"size", "too_many_lines", "medium",
                   std::to_string(lines.size()) + " lines > limit " + std::to_string(o.max_lines), 0});
  for (std::size_t k = 0; k < lines.size(); ++k) {
    if (lines[k].size() > o.max_line_bytes) {
      add_finding(out, "size", "line_too_long", "medium", lines[k], static_cast<int>(k) + 1);
      break;  // one is enough to send it to review
    }
  }

  if (o.check_frontmatter) {
    const SkillFrontmatter fm = parse_skill_frontmatter(text);
    auto structural = [&](const char* rule, const std::string& what, int line) {
      out.push_back({"frontmatter", rule, "medium", what, line});
    };
    if (!fm.present) {
      structural("missing_frontmatter", "a SKILL.md must start with `---` frontmatter", 1);
    } else {
      for (const auto& [line, problem] : fm.errors) structural("malformed_frontmatter", problem, line);
      const std::string name = fm.get("name");
      const std::string desc = fm.get("description");
      if (!fm.has("name") || name.empty()) {
        structural("missing_name", "frontmatter has no `name`", 1);
      } else {
        if (!valid_skill_name(name, o.max_name))
          structural("invalid_name",
                     "name `" + truncate_utf8(name, 80) +
                         "` must be lower-case letters, digits and single hyphens, at most " +
                         std::to_string(o.max_name) + " characters",
                     1);
        if (name.find("anthropic") != std::string::npos || name.find("claude") != std::string::npos)
          structural("reserved_name", "name `" + name + "` contains a reserved word (anthropic, claude)", 1);
        if (!o.expected_name.empty() && name != o.expected_name)
          structural("name_mismatch", "name `" + name + "` does not match its directory `" + o.expected_name + "`", 1);
      }
      if (!fm.has("description") || trim(desc).empty())
        structural("missing_description", "frontmatter has no `description`", 1);
      else if (desc.size() > o.max_description)
        structural("description_too_long",
                   std::to_string(desc.size()) + " characters > limit " + std::to_string(o.max_description), 1);
      auto has_tag = [](const std::string& s) {
        for (std::size_t i = 0; i + 1 < s.size(); ++i)
          if (s[i] == '<' && (std::isalpha(static_cast<unsigned char>(s[i + 1])) || s[i + 1] == '/')) return true;
        return false;
      };
      if (has_tag(name) || has_tag(desc))
        structural("xml_in_frontmatter", "name and description must not contain XML tags", 1);
      if (fm.closed && trim(fm.body).empty()) structural("empty_body", "the skill has no instructions", fm.body_line);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.line != b.line ? a.line < b.line : severity_rank(a.severity) > severity_rank(b.severity);
  });
  return out;
}

int severity_rank(std::string_view s) { return s == "high" ? 3 : s == "medium" ? 2 : s == "low" ? 1 : 0; }

bool findings_block(const std::vector<SafetyFinding>& findings, std::string_view min_severity) {
  const int min = std::max(1, severity_rank(min_severity));
  return std::any_of(findings.begin(), findings.end(), [&](const auto& f) { return severity_rank(f.severity) >= min; });
}

std::string format_finding(const SafetyFinding& f) {
  std::string s = f.severity + " " + f.kind + "/" + f.rule;
  if (f.line > 0) s += " (line " + std::to_string(f.line) + ")";
  if (!f.excerpt.empty()) s += ": " + f.excerpt;
  return s;
}

}  // namespace skillpipe
