// regions.hpp - the parts of a document skillpipe may write, delimited by HTML comments.
//
// A document is a sequence of blocks. User blocks are the user's bytes and are never
// modified; managed blocks are:
//   learned  <!-- skillpipe:learned:begin -->  "## Learned preferences" bullets (skill defects)
//   notes    <!-- skillpipe:notes:begin -->    "## Execution notes" bullets (execution lapses)
//   insert   <!-- skillpipe:insert:begin -->   text placed by `append` / `insert_after`
// each closed by the matching `:end -->` line. Removing every managed block gives back the
// user's text byte for byte. The separator skillpipe puts before a block (a newline ending
// a last line that had none, and/or one blank line) is named in the begin marker
// (`begin +newline +blank`), so it belongs to the block, not to the user.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace skillpipe::consolidate_reflect {

enum class BlockKind { kUser, kLearned, kNotes, kInsert };

struct Block {
  BlockKind kind = BlockKind::kUser;
  std::string raw;                 // exact bytes as read (managed: markers included)
  bool joined = false;             // managed: raw starts with a newline ending the user's last line
  bool blank = false;              // managed: then a blank line skillpipe added
  std::vector<std::string> items;  // learned/notes: bullets; insert: content lines
  bool dirty = false;              // managed: re-render instead of writing `raw`
};

inline Block user_block(std::string text) {
  Block b;
  b.raw = std::move(text);
  return b;
}

class ManagedDoc {
 public:
  // Never throws. Damaged markers (unclosed, nested, stray end, two learned blocks...) set
  // error(); such a document must not be edited.
  static ManagedDoc parse(std::string_view text);

  std::string render() const;
  // The user's text: every user block, in order.
  std::string user_text() const;
  const std::string& error() const { return error_; }

  std::vector<Block>& blocks() { return blocks_; }
  const std::vector<Block>& blocks() const { return blocks_; }
  // Index of the first block of `kind`, or -1.
  int find(BlockKind kind) const;
  // Removes managed blocks left without items.
  void drop_empty();
  // Rendered size of a managed block's content (what bounds apply to).
  static std::size_t content_size(const Block& b);

 private:
  std::vector<Block> blocks_;
  std::string error_;
};

// Renders a managed block (without the leading newline a joined block gets).
std::string render_managed(const Block& b);
const char* block_name(BlockKind k);
// True when `s` contains text that looks like one of skillpipe's markers.
bool contains_marker(std::string_view s);

}  // namespace skillpipe::consolidate_reflect
