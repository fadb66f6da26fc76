#include "regex.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdexcept>

namespace skillpipe::model_server {

struct Regex::Impl {
  pcre2_code* code = nullptr;
  ~Impl() { pcre2_code_free(code); }
};

Regex::Regex(const std::string& pattern) : pattern_(pattern), impl_(std::make_unique<Impl>()) {
  int err = 0;
  PCRE2_SIZE offset = 0;
  // MATCH_INVALID_UTF: request bodies and tool output may hold invalid UTF-8.
  impl_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                              PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &err, &offset, nullptr);
  if (!impl_->code) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(err, buf, sizeof buf);
    throw std::runtime_error("bad pattern '" + pattern + "': " + reinterpret_cast<const char*>(buf) +
                             " at offset " + std::to_string(offset));
  }
}

Regex::~Regex() = default;
Regex::Regex(Regex&&) noexcept = default;
Regex& Regex::operator=(Regex&&) noexcept = default;

std::optional<std::string> Regex::capture(std::string_view text, int n) const {
  pcre2_match_data* md = pcre2_match_data_create_from_pattern(impl_->code, nullptr);
  int rc = pcre2_match(impl_->code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0, 0, md, nullptr);
  std::optional<std::string> out;
  if (rc > n) {
    PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
    if (ov[2 * n] != PCRE2_UNSET) out = std::string(text.substr(ov[2 * n], ov[2 * n + 1] - ov[2 * n]));
  }
  pcre2_match_data_free(md);
  return out;
}

bool Regex::search(std::string_view text) const { return capture(text, 0).has_value(); }

}  // namespace skillpipe::model_server
