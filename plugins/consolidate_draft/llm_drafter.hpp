// llm_drafter.hpp - an optional LLM rewrite of the template draft.
//
// Given a backend, the model gets the pattern's redacted evidence and the template draft and
// returns a better-written skill. Its answer is untrusted: it goes through the same safety
// review as the template, and anything malformed falls back to the template.
#pragma once

#include <string>

#include "pattern_view.hpp"
#include "skillpipe/backend.hpp"

namespace skillpipe::consolidate_draft {

struct LlmDraft {
  bool ok = false;
  std::string text;  // a full SKILL.md (create) or a section body (append)
  std::string note;  // why it was not used, for the report
  TokenUsage usage;
  double cost_usd = 0;
  bool cached = false;
};

// `append` asks for a section to add to the skill `base` instead of a whole document.
LlmDraft llm_draft(Backend& backend, const PatternView& p, const std::string& name, const std::string& template_text,
                   bool append, const std::string& base, Context& ctx);

}  // namespace skillpipe::consolidate_draft
