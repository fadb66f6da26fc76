// description_edit.hpp - the set_description edit: a new `description:` value in a SKILL.md's
// YAML frontmatter. The description is what Claude Code and Codex list for every installed
// skill; the body is loaded only when the model picks the skill from that listing, so a
// description that does not match the work means the skill never triggers.
//
// Only the value of the top-level `description:` key changes (a block scalar's continuation
// lines go with it); `name`, every other key and every other byte of the document stay. The
// value is one line - whitespace runs, newlines included, become one space - at most
// kMaxDescriptionChars bytes, and written as a YAML plain scalar when that is safe, else
// double-quoted.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "skillpipe/records.hpp"

namespace skillpipe::consolidate_reflect {

// Codex's bundled skill validator refuses descriptions over 1024 characters (Claude Code
// 2.1.197 cuts its listing at 1536, skillListingMaxDescChars): the stricter limit holds for both.
inline constexpr std::size_t kMaxDescriptionChars = 1024;

// The description as it would be written: whitespace collapsed to single spaces, trimmed.
std::string one_line_description(std::string_view content);

struct DescriptionEdit {
  EditStatus status = EditStatus::kProposed;
  std::string text;  // the document with the new description (status kApplied)
  std::string why;   // for any other status: what was wrong, in words a user can act on
};

// Replaces the description of `document` (whose first bytes must be the frontmatter) with
// `content`. Statuses: applied; duplicate (the same description); anchor_not_found (no
// frontmatter, not closed, or no top-level description key); oversize; empty.
DescriptionEdit set_description(std::string_view document, std::string_view content);

}  // namespace skillpipe::consolidate_reflect
