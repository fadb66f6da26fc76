// drafter.hpp - one ready pattern -> reviewed proposals, one per configured target.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "draft_state.hpp"
#include "pattern_view.hpp"
#include "skill_catalog.hpp"
#include "skillpipe/backend.hpp"
#include "skillpipe/records.hpp"
#include "skillpipe/safety.hpp"

namespace skillpipe::drafting {

struct DraftSettings {
  std::vector<std::string> targets{"claude_skill"};
  SkillRoots roots;
  std::string scope = "project";  // where new skills go: project | user
  double match_threshold = 0.6;
  std::string quarantine_severity = "medium";
  SafetyOptions safety;
};

struct PatternDraft {
  std::vector<Proposal> proposals;
  DraftRecord record;              // what to remember about this draft
  std::vector<std::string> notes;  // for the night report
  TokenUsage usage;
  double cost_usd = 0;
  int llm_calls = 0;
  int cached_calls = 0;
};

// Drafts `p` for every target: an append when an existing skill matches, else a new skill;
// the LLM (when `llm` is non-null) may replace the template text. Every text is reviewed
// (safety.hpp); findings at or above the quarantine severity quarantine the proposal, and
// findings already present in the existing skill are not held against the draft.
// `previous` is this pattern's last draft: when its skill is live exactly as drafted (the
// user adopted it and did not edit it), the update rewrites the whole skill instead of
// appending a section to it.
PatternDraft draft_pattern(const PatternView& p, const DraftSettings& s,
                           const std::map<std::string, std::vector<ExistingSkill>>& catalog, Backend* llm,
                           const std::string& project, const std::string& night, const DraftRecord* previous,
                           Context& ctx);

}  // namespace skillpipe::drafting
