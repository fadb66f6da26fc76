// util.cpp - text: hashing, case, trimming, splitting, UTF-8, quoting and templates
// (kit/util.hpp); times are in util_time.cpp, paths and files in util_files.cpp.
#include "skillpipe/kit/util.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>

#include "skillpipe_internal/json_parse.hpp"  // one depth check, in libskillpipe
#include "../sdk/utf8.hpp"  // one UTF-8 implementation, in libskillpipe
#include "skillpipe/errors.hpp"

namespace skillpipe {

std::string sha256_hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static const char* kHex = "0123456789abcdef";
  std::string out(len * 2, '0');
  for (unsigned i = 0; i < len; ++i) {
    out[2 * i] = kHex[md[i] >> 4];
    out[2 * i + 1] = kHex[md[i] & 15];
  }
  return out;
}

std::string to_lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string trim(std::string_view s) { return detail::trim_ascii(s); }

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    std::size_t p = s.find(sep, start);
    out.emplace_back(s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
    if (p == std::string_view::npos) break;
    start = p + 1;
  }
  return out;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.starts_with(prefix); }
bool ends_with(std::string_view s, std::string_view suffix) { return s.ends_with(suffix); }

bool utf8_valid(std::string_view s) { return detail::utf8_valid(s); }
bool json_too_deep(std::string_view text) { return detail::json_too_deep(text); }
std::string json_too_deep_message() {
  return detail::JsonParseError{detail::JsonParseError::Kind::too_deep}.message();
}
std::size_t repair_utf8(std::string& s) { return detail::repair_utf8(s); }

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::string truncate_utf8(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  std::size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return std::string(s.substr(0, cut)) + "\xE2\x80\xA6";
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::string shell_quote(std::string_view s, std::string_view bare) {
  const bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || bare.find(c) != std::string_view::npos;
  });
  if (plain) return std::string(s);
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
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

std::vector<std::string> unknown_placeholders(std::string_view tmpl, const std::vector<std::string>& allowed) {
  std::vector<std::string> bad;
  for (auto& name : template_placeholders(tmpl))
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) bad.push_back(std::move(name));
  return bad;
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
    const auto it = values.find(trim(t.substr(open + 2, close - open - 2)));
    if (it != values.end()) out += it->second;
    i = close + 2;
  }
  return out;
}

std::string project_slug(std::string_view project_path) {
  std::string slug;
  for (char c : project_path) {
    if (std::isalnum(static_cast<unsigned char>(c))) slug += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    else if (!slug.empty() && slug.back() != '-') slug += '-';
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  if (slug.size() > 48) slug = slug.substr(slug.size() - 48);
  if (slug.empty()) slug = "root";
  return slug + "-" + sha256_hex(project_path).substr(0, 8);
}

}  // namespace skillpipe
