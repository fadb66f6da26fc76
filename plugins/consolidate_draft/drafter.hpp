// drafter.hpp - one ready pattern -> reviewed proposals, one per configured target.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "draft_state.hpp"
#include "pattern_view.hpp"
#include "skill_catalog.hpp"
#include "skillpipe/backend.hpp"
#include "skillpipe/kit/safety.hpp"
#include "skillpipe/records.hpp"

namespace skillpipe::consolidate_draft {

struct DraftSettings {
  // Where drafts go; empty: the skill target of each agent whose sessions make up the
  // pattern (Claude Code sessions -> claude_skill, Codex sessions -> codex_skill).
  std::vector<Target> targets;
  SkillRoots roots = SkillRoots::defaults();
  std::string scope = "project";  // where new skills go: project | user
  double match_threshold = 0.6;
  std::string quarantine_severity = "medium";
  SafetyOptions safety;
};

// The documents tonight's drafts already claim. Two patterns can earn the same name (or
// match the same existing skill); the store refuses a document proposed twice, so names are
// made unique here, before anything is staged.
class NameClaims {
 public:
  bool taken(Target target, const std::string& name, const std::string& live_path) const;
  void claim(Target target, const std::string& name, const std::string& live_path);

 private:
  std::set<std::string> keys_;
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

// Drafts `p` for every target (DraftSettings::targets, or the pattern's own agents): an
// append when an existing skill matches, else a new skill. A pattern whose sessions all ran in
// the night's project is a project skill (scope "project"): it only extends skills of that
// project and goes to its skill root; any other pattern is a user skill;
// the LLM (when `llm` is non-null) may replace the template text. Every text is reviewed
// (safety.hpp); findings at or above the quarantine severity quarantine the proposal, and
// findings already present in the existing skill are not held against the draft.
// `previous` is this pattern's last draft: when its skill is live exactly as drafted (the
// user adopted it and did not edit it), the update rewrites the whole skill instead of
// appending a section to it. A new skill whose name is claimed tonight gets a numbered
// name ("-2", "-3", ...); a pattern whose matching existing skill another pattern extends
// tonight waits for the next night (noted), so no document is proposed twice.
PatternDraft draft_pattern(const PatternView& p, const DraftSettings& s,
                           const std::map<Target, std::vector<ExistingSkill>>& catalog, Backend* llm,
                           const std::string& project, const std::string& night, const DraftRecord* previous,
                           NameClaims& claims, Context& ctx);

}  // namespace skillpipe::consolidate_draft
