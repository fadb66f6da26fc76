// gemini_format.hpp - what this harvester knows about Gemini CLI transcripts.
//
// Gemini CLI records each chat under ~/.gemini/tmp/<sha256(project dir)>/chats/ as either
//   session-<date>-<id>.json   one JSON document {sessionId, projectHash, startTime,
//                              lastUpdated, messages:[...]}, rewritten in place as the chat
//                              grows (releases up to 2025), or
//   session-<date>-<id>.jsonl  a header line {sessionId, projectHash, startTime, ...}, one
//                              line per message and {"$set": {...}} patch lines (2026).
// A message is {id, timestamp, type: user|gemini|info|error|warning, content,
// toolCalls?: [{id, name, args, status, ...}], tokens?: {input, output, cached, thoughts, ...},
// model?}. `content` is a string, or a list of parts [{text}] in some releases. Gemini's
// tokens.input includes the cached tokens.
#pragma once

#include <map>
#include <string>

#include "skillpipe/kit/harvester.hpp"

namespace gemini {

// Project directories by the hash Gemini names them with (sha256 hex of the path). Gemini
// stores only the hash, so the harvester can name a project only if it is one it was told
// about (the run's project, `projects`, and their parent directories).
using ProjectIndex = std::map<std::string, std::string>;

std::string project_hash(const std::string& dir);
ProjectIndex index_projects(const std::vector<std::string>& dirs);

// Parses one session file (either format) from the cursor in `job`; the digest holds only
// the messages not harvested before. Thread-safe (called for several files at once).
skillpipe::harvest::FileResult parse_file(const skillpipe::harvest::FileJob& job,
                                          const skillpipe::harvest::Options& options, const ProjectIndex& projects,
                                          std::size_t max_document_bytes);

}  // namespace gemini
