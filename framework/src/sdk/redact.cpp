// redact.cpp - secret detection with hand-written scanners.
//
// Redaction runs on every string a digest keeps and on every outbound request, so it must
// cost next to nothing on ordinary text. One pass looks at each byte once and only starts a
// scanner where that scanner's anchor can begin (a vendor prefix, "://", "-----BEGIN", a
// '=' or ':' after a secret-looking key name). No std::regex: it is slow and allocates.
// Findings are merged so overlapping detectors redact the union, reported under the kind
// of the detector that started first (vendor kinds before the generic key = value form).
#include "skillpipe/redact.hpp"

#include <algorithm>
#include <array>
#include <cstring>

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
bool ends_with(sv s, sv suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
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

// ---- generic key = value ------------------------------------------------------------------

enum class KeyClass { kNone, kPassword, kSecret };

// Names whose values are identifiers, not credentials.
constexpr std::array<sv, 30> kBenignKeys = {
    "primary_key", "foreign_key", "sort_key", "partition_key", "hash_key", "range_key",
    "cache_key", "public_key", "publickey", "idempotency_key", "unique_key", "composite_key",
    "lookup_key", "group_key", "map_key", "dict_key", "row_key", "index_key", "object_key",
    "i18n_key", "translation_key", "message_key", "next_token", "page_token", "nexttoken",
    "pagetoken", "continuation_token", "pagination_token", "cancellation_token", "cancellationtoken"};

KeyClass classify_key(sv key) {
  if (key.empty() || key.size() > 64) return KeyClass::kNone;
  std::string low(key.size(), '\0');
  for (std::size_t i = 0; i < key.size(); ++i) low[i] = lower(static_cast<unsigned char>(key[i]));
  sv l = low;
  for (sv b : kBenignKeys)
    if (ends_with(l, b)) return KeyClass::kNone;
  if (ends_with(l, "password") || ends_with(l, "passwd") || ends_with(l, "passphrase") || l == "pwd" ||
      ends_with(l, "_pwd") || l == "pass" || ends_with(l, "_pass") || ends_with(l, "-pass"))
    return KeyClass::kPassword;
  if (ends_with(l, "secret") || ends_with(l, "token") || ends_with(l, "apikey") ||
      ends_with(l, "api_key") || ends_with(l, "secretkey") || ends_with(l, "accesskey") ||
      ends_with(l, "privatekey"))
    return KeyClass::kSecret;
  if (ends_with(l, "key") && l.size() > 3) {
    char before = key[key.size() - 4];
    bool camel = key[key.size() - 3] == 'K' && is_lower(static_cast<unsigned char>(before));
    if (before == '_' || before == '-' || before == '.' || camel) return KeyClass::kSecret;
  }
  return KeyClass::kNone;
}

constexpr std::array<sv, 22> kNotValues = {
    "none", "null", "nil", "true", "false", "undefined", "required", "optional", "string",
    "str", "bool", "int", "number", "secret", "password", "token", "redacted", "hidden",
    "env", "changeme", "example", "default"};

bool placeholder(sv v) {
  if (v.empty()) return true;
  if (v.find("[REDACTED") != sv::npos) return true;
  char f = v[0];
  if (f == '$' || f == '<' || f == '%' || f == '{' || f == '*') return true;
  if (std::all_of(v.begin(), v.end(), [&](char c) { return c == f; })) return true;
  std::string low(v.size(), '\0');
  for (std::size_t i = 0; i < v.size(); ++i) low[i] = lower(static_cast<unsigned char>(v[i]));
  if (starts_with(low, "your") || low.find("xxxx") != std::string::npos) return true;
  return std::find(kNotValues.begin(), kNotValues.end(), sv(low)) != kNotValues.end();
}

bool identifier_like(sv v) {  // config.token, MY_TOKEN, created_at: references, not values
  return std::all_of(v.begin(), v.end(),
                     [](unsigned char c) { return is_upper(c) || is_lower(c) || c == '_' || c == '.' || c == '-'; });
}

bool all_digits(sv v) {
  return std::all_of(v.begin(), v.end(), [](unsigned char c) { return is_digit(c); });
}

// Reads the value after a separator; returns [begin, end) or begin == end when none.
struct Value {
  std::size_t b = 0, e = 0;
  bool quoted = false;
  bool semicolon = false;  // ended by ';' (connection-string context)
};

Value read_value(sv t, std::size_t p) {
  Value v;
  std::size_t spaces = 0;
  while (p < t.size() && (t[p] == ' ' || t[p] == '\t') && spaces < 4) ++p, ++spaces;
  if (p < t.size() && t[p] == '\\' && p + 1 < t.size() && (t[p + 1] == '"' || t[p + 1] == '\'')) ++p;
  if (p >= t.size()) return v;
  char q = t[p];
  if (q == '"' || q == '\'' || q == '`') {
    std::size_t b = p + 1, e = b;
    while (e < t.size() && t[e] != q && t[e] != '\n' && t[e] != '\\' && e - b <= 256) ++e;
    if (e >= t.size() || t[e] == '\n' || e - b > 256) return v;
    v.b = b, v.e = e, v.quoted = true;
    return v;
  }
  std::size_t e = p;
  while (e < t.size()) {
    unsigned char c = static_cast<unsigned char>(t[e]);
    if (is_space(c) || c == '"' || c == '\'' || c == '`' || c == ',' || c == ';' || c == ')' ||
        c == '}' || c == ']')
      break;
    ++e;
  }
  if (e - p > 256) return v;
  v.b = p, v.e = e;
  v.semicolon = e < t.size() && t[e] == ';';
  return v;
}

void Finder::generic(std::size_t sep) {
  // Skip comparisons and arrows: ==, !=, <=, >=, =>, ::.
  char s = t[sep];
  std::size_t after = sep + 1;
  if (s == '=') {
    if (after < t.size() && (t[after] == '=' || t[after] == '~')) return;
    if (sep > 0 && std::strchr("=!<>:", t[sep - 1])) return;
    if (after < t.size() && t[after] == '>') ++after;
  } else {  // ':'
    if (after < t.size() && t[after] == ':') return;
    if (sep > 0 && t[sep - 1] == ':') return;
    if (after < t.size() && t[after] == '=') ++after;
  }
  // Walk back over spaces and a closing quote to the key name.
  std::size_t k = sep;
  std::size_t spaces = 0;
  while (k > 0 && (t[k - 1] == ' ' || t[k - 1] == '\t') && spaces < 4) --k, ++spaces;
  if (k > 0 && (t[k - 1] == '"' || t[k - 1] == '\'')) {
    --k;
    if (k > 0 && t[k - 1] == '\\') --k;
  }
  std::size_t key_end = k;
  while (k > 0 && key_end - k < 64) {
    unsigned char c = static_cast<unsigned char>(t[k - 1]);
    if (!(is_alnum(c) || c == '_' || c == '-' || c == '.')) break;
    --k;
  }
  sv key = t.substr(k, key_end - k);
  KeyClass kc = classify_key(key);
  if (kc == KeyClass::kNone) return;
  Value v = read_value(t, after);
  if (v.e <= v.b) return;
  sv val = t.substr(v.b, v.e - v.b);
  if (placeholder(val)) return;
  bool env_style = s == '=' && spaces == 0 && !v.quoted &&
                   std::none_of(key.begin(), key.end(), [](unsigned char c) { return is_lower(c); });
  std::size_t before = k;
  while (before > 0 && t[before - 1] == ' ') --before;
  bool tight = spaces == 0 && v.b == after;  // Password=x; not token = self.token;
  bool conn = (before > 0 && t[before - 1] == ';') || (v.semicolon && tight);
  bool pw = kc == KeyClass::kPassword;
  if (v.quoted) {
    if (val.find_first_of(" \t") != sv::npos) return;
    if (val.size() < (pw ? 4u : 8u)) return;
    if (!pw && identifier_like(val) && val.size() < 24) return;
  } else {
    if (val.find_first_of("([{") != sv::npos) return;
    if (val.size() < (pw ? 4u : 8u)) return;
    if (all_digits(val) && val.size() <= 8) return;
    // Unquoted words are usually code (token = self.token); env files and connection
    // strings are the exception, and so is a bare password=word (psql, curl forms).
    bool bare_pw = pw && s == '=' && spaces == 0 && val.find('.') == sv::npos;
    if (identifier_like(val) && !env_style && !conn && !bare_pw) return;
  }
  const char* kind = pw ? (conn ? "connection_string_password" : "password") : "generic_secret";
  if (!pw) {
    std::string low(key.size(), '\0');
    for (std::size_t i = 0; i < key.size(); ++i) low[i] = lower(static_cast<unsigned char>(key[i]));
    if (low.find("aws") != std::string::npos && low.find("secret") != std::string::npos) kind = "aws_secret_key";
  }
  add(kind, v.b, val.size());
}

// --password hunter2 / --api-key abc123 (the '=' form goes through generic()).
void Finder::dashdash_flag(std::size_t i) {
  if (i + 2 >= t.size() || t[i + 1] != '-' || (i > 0 && !is_space(static_cast<unsigned char>(t[i - 1]))))
    return;
  std::size_t b = i + 2;
  std::size_t n = run(t, b, [](unsigned char c) { return is_alnum(c) || c == '-' || c == '_'; });
  if (n == 0 || b + n >= t.size() || t[b + n] != ' ') return;
  KeyClass kc = classify_key(t.substr(b, n));
  if (kc == KeyClass::kNone) return;
  Value v = read_value(t, b + n + 1);
  if (v.e <= v.b) return;
  sv val = t.substr(v.b, v.e - v.b);
  if (placeholder(val) || val[0] == '-' || val.size() < 4) return;
  if (!v.quoted && identifier_like(val)) return;
  add(kc == KeyClass::kPassword ? "password" : "generic_secret", v.b, val.size());
}

std::vector<SecretFinding> scan(sv t) {
  Finder f{t, {}};
  const std::size_t n = t.size();
  for (std::size_t i = 0; i < n; ++i) {
    switch (t[i]) {
      case 's': f.scan_s(i); break;
      case 'A':
        f.scan_aws(i);
        f.scan_google(i);
        f.scan_azure_kv(i);
        break;
      case 'g': f.scan_g(i); break;
      case 'x': f.scan_x(i); break;
      case 'h': f.scan_slack_webhook(i); break;
      case 'y':
      case 'G': f.scan_google(i); break;
      case 'r':
      case 'w': f.scan_stripe_other(i); break;
      case 'e': f.scan_jwt(i); break;
      case 'S': f.scan_azure_kv(i); break;
      case 'B':
      case 'b': f.scan_auth_scheme(i); break;
      case 'Q':
        if (i + 1 < n && t[i + 1] == '~') f.scan_azure_client_secret(i);
        break;
      case '-':
        if (i + 4 < n && t[i + 1] == '-' && t[i + 2] == '-') f.scan_pem(i);
        else f.dashdash_flag(i);
        break;
      case ':':
        if (i + 2 < n && t[i + 1] == '/' && t[i + 2] == '/') f.scan_url_password(i);
        else f.generic(i);
        break;
      case '=': f.generic(i); break;
      default: break;
    }
    if (t[i] == 's' && i + 4 <= n && t.compare(i, 4, "sig=") == 0) f.scan_sas_sig(i);
  }
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
