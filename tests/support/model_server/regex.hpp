// regex.hpp - PCRE2 patterns for scripts and request parsing (Perl syntax: (?i), \d, lookaround).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace skillpipe::model_server {

class Regex {
 public:
  // Throws std::runtime_error("bad pattern '...': <reason> at offset N").
  explicit Regex(const std::string& pattern);
  ~Regex();
  Regex(Regex&&) noexcept;
  Regex& operator=(Regex&&) noexcept;

  bool search(std::string_view text) const;
  // Capture group `n` of the first match (nullopt: no match or the group did not take part).
  std::optional<std::string> capture(std::string_view text, int n) const;
  const std::string& pattern() const { return pattern_; }

 private:
  struct Impl;
  std::string pattern_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skillpipe::model_server
