// json_parse.hpp - the one way skillpipe's own code parses JSON with RapidJSON.
// In-tree only: RapidJSON is private to skillpipe, so this header is not installed (a third
// party's code has kit::json_too_deep in util.hpp). Scripts.JsonParseSites fails when code
// under framework/, plugins/, bench/ or fuzz/ calls a document's Parse anywhere else.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace skillpipe::detail {

// Parsing a document (rapidjson) and walking one both recurse once per level, so a crafted
// line of 50,000 '[' - in an agent's answer, a model's reply, a transcript - would overflow
// the stack. Deeper documents are refused before any parse; real ones nest a few dozen
// levels at most.
inline constexpr int kMaxJsonDepth = 256;

// True when `text` has more than `max_depth` arrays and objects open at once. Brackets inside
// strings do not count; the text need not be valid JSON. (libskillpipe, json_depth.cpp)
bool json_too_deep(std::string_view text, int max_depth = kMaxJsonDepth);

// Why parse_json refused a text; converts to false when it did not.
struct JsonParseError {
  enum class Kind { none, too_deep, invalid };
  Kind kind = Kind::none;
  std::size_t offset = 0;  // where an invalid document goes wrong
  const char* reason = "";  // RapidJSON's words for it

  explicit operator bool() const { return kind != Kind::none; }
  // "invalid JSON at offset 12: Missing a comma ..." or the nesting refusal.
  std::string message() const {
    if (kind == Kind::too_deep)
      return "JSON nested deeper than " + std::to_string(kMaxJsonDepth) +
             " levels (refused: it would overflow the stack)";
    return "invalid JSON at offset " + std::to_string(offset) + ": " + reason;
  }
};

// Parses `text` into `doc`, refusing text nested past kMaxJsonDepth before RapidJSON sees it
// (`doc` is then null). Flags are RapidJSON's parse flags.
template <unsigned Flags = rapidjson::kParseDefaultFlags, typename Document>
JsonParseError parse_json(Document& doc, std::string_view text) {
  if (json_too_deep(text)) {
    doc.SetNull();
    return {JsonParseError::Kind::too_deep};
  }
  doc.template Parse<Flags>(text.data(), text.size());
  if (!doc.HasParseError()) return {};
  return {JsonParseError::Kind::invalid, doc.GetErrorOffset(), rapidjson::GetParseError_En(doc.GetParseError())};
}

}  // namespace skillpipe::detail
