// redact.cpp - secret detection: the scan loop and the scanners for shaped secrets that no
// fixed prefix announces (AWS ids, JWTs, PEM blocks, Basic/Bearer, URL passwords, Azure,
// Discord, Telegram, Mailchimp). Vendor prefixes are a table (redact_rules.cpp).
// Over 400 lines: the one-pass loop and the scanners it starts share the anchor rules below;
// split apart, each scanner's start condition would live far from the loop that tests it.
//
// Redaction runs on every string a digest keeps and on every outbound request, so it must
// cost next to nothing on ordinary text. One pass looks at each byte once and only starts a
// scanner where that scanner's anchor can begin (a prefix-table byte pair, "://",
// "-----BEGIN", a '=' or ':' after a secret-looking key name). No std::regex: it is slow and
// allocates.
// Findings are merged so overlapping detectors redact the union, reported under the kind
// of the detector that started first (vendor kinds before the generic key = value form).
#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/redact_rules.hpp"

#include <algorithm>
#include <array>
#include <bitset>
#include <cstdint>
#include <cstring>

#include "redact_internal.hpp"
#include "skillpipe/abi.hpp"

namespace skillpipe {
namespace {

using namespace redact_detail;

bool iequals_at(sv text, std::size_t at, sv word) {
  if (at + word.size() > text.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i)
    if (lower(static_cast<unsigned char>(text[at + i])) != word[i]) return false;
  return true;
}
bool starts_with(sv s, sv prefix) { return s.substr(0, prefix.size()) == prefix; }

struct Finder {
  sv t;
  std::vector<SecretFinding> out;

  void add(const char* kind, std::size_t off, std::size_t len) {
    if (len) out.push_back({kind, off, len});
  }

  void scan_aws(std::size_t i) {
    static constexpr std::array<sv, 11> kPrefixes = {"AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA",
                                                     "AROA", "AIPA", "ANPA", "ANVA", "APKA"};
    if (!boundary_before(t, i) || i + 20 > t.size()) return;
    sv p = t.substr(i, 4);
    if (std::find(kPrefixes.begin(), kPrefixes.end(), p) == kPrefixes.end()) return;
    std::size_t n = run(t, i + 4, [](unsigned char c) { return is_upper(c) || is_digit(c); });
    if (n != 16 || (i + 20 < t.size() && is_alnum(static_cast<unsigned char>(t[i + 20])))) return;
    add("aws_access_key", i, 20);
  }

  // JWT: three base64url segments, the first two JSON objects ("eyJ" = '{"').
  void scan_jwt(std::size_t i) {
    if (!boundary_before(t, i) || t.compare(i, 3, "eyJ") != 0) return;
    std::size_t a = run(t, i, is_b64url);
    if (a < 10 || i + a >= t.size() || t[i + a] != '.') return;
    std::size_t p2 = i + a + 1;
    if (t.compare(p2, 3, "eyJ") != 0) return;
    std::size_t b = run(t, p2, is_b64url);
    if (b < 10) return;
    std::size_t end = p2 + b;
    if (end < t.size() && t[end] == '.') end += 1 + run(t, end + 1, is_b64url);
    add("jwt", i, end - i);
  }

  void scan_pem(std::size_t i) {
    static constexpr sv kBegin = "-----BEGIN ";
    static constexpr sv kEnd = "-----END ";
    const bool begin = t.compare(i, kBegin.size(), kBegin) == 0;
    if (!begin && t.compare(i, kEnd.size(), kEnd) != 0) return;
    const std::size_t label_at = i + (begin ? kBegin.size() : kEnd.size());
    std::size_t close = t.find("-----", label_at);
    if (close == sv::npos || close - i > 80) return;
    sv label = t.substr(label_at, close - label_at);
    if (label.find("PRIVATE KEY") == sv::npos) return;
    if (!begin) return scan_pem_body_before(i, close + 5);
    std::size_t end = t.find("-----END ", close + 5);
    if (end == sv::npos) {
      add("private_key", i, t.size() - i);  // a truncated key is still a key
      return;
    }
    std::size_t tail = t.find("-----", end + 9);
    end = tail == sv::npos ? t.size() : tail + 5;
    add("private_key", i, end - i);
  }

  // An END line of a private key: the base64 lines before it are its body, even when the
  // BEGIN line is gone (a text that kept only its end). A body that begins mid-line (after a
  // cut) is taken from its first base64 character. Body lines are long (64 characters); only
  // the last may be short, so a short word above them is not taken, nor a lone END line.
  // With its BEGIN line present, this finding merges into the block's.
  void scan_pem_body_before(std::size_t end_line, std::size_t end) {
    static constexpr std::size_t kMinLine = 16, kMinBody = 32;
    std::size_t start = end_line, body = 0;
    for (std::size_t line_end = end_line; line_end > 0 && t[line_end - 1] == '\n';) {
      std::size_t e = line_end - 1;
      if (e > 0 && t[e - 1] == '\r') --e;
      std::size_t k = e;
      while (k > 0 && (is_b64(static_cast<unsigned char>(t[k - 1])) || t[k - 1] == '=')) --k;
      if (k == e || (start != end_line && e - k < kMinLine)) break;
      start = k;
      body += e - k;
      if (k > 0 && t[k - 1] != '\n') break;  // the body began on this line
      line_end = k;
    }
    if (body >= kMinBody) add("private_key", start, end - start);
  }

  // "Bearer <token>" and "Basic <base64 user:pass>", case-insensitive.
  void scan_auth_scheme(std::size_t i) {
    if (!boundary_before(t, i)) return;
    bool bearer = iequals_at(t, i, "bearer ");
    bool basic = !bearer && iequals_at(t, i, "basic ");
    if (!bearer && !basic) return;
    std::size_t b = i + (bearer ? 7 : 6);
    while (b < t.size() && t[b] == ' ') ++b;
    if (bearer) {
      std::size_t n = run(t, b, [](unsigned char c) {
        return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=';
      });
      sv tok = t.substr(b, n);
      bool all_lower = std::all_of(tok.begin(), tok.end(), [](unsigned char c) { return is_lower(c); });
      if ((n >= 16 && !all_lower) || (n >= 8 && has_digit_and_letter(tok))) add("bearer_token", b, n);
      return;
    }
    std::size_t n = run(t, b, [](unsigned char c) { return is_b64(c) || c == '='; });
    if (n < 8 || n % 4 == 1 || !basic_decodes_to_credentials(t.substr(b, n))) return;
    add("basic_auth", b, n);
  }

  static bool basic_decodes_to_credentials(sv s) {
    auto val = [](unsigned char c) -> int {
      if (is_upper(c)) return c - 'A';
      if (is_lower(c)) return c - 'a' + 26;
      if (is_digit(c)) return c - '0' + 52;
      if (c == '+') return 62;
      if (c == '/') return 63;
      return -1;
    };
    std::string out;
    unsigned buf = 0;
    int bits = 0;
    for (unsigned char c : s) {
      if (c == '=') break;
      int v = val(c);
      if (v < 0) return false;
      buf = (buf << 6) | static_cast<unsigned>(v);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out.push_back(static_cast<char>((buf >> bits) & 0xff));
      }
    }
    if (out.find(':') == std::string::npos) return false;
    return std::all_of(out.begin(), out.end(), [](unsigned char c) { return c >= 0x20 && c < 0x7f; });
  }

  // scheme://user:password@host
  void scan_url_password(std::size_t i) {  // i points at "://"
    if (i == 0 || !is_alnum(static_cast<unsigned char>(t[i - 1]))) return;
    std::size_t b = i + 3;
    std::size_t e = b;
    std::size_t at = sv::npos;
    while (e < t.size() && e - b < 512) {
      unsigned char c = static_cast<unsigned char>(t[e]);
      if (c == '#' && hash_in_userinfo(e)) {  // postgres://u:p#ss@host: a '#' its owner did not escape
        ++e;
        continue;
      }
      if (c == '/' || c == '?' || c == '#' || is_space(c) || c == '"' || c == '\'' || c == '<' ||
          c == '>' || c == '`')
        break;
      if (c == '@') at = e;
      ++e;
    }
    if (at == sv::npos) return;
    std::size_t colon = t.find(':', b);
    if (colon == sv::npos || colon >= at) return;
    sv pw = t.substr(colon + 1, at - colon - 1);
    if (pw.empty() || starts_with(pw, "$") || starts_with(pw, "<") || starts_with(pw, "{{") ||
        std::all_of(pw.begin(), pw.end(), [](char c) { return c == '*' || c == 'x'; }))
      return;
    add("url_password", colon + 1, pw.size());
  }

  // A '#' at `h` is part of a URL's userinfo when an '@' follows before the URL could end.
  bool hash_in_userinfo(std::size_t h) const {
    for (std::size_t e = h + 1; e < t.size() && e - h < 128; ++e) {
      const unsigned char c = static_cast<unsigned char>(t[e]);
      if (c == '@') return true;
      if (c == '/' || c == '?' || is_space(c) || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`') return false;
    }
    return false;
  }

  // Azure: storage AccountKey=, SharedAccessKey=, SAS sig= in a query with sv=/se=.
  void scan_azure_kv(std::size_t i) {
    struct P {
      sv key;
      const char* kind;
      std::size_t min;
    };
    static constexpr std::array<P, 3> kKeys = {{{"AccountKey=", "azure_storage_key", 40},
                                                {"SharedAccessKey=", "azure_shared_access_key", 20},
                                                {"SharedAccessSignature=", "azure_sas_token", 20}}};
    for (const P& p : kKeys) {
      if (t.compare(i, p.key.size(), p.key) != 0) continue;
      std::size_t b = i + p.key.size();
      std::size_t n = run(t, b, [](unsigned char c) {
        return is_b64(c) || c == '=' || c == '%' || c == '&' || c == '-' || c == '_' || c == '.';
      });
      if (p.kind != std::string_view("azure_sas_token")) {
        n = run(t, b, [](unsigned char c) { return is_b64(c) || c == '='; });
      }
      if (n >= p.min) add(p.kind, b, n);
      return;
    }
  }

  void scan_sas_sig(std::size_t i) {  // i points at "sig="
    if (i == 0 || (t[i - 1] != '?' && t[i - 1] != '&')) return;
    std::size_t qs = t.rfind('?', i);
    if (qs == sv::npos) qs = i;
    std::size_t qe = i;
    while (qe < t.size() && !is_space(static_cast<unsigned char>(t[qe])) && t[qe] != '"' && t[qe] != '\'') ++qe;
    sv query = t.substr(qs, qe - qs);
    if (query.find("sv=") == sv::npos && query.find("se=") == sv::npos) return;
    std::size_t b = i + 4;
    std::size_t n = run(t, b, [](unsigned char c) { return is_b64(c) || c == '%' || c == '='; });
    if (n >= 16) add("azure_sas_token", b, n);
  }

  // Azure AD client secrets: 3 chars, a digit, "Q~", then 31-34 chars.
  void scan_azure_client_secret(std::size_t i) {  // i points at "Q~"
    if (i < 4 || !is_digit(static_cast<unsigned char>(t[i - 1]))) return;
    auto ok = [](unsigned char c) { return is_alnum(c) || c == '_' || c == '~' || c == '.' || c == '-'; };
    std::size_t s = i - 4;
    for (std::size_t k = s; k < i - 1; ++k)
      if (!ok(static_cast<unsigned char>(t[k]))) return;
    if (s > 0 && ok(static_cast<unsigned char>(t[s - 1]))) return;
    std::size_t n = run(t, i + 2, ok);
    if (n >= 31 && n <= 40) add("azure_client_secret", s, 4 + 2 + n);
  }

  // Discord bot token: base64 user id (24-26) '.' timestamp (6) '.' hmac (27-38).
  void scan_discord_bot(std::size_t i) {
    if (!boundary_before(t, i)) return;
    std::size_t a = run(t, i, is_alnum);
    if (a < 24 || a > 26 || i + a >= t.size() || t[i + a] != '.') return;
    std::size_t p2 = i + a + 1;
    std::size_t b = run(t, p2, is_b64url);
    if (b != 6 || p2 + b >= t.size() || t[p2 + b] != '.') return;
    std::size_t p3 = p2 + b + 1;
    std::size_t c = run(t, p3, is_b64url);
    if (c < 27 || c > 38) return;
    add("discord_bot_token", i, p3 + c - i);
  }

  // Telegram bot token: 5-16 digit bot id ':' 'A' + 34 base64url; t[i] is the ':'.
  bool scan_telegram(std::size_t i) {
    std::size_t d = i;
    while (d > 0 && is_digit(static_cast<unsigned char>(t[d - 1])) && i - d < 17) --d;
    std::size_t digits = i - d;
    if (digits < 5 || digits > 16) return false;
    bool bounded = boundary_before(t, d) || (d >= 3 && t.compare(d - 3, 3, "bot") == 0);
    if (!bounded || i + 1 >= t.size() || t[i + 1] != 'A') return false;
    std::size_t n = run(t, i + 1, is_b64url);
    if (n != 35) return false;
    add("telegram_bot_token", d, i + 1 + n - d);
    return true;
  }

  // Mailchimp: 32 hex, "-us", a 1-2 digit data center; t[i] is the '-'.
  void scan_mailchimp(std::size_t i) {
    if (i < 32 || !boundary_before(t, i - 32)) return;
    for (std::size_t k = i - 32; k < i; ++k)
      if (!is_hex(static_cast<unsigned char>(t[k]))) return;
    std::size_t n = run(t, i + 3, is_digit);
    if (n < 1 || n > 2 || !boundary_after(t, i + 3 + n)) return;
    add("mailchimp_key", i - 32, 32 + 3 + n);
  }

  void dash(std::size_t i, char c1) {
    if (c1 == '-') {
      if (i + 4 < t.size() && t[i + 2] == '-') scan_pem(i);
      else find_dashdash_flag(t, i, out);
    } else if (c1 == 'u' && i + 3 < t.size() && t[i + 2] == 's') {
      scan_mailchimp(i);
    }
    if (i > 0 && (t[i - 1] == ' ' || t[i - 1] == '\t') && is_alnum(static_cast<unsigned char>(c1)))
      find_command_password(t, i, out);
  }
};

// The anchors of the hand-written scanners; the prefix table is tried before them. A new case
// must also be listed in start_pairs() below.
void dispatch(Finder& f, std::size_t i, char c0, char c1) {
  const sv t = f.t;
  switch (c0) {
    case 's':
      if (c1 == 'i' && t.compare(i, 4, "sig=") == 0) f.scan_sas_sig(i);
      break;
    case 'A':
      if (c1 == 'c') f.scan_azure_kv(i);
      else f.scan_aws(i);
      break;
    case 'M':
    case 'N':
    case 'O':
      if (is_alnum(static_cast<unsigned char>(c1))) f.scan_discord_bot(i);
      break;
    case 'e':
      if (c1 == 'y') f.scan_jwt(i);
      break;
    case 'S':
      if (c1 == 'h') f.scan_azure_kv(i);
      break;
    case 'B':
    case 'b':
      if (c1 == 'e' || c1 == 'E' || c1 == 'a' || c1 == 'A') f.scan_auth_scheme(i);
      break;
    case 'Q':
      if (c1 == '~') f.scan_azure_client_secret(i);
      break;
    case '-': f.dash(i, c1); break;
    case ':':
      if (c1 == '/' && i + 2 < t.size() && t[i + 2] == '/') f.scan_url_password(i);
      else if (c1 != 'A' || !f.scan_telegram(i))
        find_key_value(t, i, f.out);
      break;
    case '=': find_key_value(t, i, f.out); break;
    default: break;
  }
}

// Overlapping findings redact their union, named by the earliest-starting one; at one offset a
// vendor-shaped kind wins over a kind known only from its label.
std::vector<SecretFinding> merge(std::vector<SecretFinding>& v) {
  std::stable_sort(v.begin(), v.end(), [&](const SecretFinding& a, const SecretFinding& b) {
    if (a.offset != b.offset) return a.offset < b.offset;
    return !is_label_kind(a.kind) && is_label_kind(b.kind);
  });
  std::vector<SecretFinding> merged;
  for (auto& s : v) {
    if (!merged.empty() && s.offset < merged.back().offset + merged.back().length) {
      auto& m = merged.back();
      m.length = std::max(m.offset + m.length, s.offset + s.length) - m.offset;
      continue;
    }
    merged.push_back(std::move(s));
  }
  return merged;
}

// The byte pairs where a hand-written scanner may start (the cases of dispatch(), with the
// second byte they test), and where a prefix rule may start (prefix_pairs(), at a word start).
struct StartPairs {
  std::bitset<65536> anchor;
  const std::bitset<65536>* prefix = nullptr;
};
const StartPairs& start_pairs() {
  static const StartPairs table = [] {
    StartPairs t;
    t.prefix = &prefix_pairs();
    auto set = [&t](unsigned char c0, auto second_ok) {
      for (unsigned c1 = 0; c1 < 256; ++c1)
        if (second_ok(static_cast<unsigned char>(c1))) t.anchor.set(c0 * 256u + c1);
    };
    const auto any = [](unsigned char) { return true; };
    set('s', [](unsigned char c) { return c == 'i'; });
    set('A', any);
    for (const unsigned char c0 : {'M', 'N', 'O'}) set(c0, [](unsigned char c) { return is_alnum(c); });
    set('e', [](unsigned char c) { return c == 'y'; });
    set('S', [](unsigned char c) { return c == 'h'; });
    for (const unsigned char c0 : {'B', 'b'})
      set(c0, [](unsigned char c) { return c == 'e' || c == 'E' || c == 'a' || c == 'A'; });
    set('Q', [](unsigned char c) { return c == '~'; });
    for (const unsigned char c0 : {'-', ':', '='}) set(c0, any);
    return t;
  }();
  return table;
}

// The first i at or after `from` where some scanner may start, or size - 1 when there is none
// (a separator as the very last byte has no value after it). A tight loop on its own, so
// ordinary prose costs one pair test per byte.
std::size_t next_start(sv t, std::size_t from, const StartPairs& s) {
  const auto* u = reinterpret_cast<const unsigned char*>(t.data());
  const std::size_t last = t.size() - 1;
  bool word_start = from == 0 || !is_alnum(u[from - 1]);
  for (std::size_t i = from; i < last; ++i) {
    const unsigned pair = u[i] * 256u + u[i + 1];
    if (s.anchor[pair] || (word_start && (*s.prefix)[pair])) return i;
    word_start = !is_alnum(u[i]);
  }
  return last;
}

std::vector<SecretFinding> scan(sv t) {
  Finder f{t, {}};
  const std::size_t n = t.size();
  if (n < 2) return {};
  const StartPairs& starts = start_pairs();
  for (std::size_t i = next_start(t, 0, starts); i + 1 < n; i = next_start(t, i + 1, starts)) {
    const auto c0 = static_cast<unsigned char>(t[i]), c1 = static_cast<unsigned char>(t[i + 1]);
    const unsigned pair = c0 * 256u + c1;
    if ((*starts.prefix)[pair] && boundary_before(t, i)) find_prefixed(t, i, f.out);
    if (starts.anchor[pair]) dispatch(f, i, static_cast<char>(c0), static_cast<char>(c1));
  }
  if (f.out.size() < 2) return std::move(f.out);
  return merge(f.out);
}

}  // namespace

SKILLPIPE_VISIBLE std::vector<SecretFinding> find_secrets(std::string_view text) { return scan(text); }

namespace {
std::string replace_findings(std::string_view text, const std::vector<SecretFinding>& found, std::int64_t* count) {
  std::string out;
  out.reserve(text.size());
  std::size_t pos = 0;
  for (const auto& f : found) {
    out.append(text.substr(pos, f.offset - pos));
    out.append("[REDACTED:").append(f.kind).push_back(']');
    pos = f.offset + f.length;
  }
  out.append(text.substr(pos));
  if (count) *count += static_cast<std::int64_t>(found.size());
  return out;
}
}  // namespace

SKILLPIPE_VISIBLE std::string redact_secrets(std::string_view text, std::int64_t* count) {
  const std::vector<SecretFinding> found = scan(text);
  if (found.empty()) return std::string(text);
  return replace_findings(text, found, count);
}

SKILLPIPE_VISIBLE void redact_secrets_in_place(std::string& text, std::int64_t* count) {
  const std::vector<SecretFinding> found = scan(text);
  if (!found.empty()) text = replace_findings(text, found, count);
}

SKILLPIPE_VISIBLE bool only_redaction_markers(std::string_view text) {
  static constexpr sv kMarker = "[REDACTED";
  bool marker = false;
  for (std::size_t i = 0; i < text.size();) {
    if (text.compare(i, kMarker.size(), kMarker) == 0) {
      const std::size_t close = text.find(']', i);
      if (close == sv::npos) return false;
      marker = true;
      i = close + 1;
      continue;
    }
    if (is_alnum(static_cast<unsigned char>(text[i]))) return false;
    ++i;
  }
  return marker;
}

}  // namespace skillpipe
