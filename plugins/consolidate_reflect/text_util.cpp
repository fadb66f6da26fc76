#include "text_util.hpp"

#include <cctype>
#include <cstdio>

#include "skillpipe/kit/util.hpp"

namespace skillpipe::reflect {

std::string normalize_for_match(std::string_view s) {
  std::string t = trim(s);
  // Drop one leading list marker so "- Always x" matches "Always x".
  std::size_t i = 0;
  if (t.size() >= 2 && (t[0] == '-' || t[0] == '*' || t[0] == '+') && t[1] == ' ') {
    i = 2;
  } else {
    std::size_t d = 0;
    while (d < t.size() && d < 3 && std::isdigit(static_cast<unsigned char>(t[d]))) ++d;
    if (d > 0 && d + 1 < t.size() && (t[d] == '.' || t[d] == ')') && t[d + 1] == ' ') i = d + 2;
  }
  std::string out;
  bool space = false;
  for (; i < t.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(t[i]);
    if (std::isspace(c)) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(static_cast<char>(c < 0x80 ? std::tolower(c) : c));
  }
  return out;
}

std::string excerpt(std::string_view s, std::size_t max_bytes) {
  std::string flat;
  bool space = false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space && !flat.empty()) flat.push_back(' ');
    space = false;
    flat.push_back(c);
  }
  return truncate_utf8(flat, max_bytes);
}

std::string clean_content(std::string_view s) {
  std::vector<std::string> kept;
  for (auto line : split(s, '\n')) {
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    if (!trim(line).empty()) kept.push_back(line);
  }
  // Drop the common leading indentation of the first line only (models often indent JSON strings).
  std::string out = join(kept, "\n");
  std::size_t lead = 0;
  while (lead < out.size() && (out[lead] == ' ' || out[lead] == '\t')) ++lead;
  return out.substr(lead);
}

std::vector<std::string> template_placeholders(std::string_view t) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while ((i = t.find("{{", i)) != std::string_view::npos) {
    const std::size_t close = t.find("}}", i + 2);
    if (close == std::string_view::npos) break;
    out.push_back(trim(t.substr(i + 2, close - i - 2)));
    i = close + 2;
  }
  return out;
}

std::string render_template(std::string_view t, const std::map<std::string, std::string>& values) {
  std::string out;
  out.reserve(t.size() + 1024);
  std::size_t i = 0;
  while (i < t.size()) {
    const std::size_t open = t.find("{{", i);
    const std::size_t close = open == std::string_view::npos ? open : t.find("}}", open + 2);
    if (open == std::string_view::npos || close == std::string_view::npos) {
      out.append(t.substr(i));
      break;
    }
    out.append(t.substr(i, open - i));
    auto it = values.find(trim(t.substr(open + 2, close - open - 2)));
    if (it != values.end()) out += it->second;
    i = close + 2;
  }
  return out;
}

std::string join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out += sep;
    out += v[i];
  }
  return out;
}

std::string format_score(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

}  // namespace skillpipe::reflect
