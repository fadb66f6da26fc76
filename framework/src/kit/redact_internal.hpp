// redact_internal.hpp - shared between redact.cpp and redact_generic.cpp; not installed.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "skillpipe/kit/redact.hpp"

namespace skillpipe::redact_detail {

// `name = value` / `name: value` with a secret-looking name, the separator at t[sep].
void find_key_value(std::string_view t, std::size_t sep, std::vector<SecretFinding>& out);
// `--password value` (the '=' form goes through find_key_value); t[i] is the first '-'.
void find_dashdash_flag(std::string_view t, std::size_t i, std::vector<SecretFinding>& out);

}  // namespace skillpipe::redact_detail
