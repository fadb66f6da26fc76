// json_depth.hpp - how deep JSON may nest before skillpipe refuses it (internal to
// libskillpipe; the public form is json_too_deep in util.hpp).
#pragma once

#include <string_view>

namespace skillpipe::detail {

// Parsing a document (rapidjson) and walking one both recurse once per level, so a crafted
// line of 50,000 '[' - in an agent's answer, a model's reply, a transcript - would overflow
// the stack. Deeper documents are refused before any parse; real ones nest a few dozen
// levels at most.
inline constexpr int kMaxJsonDepth = 256;

// True when `text` has more than `max_depth` arrays and objects open at once. Brackets inside
// strings do not count; the text need not be valid JSON.
bool json_too_deep(std::string_view text, int max_depth = kMaxJsonDepth);

}  // namespace skillpipe::detail
