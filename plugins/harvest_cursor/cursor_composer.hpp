// cursor_composer.hpp - Cursor's composers (conversations in state.vscdb) and agent
// transcripts (~/.cursor/projects/<slug>/agent-transcripts) -> digests. Format:
// docs/formats/cursor.md, learned from public readers (Cursor is closed and not on npm).
#pragma once

#include <string>

#include "skillpipe/kit/harvester.hpp"
#include "sqlite_source.hpp"

namespace skillpipe::cursor {

// One composer "file" (harvest_sqlite: "<global state.vscdb>#<composerId>"); the offset is the
// number of its bubbles read before. `project` is its workspace folder ("" = unknown).
harvest::FileResult read_composer(const harvest::FileJob& job, const harvest::Options& o, const std::string& project);

// One agent transcript (<id>/<id>.jsonl): prompts, answers and tool calls only; Cursor keeps
// no results, times or usage there, so the outcome is unobserved.
harvest::FileResult read_transcript(const harvest::FileJob& job, const harvest::Options& o, const std::string& project);

}  // namespace skillpipe::cursor
