// handoff_files.hpp - the hand-off folder: PROMPTS.md, pending.json and answers/<id>.md.
//
// pending.json pins every prompt handed off this night: its id (first 16 hex of its hash),
// the full sha256, and when the request names a task, a pin key (purpose, task, variant,
// sample). On resume the file is verified, and a request whose pin key now carries a
// different prompt is refused, so a resumed night cannot silently ask something else.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace skillpipe::backend_handoff {

struct PendingPrompt {
  std::string id;
  std::string sha256;
  std::string pin_key;       // "" when the request names no task
  std::string purpose;
  std::string task_id;
  std::string variant;
  int sample = 0;
  std::string prompt;
};

// sha256 of what identifies a prompt: its text and its sample index.
std::string prompt_sha256(const std::string& prompt, int sample);

class HandoffFolder {
 public:
  explicit HandoffFolder(std::string dir) : dir_(std::move(dir)) {}
  const std::string& dir() const { return dir_; }
  std::string answer_path(const std::string& id) const { return dir_ + "/answers/" + id + ".md"; }

  // Reads and verifies pending.json (absent = nothing handed off yet). Throws Error naming
  // the file when it is unreadable or a prompt no longer matches its pin.
  std::vector<PendingPrompt> load() const;
  // The answer's text, or nullopt when answers/<id>.md is missing or blank.
  std::optional<std::string> answer(const std::string& id) const;
  // Writes pending.json and PROMPTS.md (atomically) for `all`; PROMPTS.md shows the ones
  // still unanswered. Returns their ids.
  std::vector<std::string> write(const std::vector<PendingPrompt>& all, const std::string& resume_hint) const;

 private:
  std::string dir_;
};

}  // namespace skillpipe::backend_handoff
