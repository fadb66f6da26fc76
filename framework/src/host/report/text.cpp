// Text helpers of the HTML report: escaping, number formatting, markdown line highlighting.
#include <cctype>
#include <cmath>
#include <cstdio>

#include "host/report/parts.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::host::report {

std::string esc(std::string_view in) {
  std::string s(in);
  repair_utf8(s);  // a browser would guess an encoding for broken bytes; never let it
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) break;  // control characters
        out += ch;
    }
  }
  return out;
}

std::string esc_cut(std::string_view s, std::size_t max_chars) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && ++chars > max_chars) {
      return esc(s.substr(0, i)) + "…";
    }
  }
  return esc(s);
}

std::string fmt(double v, const char* printf_format) {
  char buf[64];
  std::snprintf(buf, sizeof buf, printf_format, v);
  return buf;
}

std::string fmt_score(double v) { return fmt(v, "%.3f"); }

std::string fmt_score_html(const std::optional<double>& v) {
  if (!v || !std::isfinite(*v)) return "<span class=\"nm\">not measured</span>";
  return fmt_score(*v);
}

std::string fmt_change_html(const std::optional<double>& before, const std::optional<double>& after) {
  if (!before || !after || !std::isfinite(*before) || !std::isfinite(*after)) return "";
  const double d = *after - *before;
  const char* cls = d > 1e-9 ? "up" : (d < -1e-9 ? "down" : "flat");
  return "<span class=\"" + std::string(cls) + "\">" + fmt(d, "%+.3f") + "</span>";
}

std::string fmt_int(std::int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

std::string fmt_seconds(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  if (s < 1) return fmt(s, "%.2f s");
  if (s < 60) return fmt(s, "%.1f s");
  const long t = std::lround(s);
  char buf[64];
  if (t < 3600)
    std::snprintf(buf, sizeof buf, "%ld min %02ld s", t / 60, t % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld h %02ld min", t / 3600, (t % 3600) / 60);
  return buf;
}

DeltaKind delta_kind(const TaskDelta& d, double eps) {
  const double x = d.after - d.before;
  if (x > eps) return DeltaKind::kImproved;
  if (x < -eps) return DeltaKind::kRegressed;
  return DeltaKind::kUnchanged;
}

namespace {

std::string span(const char* cls, std::string_view text) {
  return "<span class=\"" + std::string(cls) + "\">" + esc(text) + "</span>";
}

// Inline markdown: `code`, **bold**, [text](target). Splits only at ASCII characters, so
// multi-byte UTF-8 sequences stay whole.
std::string inline_md(std::string_view s) {
  std::string out;
  std::size_t plain_from = 0;
  auto flush = [&](std::size_t to) { out += esc(s.substr(plain_from, to - plain_from)); };
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t end = std::string_view::npos;
    const char* cls = nullptr;
    if (s[i] == '`') {
      const auto j = s.find('`', i + 1);
      if (j != std::string_view::npos) end = j + 1, cls = "mi";
    } else if (s.compare(i, 2, "**") == 0) {
      const auto j = s.find("**", i + 2);
      if (j != std::string_view::npos && j > i + 2) end = j + 2, cls = "mb";
    } else if (s[i] == '[') {
      const auto mid = s.find("](", i + 1);
      const auto j = mid == std::string_view::npos ? mid : s.find(')', mid + 2);
      if (j != std::string_view::npos) end = j + 1, cls = "ml";
    }
    if (!cls) {
      ++i;
      continue;
    }
    flush(i);
    out += span(cls, s.substr(i, end - i));
    i = plain_from = end;
  }
  flush(s.size());
  return out;
}

std::size_t indent_of(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  return i;
}

// Length of a list marker with its space ("- ", "12. ", "3) "), or 0.
std::size_t list_marker(std::string_view s) {
  if (s.size() >= 2 && (s[0] == '-' || s[0] == '*' || s[0] == '+') && s[1] == ' ') return 2;
  std::size_t i = 0;
  while (i < s.size() && i < 9 && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i > 0 && i + 1 < s.size() && (s[i] == '.' || s[i] == ')') && s[i + 1] == ' ') return i + 2;
  return 0;
}

bool is_rule(std::string_view s) {
  const std::string t = trim(s);
  if (t.size() < 3 || (t[0] != '-' && t[0] != '*' && t[0] != '_')) return false;
  int n = 0;
  for (char c : t) {
    if (c == t[0])
      ++n;
    else if (c != ' ')
      return false;
  }
  return n >= 3;
}

// "key: value" at the start of a line, as in SKILL.md front matter.
std::size_t yaml_key(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_' || s[i] == '-')) ++i;
  if (i == 0 || !std::isalpha(static_cast<unsigned char>(s[0])) || i >= s.size() || s[i] != ':') return 0;
  return (i + 1 == s.size() || s[i + 1] == ' ') ? i + 1 : 0;
}

}  // namespace

bool is_fence(std::string_view line) {
  const auto rest = line.substr(indent_of(line));
  return rest.starts_with("```") || rest.starts_with("~~~");
}

std::string markdown_line_html(std::string_view line, bool in_code_block) {
  if (is_fence(line)) return span("mf", line);
  if (in_code_block) return span("mc", line);
  const std::size_t ind = indent_of(line);
  const std::string_view rest = line.substr(ind);
  std::size_t hashes = 0;
  while (hashes < rest.size() && rest[hashes] == '#') ++hashes;
  if (hashes >= 1 && hashes <= 6 && (hashes == rest.size() || rest[hashes] == ' ')) return span("mh", line);
  if (is_rule(line)) return span("mr", line);
  std::string out = esc(line.substr(0, ind));
  if (!rest.empty() && rest[0] == '>') return out + span("mq", rest.substr(0, 1)) + inline_md(rest.substr(1));
  if (const std::size_t m = list_marker(rest)) {
    out += span("mk", rest.substr(0, m));
    std::string_view body = rest.substr(m);
    if (body.size() >= 4 && body[0] == '[' && (body[1] == ' ' || body[1] == 'x' || body[1] == 'X') && body[2] == ']' &&
        body[3] == ' ') {
      out += span("mk", body.substr(0, 4));
      body = body.substr(4);
    }
    return out + inline_md(body);
  }
  if (ind == 0) {
    if (const std::size_t k = yaml_key(rest)) return span("my", rest.substr(0, k)) + inline_md(rest.substr(k));
  }
  return out + inline_md(rest);
}

}  // namespace skillpipe::host::report
