// pattern_view.hpp - a pattern task record (from mine_patterns) with what drafting derives
// from it: the other requests of the pattern, its sessions, and an evidence signature.
#pragma once

#include <string>
#include <vector>

#include "skillpipe/records.hpp"

namespace skillpipe::consolidate_draft {

struct PatternView {
  std::string id;
  std::string label;
  std::string project;
  bool ready = false;
  std::string readiness;
  int successes = 0;
  int failures = 0;
  std::string ratio;                  // the success ratio as shown ("0.75")
  std::string intent;                 // the most typical request
  std::vector<std::string> examples;  // other requests of the pattern
  std::vector<std::string> tool_chain;
  std::string tool_chain_support;     // "k/n": successful sessions that took every step
  std::vector<std::string> skills;
  std::vector<std::string> files;
  std::vector<ProcedureStep> procedure;   // the successes' common steps (commands, files written)
  std::vector<Agent> agents;              // agents whose sessions succeeded at it
  std::vector<std::string> projects;      // the projects of those sessions
  std::vector<PatternEvidence> evidence;
  std::vector<std::string> sessions;  // every member session
  std::string skill_hint;
  std::string evidence_sig;  // changes whenever the evidence changes
};

// False (with `why`) when `t` is not a pattern task record.
bool read_pattern(const TaskRecord& t, PatternView& out, std::string* why);

}  // namespace skillpipe::consolidate_draft
