// The nesting pre-check every JSON parse in skillpipe goes through (parse_json).
#include "skillpipe_internal/json_parse.hpp"

#include <cstring>

namespace skillpipe::detail {

bool json_too_deep(std::string_view text, int max_depth) {
  int depth = 0;
  const char* p = text.data();
  const char* const e = p + text.size();
  while (p < e) {
    // Only brackets and quotes matter; most bytes are neither.
    const char c = *p++;
    if (c == '"') {
      // Past the closing quote: an escaped quote is preceded by an odd run of backslashes.
      for (;;) {
        const void* q = std::memchr(p, '"', static_cast<std::size_t>(e - p));
        if (!q) return false;  // unterminated: the parser will say so
        const char* quote = static_cast<const char*>(q);
        const char* b = quote;
        while (b > p && b[-1] == '\\') --b;
        p = quote + 1;
        if (((quote - b) & 1) == 0) break;
      }
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

}  // namespace skillpipe::detail
