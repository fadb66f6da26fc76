// Base64 payloads in a drafted skill: "echo cm0gLXJmIC8= | base64 -d | sh" hides its
// command from a reader, so every blob that decodes to text is scanned again.
#include <string>

#include "safety_internal.hpp"

namespace skillpipe::safety_detail {
namespace {

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;  // standard and URL-safe alphabets
  if (c == '/' || c == '_') return 63;
  return -1;
}

std::string decode(std::string_view blob) {
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (char c : blob) {
    const int v = b64_value(c);
    if (v < 0) break;
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

// Mostly printable ASCII (or UTF-8) text, the way a hidden command or phrase decodes.
bool looks_like_text(const std::string& s) {
  if (s.size() < 6) return false;
  std::size_t printable = 0;
  for (unsigned char c : s)
    if ((c >= 0x20 && c < 0x7F) || c == '\n' || c == '\t' || c == '\r' || c >= 0x80) ++printable;
  std::size_t letters = 0;
  for (unsigned char c : s)
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') ++letters;
  return printable * 100 >= s.size() * 95 && letters * 100 >= s.size() * 30;
}

}  // namespace

void scan_base64(std::string_view raw, Findings& out, int depth) {
  constexpr std::size_t kMinBlob = 10;  // "rm -rf /" is 11 base64 characters plus padding
  int line = 1;
  std::size_t i = 0;
  while (i < raw.size()) {
    if (raw[i] == '\n') {
      ++line;
      ++i;
      continue;
    }
    if (b64_value(raw[i]) < 0) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < raw.size() && b64_value(raw[j]) >= 0) ++j;
    std::size_t end = j;
    while (end < raw.size() && raw[end] == '=') ++end;
    const std::string_view blob = raw.substr(i, j - i);
    // Plain words and paths also use this alphabet; requiring a digit, an upper-case letter
    // or padding keeps "documentation" from being decoded.
    bool mixed = end > j;
    for (char c : blob) mixed = mixed || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z');
    if (blob.size() >= kMinBlob && blob.size() % 4 != 1 && mixed) {
      const std::string text = decode(blob);
      if (looks_like_text(text)) {
        Findings inner;
        scan_all_content(text, inner, depth - 1);
        for (auto& f : inner) {
          if (f.kind == "size" || f.kind == "frontmatter") continue;
          f.rule = "base64:" + f.rule;
          f.line = line;
          f.excerpt = "base64 of: " + f.excerpt;
          bool dup = false;
          for (const auto& g : out) dup = dup || (g.rule == f.rule && g.line == f.line);
          if (!dup) out.push_back(std::move(f));
        }
      }
    }
    i = end > i ? end : i + 1;
  }
}

}  // namespace skillpipe::safety_detail
