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

bool contains_marker(std::string_view text, const std::vector<std::string>& markers) {
  for (const auto& m : markers)
    if (!m.empty() && text.find(m) != std::string_view::npos) return true;
  return false;
}

}  // namespace skillpipe::harvest
