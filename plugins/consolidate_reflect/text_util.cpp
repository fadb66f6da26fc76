#include "text_util.hpp"

#include <cctype>
#include <cstdio>

#include "skillpipe/kit/util.hpp"

namespace skillpipe::consolidate_reflect {

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

std::string format_score(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

}  // namespace skillpipe::consolidate_reflect
