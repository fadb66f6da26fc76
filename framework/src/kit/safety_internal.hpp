// safety_internal.hpp - the pieces of the skill safety review (safety.hpp), shared by its
// source files: text folding, the hidden-content and injection scanners, the shell scanner.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "skillpipe/kit/safety.hpp"

namespace skillpipe::safety_detail {

using Findings = std::vector<SafetyFinding>;

// One logical line: physical lines joined where a shell line ends with a backslash.
struct Line {
  int number = 0;     // 1-based first physical line
  std::string raw;    // as written (continuations joined with a space)
  std::string norm;   // folded (fold_text) with runs of blanks collapsed to one space
  std::string cased;  // the same, keeping ASCII case (for flags where case matters: curl -k / -K)
};

// Folds text the way a reader perceives it: zero-width and bidi characters removed,
// Unicode spaces/dashes/quotes and fullwidth forms mapped to ASCII, Cyrillic/Greek letters
// that look Latin mapped to their Latin twin, ASCII lower-cased. Other text is kept.
std::string fold_text(std::string_view s, bool lower = true);
std::vector<Line> logical_lines(std::string_view raw);

// The offending line as a reviewer should see it: invisible characters spelled out as
// <U+XXXX>, secrets redacted, at most ~160 bytes.
std::string make_excerpt(std::string_view raw_line);

void add_finding(Findings& out, std::string kind, std::string rule, std::string severity, std::string_view raw_line,
                 int line);

// Zero-width, bidi and tag characters, HTML/Markdown comments, mixed-script words.
void scan_hidden(std::string_view raw, Findings& out);
// Prompt-injection phrasing, on each line's folded text and on its letters-only form.
void scan_injection(const std::vector<Line>& lines, Findings& out);
// Dangerous shell commands and insecure settings.
void scan_commands(const std::vector<Line>& lines, Findings& out);
// Secrets (the framework redactor's detectors).
void scan_secrets(std::string_view raw, Findings& out);
// Base64 blobs that decode to text are scanned again with every content detector; their
// findings are reported on the blob's line with the rule prefixed "base64:".
void scan_base64(std::string_view raw, Findings& out, int depth);

// Every content detector over `raw`. `depth` bounds base64-inside-base64 recursion.
void scan_all_content(std::string_view raw, Findings& out, int depth);

}  // namespace skillpipe::safety_detail
