// reflect_reply.hpp - reading the optimizer's reply defensively.
//
// Accepted shapes: {"edits":[...]}, a bare array, or one edit object; inside ```json
// fences or after prose. Each edit: op (add, replace, delete, append, insert_after,
// set_description and a few spellings; anything else keeps status unknown_op), content,
// anchor, rationale, kind (skill_defect | execution_lapse; default skill_defect). Entries
// past the edit budget get status over_budget; entries without content (except delete) are
// dropped and counted.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "skillpipe/records.hpp"

namespace skillpipe::consolidate_reflect {

struct ParsedReply {
  bool ok = false;          // the reply held a usable JSON structure (maybe no edits)
  std::vector<Edit> edits;  // in reply order, target set to the requested one
  int dropped = 0;          // entries that were not objects or had no content
  int retargeted = 0;       // entries that named the other target
  std::string error;        // why it is not usable
};

ParsedReply parse_reflect_reply(std::string_view reply, EditTarget target, int edit_budget);

}  // namespace skillpipe::consolidate_reflect
