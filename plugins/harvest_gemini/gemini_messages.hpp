// gemini_messages.hpp - Gemini CLI chat records -> SessionBuilder calls, shared by the JSONL
// upsert log (0.61) and the legacy one-document .json files. Format: docs/formats/gemini-cli.md.
#pragma once

#include <map>
#include <string>

#include "skillpipe/kit/harvester.hpp"

namespace skillpipe::gemini {

// Project folder name under <home>/tmp ("demo-app", or a legacy sha256 hex) -> project root.
using ProjectIndex = std::map<std::string, std::string, std::less<>>;

// The project root of a chat file <home>/tmp/<folder>/chats/...: from the index, else a legacy
// hash folder nobody named ("gemini:<hash>"), else "" (unknown).
std::string project_of(const ProjectIndex& projects, std::string_view home, std::string_view path);

// Feeds one session's records to the builder. A message line is re-written in full whenever it
// changes (the tool calls are added to a model message after they ran), so each message id is
// read once, except that a model message's tool calls are taken from its newest write.
class Messages {
 public:
  explicit Messages(harvest::SessionBuilder& s);

  // The metadata line {sessionId, projectHash, startTime, kind}; written again on --resume.
  void header(const harvest::JsonView& rec);
  // {"$set": {...}}: a `messages` list without the unanswered prompt is a rolled-back request.
  void set(const harvest::JsonView& patch);
  // One message; `offset` is where a turn it opens starts (byte offset, or message index).
  void message(const harvest::JsonView& m, std::int64_t offset);
  // A sub-agent's own session (kind "subagent"): not the user's session.
  bool subagent() const { return subagent_; }

 private:
  void user(const harvest::JsonView* f, std::string_view id, std::int64_t offset);
  void model(const harvest::JsonView* f, std::string_view id);
  void tool_calls(const harvest::JsonView& calls);
  void count(const char* key) { ++s_.counts()[key]; }

  harvest::SessionBuilder& s_;
  harvest::RecentIds seen_;      // message ids read (a rewrite of a user message is not a new prompt)
  std::string open_prompt_;      // the prompt no model message answered yet
  bool rebuilding_ = false;      // after a header: $set.messages is the resumed history, not a rollback
  bool skip_ack_ = false;        // the model "Got it" that follows a compression summary
  bool subagent_ = false;
};

}  // namespace skillpipe::gemini
