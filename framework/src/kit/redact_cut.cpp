// redact_cut.cpp - a text cut to a size, redacted before the cut. Cut first, a secret that
// straddles the cut keeps a part no detector recognises (a token one character short of its
// rule, a key body without its BEGIN line); redacted first, it is found whole. Only a window of
// kCutMargin bytes past the cut is scanned, so a huge text costs no more than a small one.
#include <algorithm>

#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe {
namespace {

constexpr std::size_t kCutMargin = 8192;  // longer than any secret a detector matches whole
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";

}  // namespace

std::string redacted_head(std::string_view text, std::size_t max_bytes, std::int64_t* count) {
  if (text.size() <= max_bytes) return redact_secrets(text, count);
  const std::size_t window = std::min(text.size(), max_bytes + kCutMargin);
  const std::string r = redact_secrets(text.substr(0, window), count);
  if (r.size() > max_bytes) return truncate_utf8(r, max_bytes);
  return r + std::string(kEllipsis);  // redaction shortened it below the cap; it is still cut
}

std::string redacted_tail(std::string_view text, std::size_t max_bytes, std::int64_t* count) {
  if (text.size() <= max_bytes) return redact_secrets(text, count);
  const std::size_t window = std::min(text.size(), max_bytes + kCutMargin);
  const std::string r = redact_secrets(text.substr(text.size() - window), count);
  std::size_t cut = r.size() > max_bytes ? r.size() - max_bytes : 0;
  while (cut < r.size() && (static_cast<unsigned char>(r[cut]) & 0xC0) == 0x80) ++cut;  // a whole character
  return std::string(kEllipsis) + r.substr(cut);
}

}  // namespace skillpipe
