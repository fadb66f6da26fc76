// kit/redact.hpp - secret detection and redaction, applied before anything leaves the machine.
//
// Harvesters redact every string a digest keeps; backends pass every outbound request body
// through redact_secrets() as a last line of defence; the offline drafter's safety review
// uses find_secrets(). Replacements look like "[REDACTED:<kind>]".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace skillpipe {

struct SecretFinding {
  std::string kind;             // openai_key, anthropic_key, aws_access_key, github_token, jwt, ...
  std::size_t offset = 0;       // byte range of the secret value in the input
  std::size_t length = 0;
};

std::vector<SecretFinding> find_secrets(std::string_view text);
// Returns `text` with every finding replaced; adds the number of redactions to *count.
std::string redact_secrets(std::string_view text, std::int64_t* count = nullptr);
// The same in place: `text` is only rewritten (and copied) when it holds a secret, which
// most harvested text does not.
void redact_secrets_in_place(std::string& text, std::int64_t* count = nullptr);

// `text` cut to its first (head) or last (tail) `max_bytes`, "…" where it was cut, redacted
// before the cut: a secret the cut splits is still recognised whole. Whatever is kept of a
// text that is cut must come from these, never from a cut followed by redact_secrets.
std::string redacted_head(std::string_view text, std::size_t max_bytes, std::int64_t* count = nullptr);
std::string redacted_tail(std::string_view text, std::size_t max_bytes, std::int64_t* count = nullptr);

// "line 12 (github_token)": where `text` holds its first secret, "" when it holds none. A
// stage that would copy a user's file into the store checks it first.
std::string first_secret_at(std::string_view text);

}  // namespace skillpipe
