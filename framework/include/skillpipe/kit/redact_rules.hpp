// kit/redact_rules.hpp - what the redactor (redact.hpp) covers, and the redaction helpers for
// paths and for text that is nothing but markers.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace skillpipe {

// One kind the detector reports, for the documentation and the coverage tests.
struct RedactionRule {
  std::string_view kind;      // as in [REDACTED:<kind>]
  std::string_view category;  // cloud, vcs, chat, payment, email_sms, registry, ai, ...
  std::string_view covers;    // what it matches, in a reader's words
};
std::span<const RedactionRule> redaction_rules();
// The rule list as the Markdown table docs/security.md carries.
std::string redaction_rules_markdown();

// redact_secrets() for a transcript path, which also replaces random-looking runs
// ("[REDACTED:path_token]"; the rule is in the catalogue): Claude names project folders after the
// working directory with '/', '_' and '.' turned into '-', so "/w/ghp_Ab12..." becomes
// "-w-ghp-Ab12...", no longer a ghp_ token by its shape but still its secret part.
std::string redact_path(std::string_view path, std::int64_t* count = nullptr);

// True when `text` holds redaction markers ("[REDACTED:kind]", "[REDACTED_MESSAGE len=32 …]")
// and, apart from them, no letter or digit: nothing a reader or a model could learn from.
bool only_redaction_markers(std::string_view text);

}  // namespace skillpipe
