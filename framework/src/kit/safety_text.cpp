// Text folding and the hidden-content scanner of the skill safety review.
//
// Folding exists so that one set of detectors catches the obfuscated spellings too:
// "ＲＭ -rf /", "rм -rf /" (Cyrillic м is not folded, but Cyrillic е/о/р/с/а are),
// "r\u200bm -rf /". Only look-alikes that are cheap and unambiguous are mapped.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <regex>

#include "safety_internal.hpp"
#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::safety_detail {
namespace {

// Decodes one UTF-8 code point at s[i]; invalid bytes decode as U+FFFD, one byte each.
char32_t next_cp(std::string_view s, std::size_t& i) {
  const auto b = static_cast<unsigned char>(s[i]);
  int len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return 0xFFFD;
  }
  char32_t cp = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
  for (int k = 1; k < len; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if ((c >> 6) != 0x2) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (c & 0x3F);
  }
  i += len;
  return cp;
}

bool is_zero_width(char32_t cp) {
  return cp == 0x200B || cp == 0x200C || cp == 0x200D || cp == 0x2060 || cp == 0x2061 || cp == 0x2062 || cp == 0x2063 ||
         cp == 0x2064 || cp == 0xFEFF || cp == 0x180E || cp == 0x00AD || cp == 0x034F;
}
bool is_bidi_control(char32_t cp) {
  return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F ||
         cp == 0x061C;
}
bool is_tag_char(char32_t cp) { return cp >= 0xE0000 && cp <= 0xE007F; }
bool is_invisible(char32_t cp) { return is_zero_width(cp) || is_bidi_control(cp) || is_tag_char(cp); }

// Cyrillic and Greek letters that render like Latin ones (lower and upper case).
constexpr std::pair<char32_t, char> kHomoglyphs[] = {
    {0x0391, 'a'}, {0x0392, 'b'}, {0x0395, 'e'}, {0x0396, 'z'}, {0x0397, 'h'}, {0x0399, 'i'}, {0x039A, 'k'},
    {0x039C, 'm'}, {0x039D, 'n'}, {0x039F, 'o'}, {0x03A1, 'p'}, {0x03A4, 't'}, {0x03A5, 'y'}, {0x03A7, 'x'},
    {0x03B1, 'a'}, {0x03B5, 'e'}, {0x03B9, 'i'}, {0x03BA, 'k'}, {0x03BD, 'v'}, {0x03BF, 'o'}, {0x03C1, 'p'},
    {0x03C4, 't'}, {0x03C5, 'u'}, {0x03C7, 'x'}, {0x0405, 's'}, {0x0406, 'i'}, {0x0408, 'j'}, {0x0410, 'a'},
    {0x0412, 'b'}, {0x0415, 'e'}, {0x041A, 'k'}, {0x041C, 'm'}, {0x041D, 'h'}, {0x041E, 'o'}, {0x0420, 'p'},
    {0x0421, 'c'}, {0x0422, 't'}, {0x0425, 'x'}, {0x0430, 'a'}, {0x0435, 'e'}, {0x043E, 'o'}, {0x0440, 'p'},
    {0x0441, 'c'}, {0x0443, 'y'}, {0x0445, 'x'}, {0x0455, 's'}, {0x0456, 'i'}, {0x0458, 'j'}, {0x04BB, 'h'},
    {0x04CF, 'l'}, {0x0501, 'd'}, {0x051B, 'q'}, {0x051D, 'w'},
};

int homoglyph(char32_t cp) {
  const auto* end = std::end(kHomoglyphs);
  const auto* it =
      std::lower_bound(std::begin(kHomoglyphs), end, cp, [](const auto& p, char32_t v) { return p.first < v; });
  return it != end && it->first == cp ? it->second : -1;
}

bool is_unicode_space(char32_t cp) {
  return cp == 0x00A0 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F || cp == 0x3000 || cp == 0x1680;
}

std::string hex_cp(char32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "<U+%04X>", static_cast<unsigned>(cp));
  return buf;
}

int line_of(std::string_view raw, std::size_t offset) {
  return 1 + static_cast<int>(std::count(raw.begin(), raw.begin() + std::min(offset, raw.size()), '\n'));
}

std::string line_text(std::string_view raw, int line) {
  std::size_t start = 0;
  for (int n = 1; n < line; ++n) {
    const auto nl = raw.find('\n', start);
    if (nl == std::string_view::npos) return {};
    start = nl + 1;
  }
  const auto end = raw.find('\n', start);
  return std::string(raw.substr(start, end == std::string_view::npos ? raw.npos : end - start));
}

}  // namespace

std::string fold_text(std::string_view s, bool lower) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const char32_t cp = next_cp(s, i);
    if (cp < 0x80) {
      out += static_cast<char>(lower && cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
    } else if (is_invisible(cp)) {
      continue;                                 // read as if absent, which is how a model tokenizer often sees it
    } else if (cp >= 0xFF01 && cp <= 0xFF5E) {  // fullwidth ASCII
      char c = static_cast<char>(cp - 0xFEE0);
      out += static_cast<char>(lower && c >= 'A' && c <= 'Z' ? c + 32 : c);
    } else if (is_unicode_space(cp)) {
      out += ' ';
    } else if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 || cp == 0xFE63) {
      out += '-';
    } else if (cp == 0x2018 || cp == 0x2019 || cp == 0x201B || cp == 0x2032) {
      out += '\'';
    } else if (cp == 0x201C || cp == 0x201D || cp == 0x201F || cp == 0x2033) {
      out += '"';
    } else if (int h = homoglyph(cp); h >= 0) {
      out += static_cast<char>(h);
    } else {
      append_utf8(out, cp);
    }
  }
  return out;
}

std::vector<Line> logical_lines(std::string_view raw) {
  std::vector<Line> lines;
  const auto phys = split(raw, '\n');
  Line cur;
  bool open = false;
  for (std::size_t k = 0; k < phys.size(); ++k) {
    std::string text = phys[k];
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (!open) {
      cur = Line{};
      cur.number = static_cast<int>(k) + 1;
    } else {
      cur.raw += ' ';
    }
    const bool continues = !text.empty() && text.back() == '\\';
    cur.raw += continues ? text.substr(0, text.size() - 1) : text;
    open = continues;
    if (!open) lines.push_back(std::move(cur));
  }
  if (open) lines.push_back(std::move(cur));
  auto collapse = [](const std::string& folded) {
    std::string norm;
    norm.reserve(folded.size());
    for (char c : folded) {
      if (c == '\t') c = ' ';
      if (c == ' ' && (norm.empty() || norm.back() == ' ')) continue;
      norm += c;
    }
    while (!norm.empty() && norm.back() == ' ') norm.pop_back();
    return norm;
  };
  for (auto& l : lines) {
    l.cased = collapse(fold_text(l.raw, false));
    l.norm = to_lower_ascii(l.cased);
  }
  return lines;
}

std::string make_excerpt(std::string_view raw_line) {
  std::string visible;
  for (std::size_t i = 0; i < raw_line.size();) {
    const std::size_t start = i;
    const char32_t cp = next_cp(raw_line, i);
    if (is_invisible(cp))
      visible += hex_cp(cp);
    else
      visible.append(raw_line.substr(start, i - start));
  }
  return truncate_utf8(trim(redact_secrets(visible)), 160);
}

void add_finding(Findings& out, std::string kind, std::string rule, std::string severity, std::string_view raw_line,
                 int line) {
  for (const auto& f : out)
    if (f.rule == rule && f.line == line) return;  // one finding per rule and line
  out.push_back(SafetyFinding{std::move(kind), std::move(rule), std::move(severity), make_excerpt(raw_line), line});
}

void scan_hidden(std::string_view raw, Findings& out) {
  // Invisible characters, one finding per kind and line.
  std::string tag_payload;
  int tag_line = 0;
  for (std::size_t i = 0; i < raw.size();) {
    const std::size_t at = i;
    const char32_t cp = next_cp(raw, i);
    if (cp < 0x80) continue;
    const int line = line_of(raw, at);
    if (is_tag_char(cp)) {
      // ASCII smuggled as Unicode tags: invisible to people, readable to models.
      if (cp >= 0xE0020 && cp <= 0xE007E) tag_payload += static_cast<char>(cp - 0xE0000);
      if (tag_line == 0) tag_line = line;
      add_finding(out, "hidden_content", "unicode_tag_characters", "high", line_text(raw, line), line);
    } else if (is_bidi_control(cp)) {
      add_finding(out, "hidden_content", "bidi_control_characters", "high", line_text(raw, line), line);
    } else if (is_zero_width(cp) && !(cp == 0xFEFF && at == 0)) {  // a leading BOM is harmless
      add_finding(out, "hidden_content", "zero_width_characters", "high", line_text(raw, line), line);
    }
  }
  if (!tag_payload.empty()) {
    Findings inner;
    scan_all_content(tag_payload, inner, 1);
    for (auto& f : inner) {
      f.rule = "unicode_tags:" + f.rule;
      f.line = tag_line;
      f.excerpt = "hidden text: " + f.excerpt;
      out.push_back(std::move(f));
    }
  }

  // HTML comments are invisible once rendered but the agent reads them.
  static const std::regex kWord("[A-Za-z\\x80-\\xff]{2,}");
  std::size_t pos = 0;
  while ((pos = raw.find("<!--", pos)) != std::string_view::npos) {
    const int line = line_of(raw, pos);
    const auto end = raw.find("-->", pos + 4);
    if (end == std::string_view::npos) {
      add_finding(out, "hidden_content", "unclosed_html_comment", "medium", line_text(raw, line), line);
      break;
    }
    const std::string body(raw.substr(pos + 4, end - pos - 4));
    const auto words = std::distance(std::sregex_iterator(body.begin(), body.end(), kWord), std::sregex_iterator());
    if (words >= 4) add_finding(out, "hidden_content", "hidden_html_comment", "medium", line_text(raw, line), line);
    pos = end + 3;
  }
  // Markdown link-reference comments: "[//]: # (text)", "[comment]: <> (text)".
  static const std::regex kMdComment(R"(^\s*\[(//|comment|#|\s*)\]:\s*(#|<>)\s*[("'])", std::regex::icase);
  const auto lines = split(raw, '\n');
  for (std::size_t k = 0; k < lines.size(); ++k)
    if (std::regex_search(lines[k], kMdComment))
      add_finding(out, "hidden_content", "hidden_markdown_comment", "medium", lines[k], static_cast<int>(k) + 1);

  // Words mixing Latin with Cyrillic or Greek letters: a look-alike spelling.
  for (std::size_t k = 0; k < lines.size(); ++k) {
    const std::string& l = lines[k];
    bool latin = false, other = false, flagged = false;
    auto end_word = [&] {
      flagged = flagged || (latin && other);
      latin = other = false;
    };
    for (std::size_t i = 0; i < l.size() && !flagged;) {
      const char32_t cp = next_cp(l, i);
      const bool is_latin =
          (cp < 0x80 && std::isalpha(static_cast<int>(cp))) || (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7);
      const bool is_cg = (cp >= 0x370 && cp <= 0x3FF) || (cp >= 0x400 && cp <= 0x52F);
      if (is_latin)
        latin = true;
      else if (is_cg)
        other = true;
      else if (!is_invisible(cp))
        end_word();
    }
    end_word();
    if (flagged) add_finding(out, "obfuscation", "homoglyph_mixed_script", "medium", l, static_cast<int>(k) + 1);
  }
}

void scan_secrets(std::string_view raw, Findings& out) {
  for (const auto& s : find_secrets(raw)) {
    const int line = line_of(raw, s.offset);
    add_finding(out, "secret", s.kind, "high", line_text(raw, line), line);
  }
}

void scan_all_content(std::string_view raw, Findings& out, int depth) {
  const auto lines = logical_lines(raw);
  scan_secrets(raw, out);
  scan_commands(lines, out);
  scan_injection(lines, out);
  scan_hidden(raw, out);
  if (depth > 0) scan_base64(raw, out, depth);
}

}  // namespace skillpipe::safety_detail
