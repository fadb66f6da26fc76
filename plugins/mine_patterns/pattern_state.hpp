// pattern_state.hpp - the offline patterns a project has accumulated across nights.
//
// Kept in the store's per-project state (key "offline/patterns") as JSON, so a pattern's id
// stays the same and its evidence grows night after night. Members are judged sessions:
// successes and failures both count (unknown sessions are never stored).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "skillpipe/records.hpp"

namespace skillpipe::patterns {

struct Member {
  std::string session;
  std::string project;
  std::string outcome;  // success | fail
  std::string reason;   // the success judge's reason
  bool corrected = false;
  std::string at;                   // session end (or start), ISO-8601
  std::string intent;               // redacted, truncated
  std::string result;               // last assistant final, redacted, truncated
  std::vector<std::string> tokens;  // intent tokens (similarity.hpp)
  std::vector<std::string> tools;   // in first-use order
  std::vector<std::string> skills;
  std::vector<std::string> files;
  std::string agent;                  // the digest's source ("claude", "codex", ...)
  std::vector<ProcedureStep> steps;   // the session's successful commands (procedure.hpp)
  bool redacted = false;              // the request is mostly redaction markers
};

struct Pattern {
  std::string id;     // "pat-" + 12 hex, never changes
  std::string label;  // lower-case-hyphenated: the verb and object of its requests
  bool label_fixed = false;  // set once the pattern was ready: a drafted skill keeps its name
  std::string created_at;
  std::string updated_at;
  std::vector<Member> members;  // oldest first
  int successes() const;
  int failures() const;
};

struct PatternState {
  std::vector<Pattern> patterns;
};

constexpr const char* kStateKey = "offline/patterns";

// Throws skillpipe::Error naming the bad field when the JSON is not a pattern state.
PatternState parse_state(std::string_view json);
std::string state_to_json(const PatternState& state);

}  // namespace skillpipe::patterns
