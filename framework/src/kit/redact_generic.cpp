// redact_generic.cpp - the generic `name = value` secret forms (api_key: "...",
// DB_PASSWORD=..., --password x, Password=...; in connection strings).
//
// Anchored at '=' and ':' (and "--" flags): the name before the separator must end like a
// secret name, and the value must look like one - not code (self.token, os.environ[...]),
// a type (password: str), a placeholder (${VAR}, <token>, xxxx) or an identifier.
#include <algorithm>
#include <array>
#include <cstring>

#include "redact_internal.hpp"

namespace skillpipe::redact_detail {
namespace {

bool ends_with(sv s, sv suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
bool starts_with(sv s, sv prefix) { return s.substr(0, prefix.size()) == prefix; }

enum class KeyClass { kNone, kPassword, kSecret, kAuthorization };

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
      ends_with(l, "privatekey") || ends_with(l, "secret_key_base"))
    return KeyClass::kSecret;
  if (l == "authorization" || l == "proxy-authorization") return KeyClass::kAuthorization;
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

// A secret label names the vendor when it says which one (TWILIO_AUTH_TOKEN, DD_API_KEY).
sv vendor_of_label(sv key) {
  struct Hint {
    sv word;
    sv kind;
  };
  static constexpr Hint kHints[] = {
      {"twilio", "twilio_auth_token"}, {"datadog", "datadog_key"}, {"dd_api", "datadog_key"},
      {"dd_app", "datadog_key"},       {"heroku", "heroku_api_key"}, {"newrelic", "new_relic_key"},
      {"new_relic", "new_relic_key"},  {"cloudflare", "cloudflare_token"}, {"cf_api", "cloudflare_token"},
      {"sentry", "sentry_token"},      {"okta", "okta_token"},       {"vercel", "vercel_token"},
      {"netlify", "netlify_token"},    {"bitbucket", "bitbucket_app_password"}, {"mailchimp", "mailchimp_key"}};
  std::string low(key.size(), '\0');
  for (std::size_t i = 0; i < key.size(); ++i) low[i] = lower(static_cast<unsigned char>(key[i]));
  if (low.find("aws") != std::string::npos && low.find("secret") != std::string::npos) return "aws_secret_key";
  for (const Hint& h : kHints)
    if (low.find(h.word) != std::string::npos) return h.kind;
  return "generic_secret";
}

bool key_upper(sv key) {
  return std::none_of(key.begin(), key.end(), [](unsigned char c) { return is_lower(c); });
}

// "Authorization: <scheme> <credentials>" with any scheme (Token, Bot, Digest, a vendor's):
// the credentials, when they look random (Bearer and Basic have scanners of their own).
void find_authorization(sv t, std::size_t p, std::vector<SecretFinding>& out) {
  while (p < t.size() && (t[p] == ' ' || t[p] == '"' || t[p] == '\'')) ++p;
  const std::size_t scheme = run(t, p, [](unsigned char c) { return is_alnum(c) || c == '-'; });
  if (scheme == 0 || scheme > 32 || p + scheme >= t.size() || t[p + scheme] != ' ') return;
  std::size_t b = p + scheme;
  while (b < t.size() && t[b] == ' ') ++b;
  const std::size_t n = run(t, b, [](unsigned char c) { return is_b64url(c) || c == '+' || c == '/' || c == '=' || c == '.'; });
  if (n < 12 || n > 1024 || !has_digit_and_letter(t.substr(b, n))) return;
  out.push_back({"authorization", b, n});
}

// "encryption key: <hex>": a bare `key` after a word that makes it a credential.
bool qualified_key(sv t, std::size_t k, sv key) {
  if (key.size() != 3 || lower(static_cast<unsigned char>(key[0])) != 'k' || k < 2 || t[k - 1] != ' ') return false;
  std::size_t e = k - 1, b = e;
  while (b > 0 && is_alnum(static_cast<unsigned char>(t[b - 1])) && e - b < 16) --b;
  if (e - b < 3) return false;
  std::string word(e - b, '\0');
  for (std::size_t i = 0; i < word.size(); ++i) word[i] = lower(static_cast<unsigned char>(t[b + i]));
  static constexpr sv kQualifiers[] = {"encryption", "decryption", "api", "secret", "private", "signing",
                                       "master", "access", "auth", "session", "hmac", "aes", "license",
                                       "recovery", "wallet", "root", "admin", "client", "deploy", "service",
                                       "crypto", "cipher", "jwt", "webhook", "app"};
  return std::find(std::begin(kQualifiers), std::end(kQualifiers), sv(word)) != std::end(kQualifiers);
}

// The value after a qualified key counts only when it is random-looking: 16+ hex digits, or
// 16+ base64 characters mixing letters and digits.
void find_labelled(sv t, std::size_t p, std::vector<SecretFinding>& out) {
  while (p < t.size() && (t[p] == ' ' || t[p] == '"' || t[p] == '\'' || t[p] == '`')) ++p;
  const std::size_t n = run(t, p, [](unsigned char c) { return is_b64url(c) || c == '+' || c == '/' || c == '='; });
  if (n < 16 || n > 512 || !boundary_after(t, p + n)) return;
  sv v = t.substr(p, n);
  const bool hex = std::all_of(v.begin(), v.end(), [](unsigned char c) { return is_hex(c); });
  if (!hex && !has_digit_and_letter(v)) return;
  out.push_back({"labelled_secret", p, n});
}

}  // namespace

void find_key_value(sv t, std::size_t sep, std::vector<SecretFinding>& out) {
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
  if (kc == KeyClass::kNone) {
    if (qualified_key(t, k, key)) find_labelled(t, after, out);
    return;
  }
  if (kc == KeyClass::kAuthorization) return find_authorization(t, after, out);
  Value v = read_value(t, after);
  if (v.e <= v.b) return;
  sv val = t.substr(v.b, v.e - v.b);
  if (placeholder(val)) return;
  bool env_style = s == '=' && spaces == 0 && !v.quoted && key_upper(key);
  std::size_t before = k;
  while (before > 0 && t[before - 1] == ' ') --before;
  bool tight = spaces == 0 && v.b == after;  // Password=x; not token = self.token;
  bool conn = (before > 0 && t[before - 1] == ';') || (v.semicolon && tight);
  bool pw = kc == KeyClass::kPassword;
  if (v.quoted) {
    // A quoted value with spaces is prose, except a password in an env file (DB_PASSWORD="a b c").
    if (val.find_first_of(" \t") != sv::npos && !(pw && s == '=' && spaces == 0 && key_upper(key))) return;
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
  sv kind = pw ? (conn ? "connection_string_password" : "password") : vendor_of_label(key);
  out.push_back({std::string(kind), v.b, val.size()});
}

// --password hunter2 / --api-key abc123 (the '=' form goes through generic()).
void find_dashdash_flag(sv t, std::size_t i, std::vector<SecretFinding>& out) {
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
  // `--password hunter` is a password even as a plain word; `--token config.token` is not.
  if (!v.quoted && kc != KeyClass::kPassword && identifier_like(val)) return;
  out.push_back({kc == KeyClass::kPassword ? "password" : "generic_secret", v.b, val.size()});
}

}  // namespace skillpipe::redact_detail
