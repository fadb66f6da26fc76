// redact_internal.hpp - shared by the redaction sources (redact*.cpp); not installed.
#pragma once

#include <bitset>
#include <cstddef>
#include <string_view>
#include <vector>

#include "skillpipe/kit/redact.hpp"

namespace skillpipe::redact_detail {

using sv = std::string_view;

inline bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
inline bool is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
inline bool is_lower(unsigned char c) { return c >= 'a' && c <= 'z'; }
inline bool is_alnum(unsigned char c) { return is_digit(c) || is_upper(c) || is_lower(c); }
inline bool is_hex(unsigned char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
inline bool is_b64url(unsigned char c) { return is_alnum(c) || c == '-' || c == '_'; }
inline bool is_b64(unsigned char c) { return is_alnum(c) || c == '+' || c == '/'; }
inline bool is_space(unsigned char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
inline char lower(unsigned char c) { return is_upper(c) ? static_cast<char>(c + 32) : static_cast<char>(c); }

template <class Pred>
std::size_t run(sv t, std::size_t i, Pred pred) {
  std::size_t j = i;
  while (j < t.size() && pred(static_cast<unsigned char>(t[j]))) ++j;
  return j - i;
}

// A token must not continue a longer word: "task-abc..." is not an "sk-" key.
inline bool boundary_before(sv t, std::size_t i) {
  return i == 0 || !is_alnum(static_cast<unsigned char>(t[i - 1]));
}
inline bool boundary_after(sv t, std::size_t end) {
  return end >= t.size() || !is_alnum(static_cast<unsigned char>(t[end]));
}

// Random keys mix letters and digits; kebab-case words do not.
bool has_digit_and_letter(sv s);

// Kinds named by a label rather than by the value's own shape; a vendor-shaped finding over
// the same bytes names the finding instead.
bool is_label_kind(sv kind);

// The vendor-prefix table (redact_rules.cpp). `prefix_pairs` is the cheap prefilter: bit
// c0 * 256 + c1 is set when some prefix begins with the bytes c0 c1.
const std::bitset<65536>& prefix_pairs();
// Tries every table rule starting at t[i]; records the first (longest-prefix) match.
void find_prefixed(sv t, std::size_t i, std::vector<SecretFinding>& out);

// `name = value` / `name: value` with a secret-looking name, the separator at t[sep].
void find_key_value(sv t, std::size_t sep, std::vector<SecretFinding>& out);
// `--password value` (the '=' form goes through find_key_value); t[i] is the first '-'.
void find_dashdash_flag(sv t, std::size_t i, std::vector<SecretFinding>& out);
// A password given to a known command: `sshpass -p X`, `mysql -pX`, `redis-cli -a X`,
// `curl -u user:X`, ...; t[i] is the '-' of a single-dash flag after a blank.
void find_command_password(sv t, std::size_t i, std::vector<SecretFinding>& out);

}  // namespace skillpipe::redact_detail
