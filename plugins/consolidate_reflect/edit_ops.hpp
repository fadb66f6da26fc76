// edit_ops.hpp - applying bounded edits to a document, only inside skillpipe's regions.
//
//   add           a bullet in the learned block (skill_defect) or the execution-notes
//                 appendix (execution_lapse)
//   replace       every managed item/line containing `anchor` becomes `content`
//   delete        every managed item/line containing `anchor` (or `content`) goes
//   append        an insert block just before the learned/notes blocks (end of the user part)
//   insert_after  after the first line containing `anchor`: a bullet when that line is a
//                 managed item, else an insert block after the user's line
//   set_description  the skill's frontmatter `description:` value becomes `content` (one
//                 line, at most 1024 characters; description_edit.hpp) - the only edit of
//                 the user's part, as the description is what makes the agent load the skill
// Each edit gets a status: applied, duplicate, anchor_not_found, protected (it would touch
// the user's text, the frontmatter, a code fence, a marker, or a damaged document),
// unknown_op, oversize (the edit or its region would exceed the bounds; never truncated),
// unsafe (the content carries a secret or a dangerous command), empty.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "skillpipe/records.hpp"

namespace skillpipe::consolidate_reflect {

struct EditBounds {
  std::size_t max_edit_chars = 400;     // one edit's content
  std::size_t max_region_chars = 4000;  // learned block, notes block, all insert blocks together
};

struct ApplyOptions {
  EditBounds bounds;
  bool allow_document_ops = true;  // append / insert_after / set_description (off for a user's own skill)
};

struct ApplyResult {
  std::string text;         // the document after the applied edits
  std::vector<Edit> edits;  // every input edit with its status set
  std::vector<std::string> why;  // per edit: why it was not applied, when its status needs words ("")
  int applied = 0;
  std::string error;  // why nothing could be applied (damaged markers)
};

// Edits whose status is already set (not kProposed; e.g. unknown_op from parsing) are passed
// through.
ApplyResult apply_edits(std::string_view document, const std::vector<Edit>& edits, const ApplyOptions& options);

// True for the statuses of edits that changed nothing and never reach the gate.
bool is_unmatched_status(EditStatus status);

}  // namespace skillpipe::consolidate_reflect
