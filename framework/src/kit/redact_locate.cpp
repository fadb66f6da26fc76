// redact_locate.cpp - where a text holds a secret, in words a user can act on.
#include <algorithm>

#include "skillpipe/kit/redact.hpp"

namespace skillpipe {

std::string first_secret_at(std::string_view text) {
  const std::vector<SecretFinding> found = find_secrets(text);
  if (found.empty()) return {};
  const SecretFinding& f = found.front();
  const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(f.offset), '\n');
  return "line " + std::to_string(line) + " (" + f.kind + ")";
}

}  // namespace skillpipe
