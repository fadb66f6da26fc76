// recorded_fixture.hpp - the user's machine for a night on real recorded sessions: the git
// project the pinned CLIs worked in when scripts/record_cli_fixtures.sh recorded
// tests/data/cli/, and a home holding those transcripts plus global documents the replays
// must never see.
#pragma once

#include <string>

namespace skillpipe::backend_agent::recorded {

// Where the recorder ran the CLIs; every recorded cwd is this path.
inline constexpr const char* kRecordedProject = "/tmp/skillpipe-fixture/project";
// HEAD of that project (Codex's session_meta records it): "Merge pull request #3 ...".
inline constexpr const char* kRecordedHead = "79cadecb5a1d129b8278e7eb25321be9dd5d136d";
// Text in every global document of the fake home; no model request may carry it.
inline constexpr const char* kGlobalMarker = "GLOBAL-DOCUMENT-7f3a";

// Rebuilds the recorder's project at `dir` exactly as make_project() in
// scripts/record_cli_fixtures.py does (same files, author and dates, so the same commit
// hashes). Returns HEAD; the caller checks it against kRecordedHead.
std::string make_project(const std::string& dir);

// Claude Code's folder name under projects/ for a working directory: every character that is
// not a letter or digit becomes '-' (what the recorded "-tmp-skillpipe-fixture-project" shows).
std::string claude_folder(const std::string& cwd);

// A home at `home` as the user has it: .claude/ holds the recorded Claude Code transcripts,
// .codex/ the recorded Codex rollouts, both moved from kRecordedProject to `project` (paths in
// file contents and Claude's folder name; nothing else changes), plus a global CLAUDE.md,
// AGENTS.md and skills under ~/.claude/skills and ~/.agents/skills that carry kGlobalMarker.
void make_home(const std::string& home, const std::string& project);

}  // namespace skillpipe::backend_agent::recorded
