// harvest_cursor.cpp - the JSON form of harvest cursors, and the small text helpers
// parsers share (content hash, unique lists, apply_patch paths, markers).
//
// All cursors of one harvester stage live in one JSON document, so an unchanged re-harvest
// costs one get_state() and a stat() per file, not one store read per file.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>

#include "skillpipe/errors.hpp"
#include "skillpipe/fields.hpp"
#include "skillpipe/kit/harvest.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::harvest {

// Found by argument-dependent lookup, so it lives in Cursor's own namespace.
SKILLPIPE_FIELDS(Cursor) {
  v("path", r.path);
  v("dev", r.dev);
  v("inode", r.inode);
  v("size", r.size);
  v("mtime_ns", r.mtime_ns);
  v("offset", r.offset);
  v("head", r.head);
  v("pending", r.pending);
  v("state", r.state);
}

// The document is {"version":1,"files":{"<key>":{cursor},...}}; read entry by entry, so a
// damaged entry costs only its own file's re-read.
std::string cursors_to_json(const std::map<std::string, Cursor>& cursors) {
  JsonWriter w;
  w.begin_object();
  w.key("version");
  w.integer(1);
  w.key("files");
  json_fields::write(w, cursors);
  w.end_object();
  return w.text();
}

std::map<std::string, Cursor> cursors_from_json(std::string_view json) {
  std::map<std::string, Cursor> out;
  std::optional<JsonDocument> doc;
  try {
    doc.emplace(JsonDocument::parse(json));
  } catch (const RecordError&) {
    return out;  // a damaged cursor file only costs a re-read
  }
  const auto files = doc->root().find("files");
  if (!files || !files->is_object()) return out;
  for (std::size_t i = 0; i < files->size(); ++i) {
    Cursor c;
    try {
      json_fields::read_value(files->member_value(i), c);
    } catch (const RecordError&) {
      continue;  // one damaged entry: that file is read again
    }
    if (c.offset < 0 || c.size < 0 || c.path.empty()) continue;
    out.emplace(std::string(files->member_name(i)), std::move(c));
  }
  return out;
}

std::string head_hash(std::string_view first_bytes) {
  // FNV-1a over 8-byte words (then the tail bytes): an identity check, not cryptography.
  std::string_view b = first_bytes.substr(0, 4096);
  std::uint64_t h = 1469598103934665603ull;
  std::size_t i = 0;
  for (; i + 8 <= b.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, b.data() + i, 8);
    h = (h ^ w) * 1099511628211ull;
  }
  for (; i < b.size(); ++i) h = (h ^ static_cast<unsigned char>(b[i])) * 1099511628211ull;
  h ^= b.size();
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string file_stem(std::string_view path) {
  std::size_t s = path.rfind('/');
  std::string name(path.substr(s == std::string_view::npos ? 0 : s + 1));
  for (std::string_view ext : {".zst", ".jsonl", ".json"})
    if (name.size() > ext.size() && name.compare(name.size() - ext.size(), ext.size(), ext) == 0)
      name.resize(name.size() - ext.size());
  return name;
}

void add_unique(std::vector<std::string>& list, std::string_view item) {
  if (item.empty()) return;
  if (std::find(list.begin(), list.end(), item) == list.end()) list.emplace_back(item);
}

void add_tool(std::vector<ToolUse>& tools, std::string_view name, int calls, int errors) {
  if (name.empty()) return;
  auto it = std::find_if(tools.begin(), tools.end(), [&](const ToolUse& t) { return t.name == name; });
  if (it == tools.end()) it = tools.insert(tools.end(), ToolUse{std::string(name), 0, 0});
  it->calls = static_cast<int>(std::min<std::int64_t>(std::int64_t{it->calls} + calls, std::numeric_limits<int>::max()));
  it->errors = static_cast<int>(std::min<std::int64_t>(std::int64_t{it->errors} + errors, std::numeric_limits<int>::max()));
}

void observe_outcome(SessionDigest& d, int tool_errors, bool aborted, int interrupts) {
  SessionOutcome& o = d.outcome;
  o.observed = true;
  o.tool_calls = 0;
  for (const auto& u : d.tools) o.tool_calls += u.calls;
  o.tool_errors = tool_errors;
  o.aborted = aborted;
  o.interrupts = interrupts;
}

std::vector<std::string> patch_paths(std::string_view patch) {
  static constexpr std::string_view kHeads[] = {"*** Add File: ", "*** Update File: ",
                                                "*** Delete File: ", "*** Move to: "};
  std::vector<std::string> out;
  std::size_t pos = 0;
  while ((pos = patch.find("*** ", pos)) != std::string_view::npos) {
    bool hit = false;
    for (std::string_view h : kHeads) {
      if (patch.compare(pos, h.size(), h) != 0) continue;
      std::size_t b = pos + h.size();
      std::size_t e = patch.find('\n', b);
      if (e == std::string_view::npos) e = patch.size();
      std::string_view p = patch.substr(b, e - b);
      while (!p.empty() && (p.back() == '\r' || p.back() == ' ' || p.back() == '\t')) p.remove_suffix(1);
      add_unique(out, p);
      pos = e;
      hit = true;
      break;
    }
    if (!hit) pos += 4;
  }
  return out;
}

namespace {

// One shell word at s[i] (after blanks): quotes removed, stops at blanks and operators.
std::string shell_word(std::string_view s, std::size_t& i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  std::string w;
  char quote = 0;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (quote) {
      if (c == quote) quote = 0;
      else w.push_back(c);
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == ' ' || c == '\t' || c == ';' || c == '|' || c == '&' || c == '<' || c == '>' || c == '\n' ||
               c == ')') {
      break;
    } else {
      w.push_back(c);
    }
  }
  return w;
}

bool plain_path(const std::string& w) {
  return !w.empty() && w[0] != '&' && w[0] != '$' && w[0] != '-' && !w.starts_with("/dev/") &&
         w.find_first_of("*?`(") == std::string::npos;
}

}  // namespace

std::vector<std::string> shell_write_targets(std::string_view command) {
  std::vector<std::string> out;
  std::string heredoc_end;  // inside a here-document body until this line
  std::size_t pos = 0;
  while (pos <= command.size()) {
    std::size_t nl = command.find('\n', pos);
    if (nl == std::string_view::npos) nl = command.size();
    std::string_view line = command.substr(pos, nl - pos);
    pos = nl + 1;
    if (!heredoc_end.empty()) {
      if (trim(line) == heredoc_end) heredoc_end.clear();
      continue;
    }
    for (std::size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (c == '<' && i + 1 < line.size() && line[i + 1] == '<') {  // <<TAG, <<'TAG', <<-TAG
        std::size_t j = i + 2;
        if (j < line.size() && line[j] == '-') ++j;
        heredoc_end = shell_word(line, j);
        i = j;
        continue;
      }
      if (c == '>') {
        if (i > 0 && line[i - 1] >= '0' && line[i - 1] <= '9' && line[i - 1] != '1') continue;  // 2> is stderr
        std::size_t j = i + 1;
        if (j < line.size() && (line[j] == '>' || line[j] == '|')) ++j;
        if (j < line.size() && line[j] == '&') continue;  // >&2
        std::string w = shell_word(line, j);
        if (plain_path(w)) add_unique(out, w);
        i = j > i ? j - 1 : i;
        continue;
      }
      // `tee [-a] FILE...` as a word of its own
      if (line.compare(i, 4, "tee ") == 0 && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '|')) {
        std::size_t j = i + 4;
        for (std::string w = shell_word(line, j); !w.empty(); w = shell_word(line, j)) {
          if (w[0] != '-' && plain_path(w)) add_unique(out, w);
          if (j >= line.size() || line[j] != ' ') break;
        }
        i = j > i ? j - 1 : i;
      }
    }
  }
  return out;
}

std::string skill_read_by(std::string_view command) {
  const std::size_t md = command.find("/SKILL.md");
  if (md == std::string_view::npos) return {};
  const std::size_t slash = command.rfind('/', md == 0 ? 0 : md - 1);
  if (slash == std::string_view::npos || slash < 7 || command.substr(slash - 7, 7) != "/skills") return {};
  std::string name(command.substr(slash + 1, md - slash - 1));
  if (name.empty() || name.find_first_of(" '\"") != std::string::npos) return {};
  return name;
}

bool contains_marker(std::string_view text, const std::vector<std::string>& markers) {
  for (const auto& m : markers)
    if (!m.empty() && text.find(m) != std::string_view::npos) return true;
  return false;
}

}  // namespace skillpipe::harvest
