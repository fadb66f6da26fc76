// draft_template.hpp - a SKILL.md drafted from a ready pattern's evidence, without an LLM.
//
// Everything in the draft comes from the pattern: the requests it answers (When to use),
// the commands and files the successful sessions shared, in the target agent's tool names
// (Procedure, procedure_text.hpp), what their final answers said
// (Expected result) and which sessions it rests on (Source evidence). Deterministic: the
// same pattern always gives the same bytes.
#pragma once

#include <string>

#include "pattern_view.hpp"
#include "skillpipe/records.hpp"

namespace skillpipe::consolidate_draft {

// Whom a draft is for and where its evidence comes from.
struct DraftFor {
  Agent agent = Agent::kClaude;        // the target agent: the procedure uses its tool names
  std::string where = "in this project";  // "in this project", "in project shop", "across 3 projects"
};

// "in this project" when every session ran in `night_project`, "in project <name>" when they
// share another one, "across N projects" otherwise.
std::string where_from(const PatternView& p, const std::string& night_project);

// The skill name for a pattern: its label when that is a valid skill name, else
// "pattern-<id hex>".
std::string skill_name_for(const PatternView& p);

// A complete SKILL.md (frontmatter name + description, then the four sections).
std::string render_new_skill(const PatternView& p, const std::string& name, const DraftFor& f);

// `base` (an existing skill) with this pattern's section added at the end, or replacing the
// section an earlier night added for the same pattern.
std::string render_append(const PatternView& p, const std::string& base, const DraftFor& f);

// Like render_append, with `body` (text under the heading) written by someone else (the LLM).
std::string append_section(const PatternView& p, const std::string& base, const std::string& body);

// "## Learned pattern: <label> (`<id>`)" - how a pattern's appended section is found again.
std::string section_heading(const PatternView& p);

}  // namespace skillpipe::consolidate_draft
