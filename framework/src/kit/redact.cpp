// redact.cpp - secret detection with hand-written scanners.
//
// Redaction runs on every string a digest keeps and on every outbound request, so it must
// cost next to nothing on ordinary text. One pass looks at each byte once and only starts a
// scanner where that scanner's anchor can begin (a vendor prefix, "://", "-----BEGIN", a
// '=' or ':' after a secret-looking key name). No std::regex: it is slow and allocates.
// Findings are merged so overlapping detectors redact the union, reported under the kind
// of the detector that started first (vendor kinds before the generic key = value form).
#include "skillpipe/kit/redact.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include "redact_internal.hpp"
#include "skillpipe/abi.hpp"

namespace skillpipe {
namespace {

using sv = std::string_view;

bool is_alnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
bool is_lower(unsigned char c) { return c >= 'a' && c <= 'z'; }
bool is_b64url(unsigned char c) { return is_alnum(c) || c == '-' || c == '_'; }
bool is_b64(unsigned char c) { return is_alnum(c) || c == '+' || c == '/'; }
bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
char lower(unsigned char c) { return is_upper(c) ? static_cast<char>(c + 32) : static_cast<char>(c); }

bool iequals_at(sv text, std::size_t at, sv word) {
  if (at + word.size() > text.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i)
    if (lower(static_cast<unsigned char>(text[at + i])) != word[i]) return false;
  return true;
}
bool starts_with(sv s, sv prefix) { return s.substr(0, prefix.size()) == prefix; }

// A token must not continue a longer word: "task-abc..." is not an "sk-" key.
bool boundary_before(sv t, std::size_t i) {
  return i == 0 || !is_alnum(static_cast<unsigned char>(t[i - 1]));
}

template <class Pred>
std::size_t run(sv t, std::size_t i, Pred pred) {
  std::size_t j = i;
  while (j < t.size() && pred(static_cast<unsigned char>(t[j]))) ++j;
  return j - i;
}

// Random keys mix letters and digits; kebab-case words do not.
bool has_digit_and_letter(sv s) {
  bool d = false, l = false;
  for (unsigned char c : s) {
    d = d || is_digit(c);
    l = l || is_upper(c) || is_lower(c);
  }
  return d && l;
}

struct Finder {
  sv t;
  std::vector<SecretFinding> out;

  void add(const char* kind, std::size_t off, std::size_t len) {
    if (len) out.push_back({kind, off, len});
  }

  // prefix + body of `pred` chars, at least `min` long, word-bounded on both sides.
  bool prefixed(std::size_t i, sv prefix, const char* kind, std::size_t min,
                bool (*pred)(unsigned char), bool need_digit = false) {
    if (t.compare(i, prefix.size(), prefix) != 0 || !boundary_before(t, i)) return false;
    std::size_t n = run(t, i + prefix.size(), pred);
    if (n < min) return false;
    if (need_digit && !has_digit_and_letter(t.substr(i + prefix.size(), n))) return false;
    add(kind, i, prefix.size() + n);
    return true;
  }

  void scan_s(std::size_t i) {  // sk-ant-..., sk-..., sk_live_...
    if (prefixed(i, "sk-ant-", "anthropic_key", 20, is_b64url, true)) return;
    if (prefixed(i, "sk-", "openai_key", 20, is_b64url, true)) return;
    if (prefixed(i, "sk_live_", "stripe_key", 16, is_alnum)) return;
    prefixed(i, "sk_test_", "stripe_key", 16, is_alnum);
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

  void scan_g(std::size_t i) {  // GitHub, GitLab
    static constexpr std::array<sv, 5> kGh = {"ghp_", "gho_", "ghu_", "ghs_", "ghr_"};
    for (sv p : kGh)
      if (prefixed(i, p, "github_token", 30, [](unsigned char c) { return is_alnum(c); })) return;
    if (prefixed(i, "github_pat_", "github_token", 40, is_b64url)) return;
    static constexpr std::array<sv, 8> kGl = {"glpat-", "gldt-",  "glrt-",  "glptt-",
                                              "glft-",  "glsoat-", "glcbt-", "gloas-"};
    for (sv p : kGl)
      if (prefixed(i, p, "gitlab_token", 20, is_b64url)) return;
  }

  void scan_x(std::size_t i) {  // Slack: xoxb-, xoxp-, xoxa-, xoxo-, xoxs-, xoxr-, xoxe-, xapp-
    if (!boundary_before(t, i) || i + 5 > t.size()) return;
    sv p = t.substr(i, 5);
    bool slack = (p.substr(0, 3) == "xox" && std::strchr("abposre", p[3]) && p[4] == '-') ||
                 p == "xapp-";
    if (!slack) return;
    std::size_t n = run(t, i + 5, [](unsigned char c) { return is_alnum(c) || c == '-'; });
    if (n >= 10 && has_digit_and_letter(t.substr(i + 5, n))) add("slack_token", i, 5 + n);
  }

  void scan_slack_webhook(std::size_t i) {
    static constexpr sv kHook = "hooks.slack.com/services/";
    if (t.compare(i, kHook.size(), kHook) != 0) return;
    std::size_t b = i + kHook.size();
    std::size_t n = run(t, b, [](unsigned char c) { return is_alnum(c) || c == '/' || c == '_'; });
    if (n >= 20) add("slack_webhook", b, n);
  }

  void scan_google(std::size_t i) {
    if (prefixed(i, "AIza", "google_api_key", 35, is_b64url)) return;
    if (prefixed(i, "ya29.", "google_oauth_token", 20,
                 [](unsigned char c) { return is_b64url(c) || c == '.'; }))
      return;
    prefixed(i, "GOCSPX-", "google_oauth_secret", 20, is_b64url);
  }

  void scan_stripe_other(std::size_t i) {
    if (prefixed(i, "rk_live_", "stripe_key", 16, is_alnum)) return;
    if (prefixed(i, "rk_test_", "stripe_key", 16, is_alnum)) return;
    prefixed(i, "whsec_", "stripe_key", 24, is_alnum);
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
    if (t.compare(i, kBegin.size(), kBegin) != 0) return;
    std::size_t close = t.find("-----", i + kBegin.size());
    if (close == sv::npos || close - i > 80) return;
    sv label = t.substr(i + kBegin.size(), close - i - kBegin.size());
    if (label.find("PRIVATE KEY") == sv::npos) return;
    std::size_t end = t.find("-----END ", close + 5);
    if (end == sv::npos) {
      add("private_key", i, t.size() - i);  // a truncated key is still a key
      return;
    }
    std::size_t tail = t.find("-----", end + 9);
    end = tail == sv::npos ? t.size() : tail + 5;
    add("private_key", i, end - i);
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
    if (n < 8 || n % 4 != 0 || !basic_decodes_to_credentials(t.substr(b, n))) return;
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

  void generic(std::size_t sep);
  void dashdash_flag(std::size_t i);
};

void Finder::generic(std::size_t sep) { redact_detail::find_key_value(t, sep, out); }
void Finder::dashdash_flag(std::size_t i) { redact_detail::find_dashdash_flag(t, i, out); }

std::vector<SecretFinding> scan(sv t) {
  Finder f{t, {}};
  const std::size_t n = t.size();
  // The second byte is checked before any scanner runs: most 's', 'e', 'r' ... in prose
  // start no anchor, so ordinary text costs one switch per byte.
  for (std::size_t i = 0; i + 1 < n; ++i) {
    const char c1 = t[i + 1];
    switch (t[i]) {
      case 's':
        if (c1 == 'k') f.scan_s(i);
        else if (c1 == 'i' && t.compare(i, 4, "sig=") == 0) f.scan_sas_sig(i);
        break;
      case 'A':
        if (c1 == 'c') {
          f.scan_azure_kv(i);
        } else {
          if (c1 == 'I') f.scan_google(i);  // AIza...; AIDA/AIPA are AWS prefixes too
          f.scan_aws(i);
        }
        break;
      case 'g':
        if (c1 == 'h' || c1 == 'l' || c1 == 'i') f.scan_g(i);
        break;
      case 'x':
        if (c1 == 'o' || c1 == 'a') f.scan_x(i);
        break;
      case 'h':
        if (c1 == 'o') f.scan_slack_webhook(i);
        break;
      case 'y':
        if (c1 == 'a') f.scan_google(i);
        break;
      case 'G':
        if (c1 == 'O') f.scan_google(i);
        break;
      case 'r':
        if (c1 == 'k') f.scan_stripe_other(i);
        break;
      case 'w':
        if (c1 == 'h') f.scan_stripe_other(i);
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
      case '-':
        if (c1 == '-' && i + 4 < n && t[i + 2] == '-') f.scan_pem(i);
        else if (c1 == '-') f.dashdash_flag(i);
        break;
      case ':':
        if (c1 == '/' && i + 2 < n && t[i + 2] == '/') f.scan_url_password(i);
        else f.generic(i);
        break;
      case '=': f.generic(i); break;
      default: break;
    }
  }
  // A separator as the very last byte has no value after it; nothing else starts there.
  auto& v = f.out;
  if (v.size() < 2) return std::move(v);
  // Merge overlaps: keep the earliest-starting finding's kind, cover the union.
  auto generic_kind = [](const std::string& k) {
    return k == "generic_secret" || k == "password" || k == "connection_string_password";
  };
  std::stable_sort(v.begin(), v.end(), [&](const SecretFinding& a, const SecretFinding& b) {
    if (a.offset != b.offset) return a.offset < b.offset;
    return !generic_kind(a.kind) && generic_kind(b.kind);  // a vendor kind names the finding
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

}  // namespace

SKILLPIPE_VISIBLE std::vector<SecretFinding> find_secrets(std::string_view text) { return scan(text); }

SKILLPIPE_VISIBLE std::string redact_secrets(std::string_view text, std::int64_t* count) {
  std::vector<SecretFinding> found = scan(text);
  if (found.empty()) return std::string(text);
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

}  // namespace skillpipe
