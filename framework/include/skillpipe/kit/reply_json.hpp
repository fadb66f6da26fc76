// kit/reply_json.hpp - finding the JSON inside an LLM's reply.
//
// Models wrap JSON in ``` fences or prose ("Here is my grade: {...}"). These helpers find each
// balanced {...} or [...] (string- and escape-aware), so every plugin that parses a model's
// reply - graders, miners, reflection - reads it the same way.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace skillpipe {

// The balanced {...} or [...] that starts at text[start] ('{' or '['), or nullopt.
std::optional<std::string_view> balanced_json_at(std::string_view text, std::size_t start);

// Every balanced value opening with `open` ('{' or '['), in order of its start, at most `limit`.
std::vector<std::string_view> balanced_json_candidates(std::string_view text, char open, std::size_t limit);

}  // namespace skillpipe
