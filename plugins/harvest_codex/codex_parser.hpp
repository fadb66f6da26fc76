// codex_parser.hpp - one Codex rollout file (any era, plain or .zst) -> a SessionDigest.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "skillpipe/kit/harvester.hpp"

namespace skillpipe::harvest_codex {

harvest::FileResult parse_codex_file(const harvest::FileJob& job, const harvest::Options& options);

// The user's request inside a user-role text, or "" when the text is an environment or
// instructions preamble (<environment_context>, AGENTS.md, ...). IDE/Desktop wrappers keep
// only what follows "## My request for Codex:".
std::string clean_prompt(std::string_view text);

// "<skill>...<name>x</name>..." -> "x"; "" when the text is not a skill injection.
std::string skill_name(std::string_view text);

// Paths an apply_patch call touches, from a shell command line or patch text.
std::vector<std::string> patch_paths_in_command(std::string_view command);

}  // namespace skillpipe::harvest_codex
