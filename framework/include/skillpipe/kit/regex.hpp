// kit/regex.hpp - compiled, cached regular expressions for rule checks.
//
// Patterns follow Python `re` syntax (the gbrain-evals skillopt-v1 judges were written for
// it): inline flags such as (?i), (?P<name>...), lookaround. With PCRE2 (the default build)
// matching is Unicode-aware, never recurses on the subject, and a pathological pattern hits
// a match limit (reported as an error) instead of hanging or crashing the night. Without
// PCRE2 the build falls back to std::regex (ECMAScript), run on a large private stack.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace skillpipe::rules {

class CompiledRegex {
 public:
  virtual ~CompiledRegex() = default;
  // True on a match anywhere in `text`. On a matching failure (match limit) returns false and
  // sets *error.
  virtual bool search(std::string_view text, std::string* error) const = 0;
};

// Compiles `pattern` once; later calls with the same (pattern, icase) share the result.
// Thread-safe. Returns nullptr and sets *error when the pattern does not compile.
std::shared_ptr<const CompiledRegex> compile_regex(const std::string& pattern, bool icase, std::string* error);

// Escapes `literal` so it matches itself inside a pattern.
std::string regex_escape(std::string_view literal);

// Which engine this build uses ("pcre2 10.42" or "std::regex").
std::string regex_engine_name();

}  // namespace skillpipe::rules
