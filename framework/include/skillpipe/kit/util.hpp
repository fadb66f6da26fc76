// kit/util.hpp - small helpers every stage needs: hashing, time, files, text.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace skillpipe {

// Lower-case hex SHA-256 (OpenSSL's libcrypto).
std::string sha256_hex(std::string_view data);

// UTC time. Parses ISO-8601 / RFC 3339 with optional fraction and Z or +hh:mm offset.
std::optional<std::int64_t> parse_iso8601_ms(std::string_view s);
// A duration a user typed: a positive decimal number and a unit m, h, d or w ("30m", "1.5d").
// Hex ("0x10h"), exponents ("1e300h"), signs and anything over kMaxDurationHours are refused.
inline constexpr double kMaxDurationHours = 100 * 366 * 24.0;  // a century
std::optional<double> parse_duration_hours(std::string_view s);
std::string format_iso8601(std::int64_t epoch_ms);       // 2026-01-02T03:04:05.123Z
std::string format_iso8601_s(std::int64_t epoch_ms);     // 2026-01-02T03:04:05Z
// Now, unless SKILLPIPE_NOW (ISO-8601) is set, so tests control the clock.
std::int64_t now_ms();

// Expands a leading "~" and ${VAR} / $VAR (unset variables expand to "").
std::string expand_path(std::string_view s);

// Files. atomic_write_file: temp file in the same dir, fsync, rename, fsync dir. Throws Error.
void atomic_write_file(const std::string& path, std::string_view content);
std::optional<std::string> read_file(const std::string& path);
// A configuration or input file a user named: a regular file of at most `max_bytes`, read
// without ever reading more. A directory, FIFO, device (/dev/zero) or larger file is refused
// with `error` saying which, so a hostile path ends at once instead of filling memory.
struct FileText {
  std::optional<std::string> text;
  std::string error;  // when !text: "is a directory", "is 3 GB; the limit is 1 MiB", ...
};
FileText read_regular_file(const std::string& path, std::uintmax_t max_bytes);
void ensure_dir(const std::string& path);  // mkdir -p; throws Error

// Text.
std::string to_lower_ascii(std::string_view s);
std::string trim(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep);
bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);
// Replaces invalid UTF-8 sequences with U+FFFD; returns the number replaced.
std::size_t repair_utf8(std::string& s);
bool utf8_valid(std::string_view s);
// True when JSON `text` nests arrays and objects more than 256 deep (strings skipped). Every
// JSON parse refuses such text first: parsing and walking it would overflow the stack.
bool json_too_deep(std::string_view text);
// The error to give for such text.
std::string json_too_deep_message();
// Appends code point `cp` encoded as UTF-8.
void append_utf8(std::string& out, char32_t cp);
// Cuts `s` to at most `max_bytes` on a UTF-8 boundary, adding "…" when cut.
std::string truncate_utf8(std::string_view s, std::size_t max_bytes);
// `parts` with `sep` between them.
std::string join(const std::vector<std::string>& parts, std::string_view sep);
// `s` as one POSIX shell word: bare when it is only letters, digits and `bare` characters,
// else single-quoted (an empty string is '').
std::string shell_quote(std::string_view s, std::string_view bare = "/._-+=:,@%");

// Templates: "{{ name }}" placeholders (spaces inside the braces are allowed).
// The placeholder names of `tmpl`, in order of appearance (repeats included).
std::vector<std::string> template_placeholders(std::string_view tmpl);
// The placeholders of `tmpl` not in `allowed` (checked when a template file is loaded).
std::vector<std::string> unknown_placeholders(std::string_view tmpl, const std::vector<std::string>& allowed);
// `tmpl` with each placeholder replaced by its value; one without a value becomes "".
std::string render_template(std::string_view tmpl, const std::map<std::string, std::string>& values);

// A stable slug of a project path for directory names: "home-me-src-app-1a2b3c4d".
std::string project_slug(std::string_view project_path);

}  // namespace skillpipe
