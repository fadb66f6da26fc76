// text_util.hpp - small text helpers shared by the consolidator's parts.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "skillpipe/kit/util.hpp"  // join, render_template, template_placeholders

namespace skillpipe::consolidate_reflect {

// For matching anchors and spotting duplicates: ASCII lower-case, leading list markers
// ("- ", "* ", "1. ") dropped, whitespace runs collapsed to one space, trimmed.
std::string normalize_for_match(std::string_view s);

// One-line excerpt for prompts: whitespace collapsed, cut to `max_bytes` on a UTF-8
// boundary (with "…" when cut).
std::string excerpt(std::string_view s, std::size_t max_bytes);

// Edit content as it is stored: CRLF -> LF, trailing spaces of each line and blank lines
// dropped, trimmed.
std::string clean_content(std::string_view s);

std::string format_score(double v);  // "0.3333"

}  // namespace skillpipe::consolidate_reflect
