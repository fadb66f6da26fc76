// pattern_state.hpp - the offline patterns a project has accumulated across nights.
//
// Kept in the store's per-project state (key "offline/patterns") as JSON, so a pattern's id
// stays the same and its evidence grows night after night. Members are judged sessions:
// successes and failures both count (unknown sessions are never stored).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "skillpipe/fields.hpp"
#include "skillpipe/records.hpp"

namespace skillpipe::mine_patterns {

struct Member {
  std::string session;
  std::string project;
  Outcome outcome = Outcome::kUnknown;  // kSuccess or kFail
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
SKILLPIPE_FIELDS(Member) {
  v("session", r.session);
  v("project", r.project);
  v("outcome", r.outcome);
  v("reason", r.reason);
  v("corrected", r.corrected);
  v("at", r.at);
  v("intent", r.intent);
  v("result", r.result);
  v("tokens", r.tokens);
  v("tools", r.tools);
  v("skills", r.skills);
  v("files", r.files);
  v("agent", r.agent);
  v("steps", r.steps);
  v("redacted", r.redacted);
}

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
SKILLPIPE_FIELDS(Pattern) {
  v("id", r.id);
  v("label", r.label);
  v("label_fixed", r.label_fixed);
  v("created_at", r.created_at);
  v("updated_at", r.updated_at);
  v("members", r.members);
}

struct PatternState {
  static constexpr int kSchemaVersion = 1;
  std::vector<Pattern> patterns;
};
SKILLPIPE_FIELDS(PatternState) { v("patterns", r.patterns); }

constexpr const char* kStateKey = "offline/patterns";

// Throws RecordError naming the bad field when the JSON is not a pattern state.
PatternState parse_state(std::string_view json);
std::string state_to_json(const PatternState& state);

}  // namespace skillpipe::mine_patterns
