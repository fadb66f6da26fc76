// draft_template.hpp - a SKILL.md drafted from a ready pattern's evidence, without an LLM.
//
// Everything in the draft comes from the pattern: the requests it answers (When to use),
// the tool chain the successful sessions shared (Procedure), what their final answers said
// (Expected result) and which sessions it rests on (Source evidence). Deterministic: the
// same pattern always gives the same bytes.
#pragma once

#include <string>

#include "pattern_view.hpp"

namespace skillpipe::consolidate_draft {

// The skill name for a pattern: its label when that is a valid skill name, else
// "pattern-<id hex>".
std::string skill_name_for(const PatternView& p);

// A complete SKILL.md (frontmatter name + description, then the four sections).
std::string render_new_skill(const PatternView& p, const std::string& name);

// `base` (an existing skill) with this pattern's section added at the end, or replacing the
// section an earlier night added for the same pattern.
std::string render_append(const PatternView& p, const std::string& base);

// Like render_append, with `body` (text under the heading) written by someone else (the LLM).
std::string append_section(const PatternView& p, const std::string& base, const std::string& body);

// "## Learned pattern: <label> (`<id>`)" - how a pattern's appended section is found again.
std::string section_heading(const PatternView& p);

}  // namespace skillpipe::consolidate_draft
