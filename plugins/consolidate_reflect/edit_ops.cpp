#include "edit_ops.hpp"

#include "description_edit.hpp"
#include "regions.hpp"
#include "skillpipe/kit/safety.hpp"
#include "skillpipe/kit/util.hpp"
#include "text_util.hpp"

namespace skillpipe::consolidate_reflect {
namespace {

constexpr std::size_t kMinAnchor = 4;  // shorter anchors match too much to be meant

struct Lines {
  std::vector<std::string> text;  // without terminators
  std::vector<std::size_t> end;   // byte offset just past each line (terminator included)
};

Lines split_lines(const std::string& s) {
  Lines out;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t nl = s.find('\n', i);
    std::size_t e = nl == std::string::npos ? s.size() : nl + 1;
    std::string line = s.substr(i, (nl == std::string::npos ? s.size() : nl) - i);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.text.push_back(std::move(line));
    out.end.push_back(e);
    i = e;
  }
  return out;
}

class Applier {
 public:
  Applier(std::string_view text, const ApplyOptions& opt) : doc_(ManagedDoc::parse(text)), opt_(opt) {}

  const ManagedDoc& doc() const { return doc_; }

  // Why the last edit was not applied, when the status alone does not say it (set_description).
  const std::string& why() const { return why_; }

  EditStatus apply(Edit& e) {
    why_.clear();
    if (!doc_.error().empty()) return EditStatus::kProtected;
    const bool needs_content = e.op != EditOp::kDelete;
    if (needs_content && e.content.empty()) return EditStatus::kEmpty;
    // A description has its own bound (the agents' limit), checked by set_description.
    if (e.op != EditOp::kSetDescription && e.content.size() > opt_.bounds.max_edit_chars) return EditStatus::kOversize;
    if (contains_marker(e.content) || contains_marker(e.anchor)) return EditStatus::kProtected;
    if (!e.content.empty() && findings_block(scan_unsafe_content(e.content), "high")) return EditStatus::kUnsafe;
    switch (e.op) {
      case EditOp::kAdd:
        return add(e);
      case EditOp::kReplace:
        return replace_or_delete(e, false);
      case EditOp::kDelete:
        return replace_or_delete(e, true);
      case EditOp::kAppend:
        return append(e);
      case EditOp::kInsertAfter:
        return insert_after(e);
      case EditOp::kSetDescription:
        return set_desc(e);
    }
    return EditStatus::kUnknownOp;
  }

 private:
  // Duplicate of a managed item or of any whole line of the document.
  bool duplicate(const std::string& content) const {
    const std::string n = normalize_for_match(content);
    for (const auto& b : doc_.blocks()) {
      if (b.kind == BlockKind::kUser) {
        for (const auto& l : split_lines(b.raw).text)
          if (normalize_for_match(l) == n) return true;
        if (content.find('\n') != std::string::npos && b.raw.find(content) != std::string::npos) return true;
      } else if (b.kind == BlockKind::kInsert) {
        if (normalize_for_match(join(b.items, "\n")) == n) return true;
        for (const auto& l : b.items)
          if (normalize_for_match(l) == n) return true;
      } else {
        for (const auto& item : b.items)
          if (normalize_for_match(item) == n) return true;
      }
    }
    return false;
  }

  std::size_t insert_total() const {
    std::size_t n = 0;
    for (const auto& b : doc_.blocks())
      if (b.kind == BlockKind::kInsert) n += ManagedDoc::content_size(b);
    return n;
  }

  bool region_fits(const Block& b) const {
    if (b.kind == BlockKind::kInsert) return true;  // checked as a total by the caller
    return ManagedDoc::content_size(b) <= opt_.bounds.max_region_chars;
  }

  // Whether the user's text before block `pos` leaves a code fence open: a block placed
  // there would be read as part of the fence (and its markers ignored).
  bool fence_open_before(std::size_t pos) const {
    bool open = false;
    const auto& bl = doc_.blocks();
    for (std::size_t i = 0; i < pos && i < bl.size(); ++i) {
      if (bl[i].kind != BlockKind::kUser) continue;
      for (const auto& l : split_lines(bl[i].raw).text) {
        const std::string t = trim(l);
        if (starts_with(t, "```") || starts_with(t, "~~~")) open = !open;
      }
    }
    return open;
  }

  // Index of the `kind` region, created where it belongs; -1 when it cannot be placed.
  int ensure_region(BlockKind kind) {
    int idx = doc_.find(kind);
    if (idx >= 0) return idx;
    Block b;
    b.kind = kind;
    b.dirty = true;
    auto& bl = doc_.blocks();
    // learned goes before notes; notes goes last.
    int pos = static_cast<int>(bl.size());
    if (kind == BlockKind::kLearned) {
      const int notes = doc_.find(BlockKind::kNotes);
      if (notes >= 0) pos = notes;
    }
    if (fence_open_before(static_cast<std::size_t>(pos))) return -1;
    bl.insert(bl.begin() + pos, std::move(b));
    return pos;
  }

  EditStatus add(const Edit& e) {
    if (duplicate(e.content)) return EditStatus::kDuplicate;
    const BlockKind kind = e.kind == EditKind::kExecutionLapse ? BlockKind::kNotes : BlockKind::kLearned;
    const bool existed = doc_.find(kind) >= 0;
    const int idx = ensure_region(kind);
    if (idx < 0) return EditStatus::kProtected;  // the document ends inside an unclosed code fence
    Block& b = doc_.blocks()[static_cast<std::size_t>(idx)];
    b.items.push_back(e.content);
    if (!region_fits(b)) {
      b.items.pop_back();
      if (!existed) doc_.blocks().erase(doc_.blocks().begin() + idx);
      return EditStatus::kOversize;
    }
    b.dirty = true;
    return EditStatus::kApplied;
  }

  EditStatus replace_or_delete(const Edit& e, bool is_delete) {
    const std::string anchor = normalize_for_match(e.anchor.empty() && is_delete ? e.content : e.anchor);
    if (anchor.size() < kMinAnchor) return EditStatus::kAnchorNotFound;
    if (!is_delete && duplicate(e.content)) return EditStatus::kDuplicate;
    auto before = doc_.blocks();
    int hits = 0;
    for (auto& b : doc_.blocks()) {
      if (b.kind == BlockKind::kUser) continue;
      std::vector<std::string> kept;
      for (auto& item : b.items) {
        if (normalize_for_match(item).find(anchor) == std::string::npos) {
          kept.push_back(item);
          continue;
        }
        ++hits;
        b.dirty = true;
        if (is_delete) continue;
        if (b.kind == BlockKind::kInsert) {
          for (const auto& l : split(e.content, '\n')) kept.push_back(l);
        } else {
          kept.push_back(e.content);
        }
      }
      b.items = std::move(kept);
    }
    if (hits == 0) {
      for (const auto& b : doc_.blocks())
        if (b.kind == BlockKind::kUser)
          for (const auto& l : split_lines(b.raw).text)
            if (normalize_for_match(l).find(anchor) != std::string::npos) return EditStatus::kProtected;
      return EditStatus::kAnchorNotFound;
    }
    for (const auto& b : doc_.blocks())
      if (!region_fits(b)) {
        doc_.blocks() = std::move(before);
        return EditStatus::kOversize;
      }
    if (insert_total() > opt_.bounds.max_region_chars) {
      doc_.blocks() = std::move(before);
      return EditStatus::kOversize;
    }
    doc_.drop_empty();
    return EditStatus::kApplied;
  }

  EditStatus insert_block(std::size_t pos, const std::string& content) {
    Block b;
    b.kind = BlockKind::kInsert;
    b.dirty = true;
    b.items = split(content, '\n');
    if (insert_total() + ManagedDoc::content_size(b) > opt_.bounds.max_region_chars) return EditStatus::kOversize;
    doc_.blocks().insert(doc_.blocks().begin() + static_cast<long>(pos), std::move(b));
    return EditStatus::kApplied;
  }

  EditStatus append(const Edit& e) {
    if (!opt_.allow_document_ops) return EditStatus::kProtected;
    if (duplicate(e.content)) return EditStatus::kDuplicate;
    std::size_t pos = doc_.blocks().size();
    const int learned = doc_.find(BlockKind::kLearned), notes = doc_.find(BlockKind::kNotes);
    if (learned >= 0)
      pos = static_cast<std::size_t>(learned);
    else if (notes >= 0)
      pos = static_cast<std::size_t>(notes);
    if (fence_open_before(pos)) return EditStatus::kProtected;
    return insert_block(pos, e.content);
  }

  EditStatus insert_after(const Edit& e) {
    const std::string anchor = normalize_for_match(e.anchor);
    if (anchor.size() < kMinAnchor) return EditStatus::kAnchorNotFound;
    if (duplicate(e.content)) return EditStatus::kDuplicate;
    auto& bl = doc_.blocks();
    bool in_frontmatter = false, fence = false, first_line = true;
    for (std::size_t bi = 0; bi < bl.size(); ++bi) {
      Block& b = bl[bi];
      if (b.kind == BlockKind::kUser) {
        const Lines lines = split_lines(b.raw);
        for (std::size_t li = 0; li < lines.text.size(); ++li) {
          const std::string& l = lines.text[li];
          const std::string t = trim(l);
          const bool was_first = first_line;
          first_line = false;
          if (was_first && bi == 0 && t == "---") {
            in_frontmatter = true;
            if (normalize_for_match(l).find(anchor) != std::string::npos) return EditStatus::kProtected;
            continue;
          }
          const bool matches = normalize_for_match(l).find(anchor) != std::string::npos;
          if (in_frontmatter) {
            if (t == "---") in_frontmatter = false;
            if (matches) return EditStatus::kProtected;
            continue;
          }
          const bool fence_line = starts_with(t, "```") || starts_with(t, "~~~");
          if (fence_line) fence = !fence;
          if (!matches) continue;
          if (fence || fence_line) return EditStatus::kProtected;
          if (!opt_.allow_document_ops) return EditStatus::kProtected;
          // Split the user block after this line; the user's bytes stay as they were.
          const std::size_t cut = lines.end[li];
          std::string head = b.raw.substr(0, cut), tail = b.raw.substr(cut);
          Block ins;
          ins.kind = BlockKind::kInsert;
          ins.dirty = true;
          ins.items = split(e.content, '\n');
          if (insert_total() + ManagedDoc::content_size(ins) > opt_.bounds.max_region_chars) return EditStatus::kOversize;
          b.raw = head;
          std::vector<Block> add{std::move(ins)};
          if (!tail.empty()) add.push_back(user_block(tail));
          // `b` is not used after this insert (it may move); `head` is never empty.
          bl.insert(bl.begin() + static_cast<long>(bi) + 1, add.begin(), add.end());
          return EditStatus::kApplied;
        }
        continue;
      }
      first_line = false;
      for (std::size_t ii = 0; ii < b.items.size(); ++ii) {
        if (normalize_for_match(b.items[ii]).find(anchor) == std::string::npos) continue;
        if (b.kind == BlockKind::kInsert) {
          const auto lines = split(e.content, '\n');
          b.items.insert(b.items.begin() + static_cast<long>(ii) + 1, lines.begin(), lines.end());
          if (insert_total() > opt_.bounds.max_region_chars) {
            b.items.erase(b.items.begin() + static_cast<long>(ii) + 1,
                          b.items.begin() + static_cast<long>(ii + 1 + lines.size()));
            return EditStatus::kOversize;
          }
        } else {
          b.items.insert(b.items.begin() + static_cast<long>(ii) + 1, e.content);
          if (!region_fits(b)) {
            b.items.erase(b.items.begin() + static_cast<long>(ii) + 1);
            return EditStatus::kOversize;
          }
        }
        b.dirty = true;
        return EditStatus::kApplied;
      }
    }
    return EditStatus::kAnchorNotFound;
  }

  // The frontmatter is the first user block: a managed block never precedes it.
  EditStatus set_desc(Edit& e) {
    if (e.target != EditTarget::kSkill) {
      why_ = "only a skill has a description (its SKILL.md frontmatter); a memory document has none";
      return EditStatus::kProtected;
    }
    if (!opt_.allow_document_ops) {
      why_ = "the description of the user's own skill is left to the user (document edits are off for it)";
      return EditStatus::kProtected;
    }
    auto& bl = doc_.blocks();
    const std::string_view head = !bl.empty() && bl[0].kind == BlockKind::kUser ? std::string_view(bl[0].raw) : "";
    DescriptionEdit d = set_description(head, e.content);
    if (d.status != EditStatus::kApplied) {
      why_ = std::move(d.why);
      return d.status;
    }
    bl[0].raw = std::move(d.text);
    e.content = one_line_description(e.content);
    return EditStatus::kApplied;
  }

  ManagedDoc doc_;
  ApplyOptions opt_;
  std::string why_;
};

}  // namespace

bool is_unmatched_status(EditStatus s) {
  return s != EditStatus::kApplied && s != EditStatus::kRejected && s != EditStatus::kProposed;
}

ApplyResult apply_edits(std::string_view document, const std::vector<Edit>& edits, const ApplyOptions& options) {
  ApplyResult r;
  Applier a(document, options);
  r.error = a.doc().error();
  for (Edit e : edits) {
    e.content = clean_content(e.content);
    e.anchor = trim(e.anchor);
    std::string why;
    if (e.status == EditStatus::kProposed) {
      e.status = a.apply(e);
      why = a.why();
    }
    if (e.status == EditStatus::kApplied) ++r.applied;
    r.edits.push_back(std::move(e));
    r.why.push_back(std::move(why));
  }
  r.text = r.applied > 0 ? a.doc().render() : std::string(document);
  return r;
}

}  // namespace skillpipe::consolidate_reflect
