// json.hpp - the stable JSON form of every record, the JSON primitives behind it, and JSONL
// helpers.
//
// to_json writes one compact line (no newline). from_json ignores unknown fields, accepts a
// missing `schema` as version 1, reads the 0.1 forms of records (fields.hpp says which), and
// throws RecordError naming the field (a JSON pointer) and what was expected when a known
// field has the wrong type or an unknown enum text, or the text is not a JSON object.
//
// JsonWriter / JsonDocument / JsonValue are the only JSON types the contract exposes; the
// field visitor (fields.hpp) builds every record's JSON on them, and any plugin state file
// that lists its fields the same way gets the same reader and writer.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "skillpipe/abi.hpp"
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

// ---- primitives ----------------------------------------------------------------------------

// JSON text built value by value: compact, or pretty (2-space indent). Strings with invalid
// UTF-8 are repaired (U+FFFD), so the output always parses.
class SKILLPIPE_VISIBLE JsonWriter {
 public:
  explicit JsonWriter(bool pretty = false);
  ~JsonWriter();
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  void key(std::string_view k);
  void string(std::string_view s);
  void boolean(bool b);
  void integer(std::int64_t i);
  void unsigned_integer(std::uint64_t u);
  void number(double d);
  void null();
  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  // The text written so far (a complete value once every object and array is closed).
  std::string text() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A read-only view of one value of a JsonDocument; valid while the document lives.
class SKILLPIPE_VISIBLE JsonValue {
 public:
  bool is_null() const;
  bool is_bool() const;
  bool is_object() const;
  bool is_array() const;
  bool is_string() const;
  bool is_number() const;
  bool is_int() const;         // fits an int
  bool is_int64() const;       // fits an int64
  bool is_uint64() const;      // fits a uint64
  const char* type_name() const;  // "null", "true", "an object", "a string", ... for messages

  std::string_view as_string() const;  // precondition: is_string()
  bool as_bool() const;
  int as_int() const;
  std::int64_t as_int64() const;
  std::uint64_t as_uint64() const;
  double as_double() const;

  std::size_t size() const;                    // array elements or object members
  JsonValue at(std::size_t i) const;           // array element i
  std::optional<JsonValue> find(std::string_view key) const;  // object member
  std::string_view member_name(std::size_t i) const;
  JsonValue member_value(std::size_t i) const;

 private:
  friend class JsonDocument;
  explicit JsonValue(const void* v) : v_(v) {}
  const void* v_;
};

class SKILLPIPE_VISIBLE JsonDocument {
 public:
  // Throws RecordError "invalid JSON at offset N: <why>".
  static JsonDocument parse(std::string_view text);
  JsonDocument(JsonDocument&&) noexcept;
  JsonDocument& operator=(JsonDocument&&) noexcept;
  ~JsonDocument();
  JsonValue root() const;

 private:
  JsonDocument();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace skillpipe
