// utf8.hpp - UTF-8 checks the record JSON needs (internal to libskillpipe; the public forms
// are utf8_valid / repair_utf8 in util.hpp).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace skillpipe::detail {

bool utf8_valid(std::string_view s);
// Replaces invalid sequences with U+FFFD; returns the number replaced.
std::size_t repair_utf8(std::string& s);
// `s` without leading and trailing ASCII whitespace.
std::string trim_ascii(std::string_view s);

}  // namespace skillpipe::detail
