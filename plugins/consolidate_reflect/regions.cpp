#include "regions.hpp"

#include <optional>

#include "skillpipe/kit/util.hpp"

namespace skillpipe::consolidate_reflect {
namespace {

constexpr std::string_view kPrefix = "<!-- skillpipe:";

struct Marker {
  BlockKind kind;
  bool begin;
  bool joined;
  bool blank;
};

std::string_view strip_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

std::optional<Marker> parse_marker(std::string_view line) {
  line = strip_cr(line);
  while (!line.empty() && line.back() == ' ') line.remove_suffix(1);
  if (!starts_with(line, kPrefix) || !ends_with(line, " -->")) return std::nullopt;
  std::string_view body = line.substr(kPrefix.size(), line.size() - kPrefix.size() - 4);
  Marker m{BlockKind::kUser, false, false, false};
  const auto colon = body.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view kind = body.substr(0, colon);
  std::string_view rest = body.substr(colon + 1);
  if (kind == "learned")
    m.kind = BlockKind::kLearned;
  else if (kind == "notes")
    m.kind = BlockKind::kNotes;
  else if (kind == "insert")
    m.kind = BlockKind::kInsert;
  else
    return std::nullopt;
  if (rest == "end") return m;
  if (!starts_with(rest, "begin")) return std::nullopt;
  m.begin = true;
  rest.remove_prefix(5);
  if (starts_with(rest, " +newline")) {
    m.joined = true;
    rest.remove_prefix(9);
  }
  if (starts_with(rest, " +blank")) {
    m.blank = true;
    rest.remove_prefix(7);
  }
  if (!rest.empty()) return std::nullopt;
  return m;
}

std::string begin_marker(BlockKind k, bool joined, bool blank) {
  return std::string(kPrefix) + block_name(k) + ":begin" + (joined ? " +newline" : "") + (blank ? " +blank" : "") +
         " -->";
}
std::string end_marker(BlockKind k) { return std::string(kPrefix) + block_name(k) + ":end -->"; }

// Lines with their terminators, so blocks can be cut at exact byte offsets.
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t nl = text.find('\n', i);
    std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    out.push_back(text.substr(i, end - i));
    i = end;
  }
  return out;
}

std::string_view without_nl(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  return strip_cr(line);
}

bool is_fence(std::string_view line) {
  std::string t = trim(line);
  return starts_with(t, "```") || starts_with(t, "~~~");
}

// Items of a learned/notes block body: "- " starts one, two-space lines continue it.
std::vector<std::string> parse_items(const std::vector<std::string_view>& body) {
  std::vector<std::string> items;
  bool in_item = false;
  for (auto raw : body) {
    std::string_view line = without_nl(raw);
    if (starts_with(line, "- ")) {
      items.emplace_back(line.substr(2));
      in_item = true;
    } else if (in_item && starts_with(line, "  ")) {
      items.back() += "\n" + std::string(line.substr(2));
    } else {
      in_item = false;
    }
  }
  return items;
}

}  // namespace

const char* block_name(BlockKind k) {
  switch (k) {
    case BlockKind::kLearned:
      return "learned";
    case BlockKind::kNotes:
      return "notes";
    case BlockKind::kInsert:
      return "insert";
    case BlockKind::kUser:
      return "user";
  }
  return "?";
}

bool contains_marker(std::string_view s) {
  return s.find("<!-- skillpipe:") != std::string_view::npos ||
         s.find("skillpipe:learned:") != std::string_view::npos ||
         s.find("skillpipe:notes:") != std::string_view::npos || s.find("skillpipe:insert:") != std::string_view::npos;
}

ManagedDoc ManagedDoc::parse(std::string_view text) {
  ManagedDoc doc;
  const auto lines = lines_of(text);
  std::string user;
  bool fence = false;
  bool seen_learned = false, seen_notes = false;
  auto fail = [&](std::size_t line_no, const std::string& what) {
    doc.error_ = "line " + std::to_string(line_no + 1) + ": " + what;
    doc.blocks_.clear();
    doc.blocks_.push_back(user_block(std::string(text)));
  };
  std::size_t i = 0;
  while (i < lines.size()) {
    const std::string_view line = lines[i];
    const auto m = fence ? std::nullopt : parse_marker(without_nl(line));
    if (!m) {
      if (is_fence(without_nl(line))) fence = !fence;
      user.append(line);
      ++i;
      continue;
    }
    if (!m->begin)
      return fail(i, std::string("'") + block_name(m->kind) + ":end' marker without a matching begin"), doc;
    if ((m->kind == BlockKind::kLearned && seen_learned) || (m->kind == BlockKind::kNotes && seen_notes))
      return fail(i, std::string("a second ") + block_name(m->kind) + " block"), doc;
    Block b;
    b.kind = m->kind;
    b.joined = m->joined;
    b.blank = m->blank;
    // The separator before the marker is skillpipe's, taken back from the text it follows.
    const std::size_t sep = (b.joined ? 1 : 0) + (b.blank ? 1 : 0);
    if (sep > 0) {
      if (user.size() < sep || user.compare(user.size() - sep, sep, std::string(sep, '\n')) != 0)
        return fail(i, "a '+newline'/'+blank' marker without the separator it names"), doc;
      user.resize(user.size() - sep);
      b.raw = std::string(sep, '\n');
    }
    if (!user.empty()) doc.blocks_.push_back(user_block(user));
    user.clear();
    b.raw.append(line);
    std::vector<std::string_view> body;
    std::size_t j = i + 1;
    bool closed = false;
    for (; j < lines.size(); ++j) {
      const auto inner = parse_marker(without_nl(lines[j]));
      if (inner) {
        if (inner->begin || inner->kind != m->kind)
          return fail(j, std::string("marker inside the ") + block_name(m->kind) + " block"), doc;
        b.raw.append(lines[j]);
        closed = true;
        break;
      }
      b.raw.append(lines[j]);
      body.push_back(lines[j]);
    }
    if (!closed) return fail(i, std::string("the ") + block_name(m->kind) + " block has no end marker"), doc;
    if (b.kind == BlockKind::kInsert) {
      for (auto l : body) b.items.emplace_back(without_nl(l));
    } else {
      b.items = parse_items(body);
    }
    if (b.kind == BlockKind::kLearned) seen_learned = true;
    if (b.kind == BlockKind::kNotes) seen_notes = true;
    doc.blocks_.push_back(std::move(b));
    i = j + 1;
  }
  if (!user.empty()) doc.blocks_.push_back(user_block(user));
  return doc;
}

std::string render_managed(const Block& b) {
  std::string out = begin_marker(b.kind, b.joined, b.blank) + "\n";
  auto bullets = [&](const char* heading, const char* intro) {
    out += heading;
    out += "\n\n";
    out += intro;
    out += "\n\n";
    for (const auto& item : b.items) {
      bool first = true;
      for (const auto& l : split(item, '\n')) {
        out += (first ? "- " : "  ") + l + "\n";
        first = false;
      }
    }
  };
  switch (b.kind) {
    case BlockKind::kLearned:
      bullets("## Learned preferences and procedures",
              "_Maintained by skillpipe from your past sessions. Text outside these markers is yours and is never "
              "changed._");
      break;
    case BlockKind::kNotes:
      bullets("## Execution notes", "_Reminders of rules that were known but not followed (maintained by skillpipe)._");
      break;
    case BlockKind::kInsert:
      for (const auto& l : b.items) out += l + "\n";
      break;
    case BlockKind::kUser:
      break;
  }
  return out + end_marker(b.kind) + "\n";
}

std::string ManagedDoc::render() const {
  std::string out;
  for (const auto& b : blocks_) {
    if (b.kind == BlockKind::kUser) {
      out += b.raw;
      continue;
    }
    // A newline to end an unterminated last line, then a blank line unless there is one.
    const bool need_join = !out.empty() && out.back() != '\n';
    const bool need_blank = !out.empty() && !(out.size() >= 2 && out.compare(out.size() - 2, 2, "\n\n") == 0);
    if (!b.dirty && need_join == b.joined && need_blank == b.blank) {
      out += b.raw;
    } else {
      Block copy = b;
      copy.joined = need_join;
      copy.blank = need_blank;
      if (need_join) out += "\n";
      if (need_blank) out += "\n";
      out += render_managed(copy);
    }
  }
  return out;
}

std::string ManagedDoc::user_text() const {
  std::string out;
  for (const auto& b : blocks_)
    if (b.kind == BlockKind::kUser) out += b.raw;
  return out;
}

int ManagedDoc::find(BlockKind kind) const {
  for (std::size_t i = 0; i < blocks_.size(); ++i)
    if (blocks_[i].kind == kind) return static_cast<int>(i);
  return -1;
}

void ManagedDoc::drop_empty() {
  std::vector<Block> kept;
  for (auto& b : blocks_) {
    if (b.kind != BlockKind::kUser && b.items.empty()) continue;
    // Neighbouring user blocks stay separate; render() concatenates them unchanged.
    kept.push_back(std::move(b));
  }
  blocks_ = std::move(kept);
}

std::size_t ManagedDoc::content_size(const Block& b) {
  std::size_t n = 0;
  for (const auto& i : b.items) n += i.size() + 3;
  return n;
}

}  // namespace skillpipe::consolidate_reflect
