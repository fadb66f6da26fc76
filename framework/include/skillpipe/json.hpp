// json.hpp - the stable JSON form of every record, and JSONL helpers.
//
// to_json writes one compact line (no newline). from_json ignores unknown fields, accepts a
// missing `schema` as version 1, and throws RecordError naming the field and what was
// expected when a known field has the wrong type or the text is not a JSON object.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "skillpipe/records.hpp"

namespace skillpipe {

std::string to_json(const SessionDigest& r);
std::string to_json(const TaskRecord& r);
std::string to_json(const ReplayResult& r);
std::string to_json(const Verdict& r);
std::string to_json(const Edit& r);
std::string to_json(const SkillDocument& r);
std::string to_json(const Proposal& r);
std::string to_json(const NightReport& r);
std::string to_json(const RuleCheck& r);
// Pretty, multi-line form for files people read (report.json).
std::string to_json_pretty(const NightReport& r);

void from_json(std::string_view text, SessionDigest& out);
void from_json(std::string_view text, TaskRecord& out);
void from_json(std::string_view text, ReplayResult& out);
void from_json(std::string_view text, Verdict& out);
void from_json(std::string_view text, Edit& out);
void from_json(std::string_view text, SkillDocument& out);
void from_json(std::string_view text, Proposal& out);
void from_json(std::string_view text, NightReport& out);
void from_json(std::string_view text, RuleCheck& out);

template <class T>
T record_from_json(std::string_view text) {
  T out;
  from_json(text, out);
  return out;
}

// Escapes `s` as the body of a JSON string (no surrounding quotes); invalid UTF-8 becomes U+FFFD.
std::string json_escape(std::string_view s);
// Quotes and escapes.
std::string json_quote(std::string_view s);

struct JsonlStats {
  std::int64_t lines = 0;
  std::int64_t bad_lines = 0;     // not valid JSON (including a torn last line)
  bool torn_tail = false;         // the file ended without a newline inside a partial record
};

// Calls `fn(line, line_no)` for each non-empty line of a JSONL file (1-based line numbers).
// A last line without '\n' that does not parse is treated as torn and skipped, never an
// error. Returns false if the file cannot be opened.
bool for_each_jsonl_line(const std::string& path,
                         const std::function<void(std::string_view line, std::int64_t line_no)>& fn,
                         JsonlStats* stats = nullptr);

}  // namespace skillpipe
