#include "skillpipe/kit/reply_json.hpp"

namespace skillpipe {

std::optional<std::string_view> balanced_json_at(std::string_view t, std::size_t start) {
  if (start >= t.size() || (t[start] != '{' && t[start] != '[')) return std::nullopt;
  const char open = t[start], close = open == '[' ? ']' : '}';
  int depth = 0;
  bool in_str = false, esc = false;
  for (std::size_t i = start; i < t.size(); ++i) {
    const char c = t[i];
    if (in_str) {
      if (esc) esc = false;
      else if (c == '\\') esc = true;
      else if (c == '"') in_str = false;
      continue;
    }
    if (c == '"') in_str = true;
    else if (c == open) ++depth;
    else if (c == close && --depth == 0) return t.substr(start, i - start + 1);
  }
  return std::nullopt;
}

std::vector<std::string_view> balanced_json_candidates(std::string_view t, char open, std::size_t limit) {
  std::vector<std::string_view> out;
  for (std::size_t start = t.find(open); start != std::string_view::npos && out.size() < limit;
       start = t.find(open, start + 1))
    if (auto c = balanced_json_at(t, start)) out.push_back(*c);
  return out;
}

}  // namespace skillpipe
