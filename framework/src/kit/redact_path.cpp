// redact_path.cpp - redact_path(): a file path as it may be stored. Besides the secrets any
// text is scanned for, a path segment can be a token by its shape alone (a working directory
// named after an API key, or Claude's folded folder name of one), so random-looking runs of
// letters and digits are redacted too.
#include <algorithm>
#include <string>

#include "redact_internal.hpp"
#include "skillpipe/abi.hpp"
#include "skillpipe/kit/redact.hpp"

namespace skillpipe {

using namespace redact_detail;

namespace {

struct Mix {
  int up = 0, lo = 0, dg = 0, digit_runs = 0;
  explicit Mix(sv w) {
    for (std::size_t i = 0; i < w.size(); ++i) {
      const auto c = static_cast<unsigned char>(w[i]);
      up += is_upper(c), lo += is_lower(c);
      if (is_digit(c)) {
        ++dg;
        digit_runs += i == 0 || !is_digit(static_cast<unsigned char>(w[i - 1]));
      }
    }
  }
};

// A run of base64url characters (a folded folder name keeps a token's '-' and its '_' as '-')
// is random-looking with 20+ characters mixing upper case, lower case and separate digit groups:
// not a CamelCase name with a year in it, not a kebab-case path.
// A token also has one stretch of 12+ characters without a separator: kebab-case words with
// a short random suffix (mkdtemp's "skillpipe-test-85XLD9") are a folder, not a token.
bool b64_token_like(sv w) {
  if (w.size() < 20) return false;
  std::size_t longest = 0, cur = 0;
  for (const char c : w) {
    cur = (c == '-' || c == '_') ? 0 : cur + 1;
    longest = std::max(longest, cur);
  }
  if (longest < 12) return false;
  const Mix m(w);
  return m.up >= 3 && m.lo >= 3 && m.dg >= 3 && m.digit_runs >= 2;
}

// A run of letters and digits is random-looking with 32+ mixing letters and digits (hex and
// base32 keys: a folder name that long is a machine's id, never a person's word), or 30+
// letters in both cases that change case far more often than words do.
bool alnum_token_like(sv w) {
  if (w.size() >= 32 && has_digit_and_letter(w)) return true;
  if (w.size() < 30) return false;
  const Mix m(w);
  return m.up >= 8 && m.lo >= 8;
}

// Replaces every run matching `pred` over characters `in_run` with the path_token marker.
template <class InRun, class Pred>
std::string replace_runs(sv t, InRun in_run, Pred pred, std::int64_t* count) {
  std::string out;
  out.reserve(t.size());
  for (std::size_t i = 0; i < t.size();) {
    const std::size_t n = run(t, i, in_run);
    if (n == 0) {
      out += t[i++];
      continue;
    }
    if (pred(t.substr(i, n))) {
      out += "[REDACTED:path_token]";
      if (count) ++*count;
    } else {
      out.append(t.substr(i, n));
    }
    i += n;
  }
  return out;
}

// Whether some run over `in_run` matches `pred`.
template <class InRun, class Pred>
bool any_run(sv t, InRun in_run, Pred pred) {
  for (std::size_t i = 0; i < t.size();) {
    const std::size_t n = run(t, i, in_run);
    if (n && pred(t.substr(i, n))) return true;
    i += n ? n : 1;
  }
  return false;
}

}  // namespace

SKILLPIPE_VISIBLE std::string redact_path(std::string_view path, std::int64_t* count) {
  // Nearly every path holds nothing to redact: say so without building three copies.
  if (find_secrets(path).empty() && !any_run(path, is_alnum, alnum_token_like) && !any_run(path, is_b64url, b64_token_like))
    return std::string(path);
  const std::string first = redact_secrets(path, count);
  const std::string second = replace_runs(first, is_alnum, alnum_token_like, count);
  return replace_runs(second, is_b64url, b64_token_like, count);
}

}  // namespace skillpipe
