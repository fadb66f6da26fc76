// request_text.hpp - what a user's request asks for, in words a skill can be named after.
//
// Requests are redacted before they get here, so they may hold markers such as
// "[REDACTED:github_token]" or "[REDACTED_NAME len=41 …]". Those are never words of a name,
// and a request made mostly of them says too little to draft a skill from.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace skillpipe::mine_patterns {

// `text` with every redaction marker ("[REDACTED...]") replaced by a space.
std::string strip_redactions(std::string_view text);

// True when the request says too little once its redactions are gone: at least half of its
// characters were inside markers, or fewer than two content words remain.
bool mostly_redacted(std::string_view text);

// The request as clustering compares it: redactions removed, common abbreviations spelled
// out ("PRs" -> "pull requests"), file names split into words ("RELEASE_NOTES.md" ->
// "RELEASE NOTES"), so paraphrases of one request share their words.
std::string normalize_request(std::string_view text);

// The request's verb and what it acts on: "can you put together release notes for the pull
// requests we merged?" -> {"write", {"release", "notes"}} (synonyms of writing become "write").
// Both empty when the request has no recognisable verb.
struct VerbObject {
  std::string verb;
  std::vector<std::string> object;
};
VerbObject verb_object(std::string_view request);

// A skill-name label for requests of one pattern: the most common verb and object among
// them ("write-release-notes"); without a verb, the content words most of them share.
// "" when nothing usable remains.
std::string label_from_requests(const std::vector<std::string>& requests);

}  // namespace skillpipe::mine_patterns
