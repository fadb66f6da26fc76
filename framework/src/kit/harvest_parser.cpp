// harvest_parser.cpp - LineParser: the read loop every JSONL harvester shares.
#include <cstring>

#include "skillpipe/kit/harvester.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::harvest {
namespace {

// With this many lines read and none of them JSON, the file is not a transcript.
constexpr std::int64_t kBinaryAfterBadLines = 16;

std::string bytes_text(std::int64_t n) {
  char buf[32];
  if (n >= (std::int64_t{1} << 30)) std::snprintf(buf, sizeof buf, "%.1f GiB", static_cast<double>(n) / (1 << 30));
  else if (n >= (1 << 20)) std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(n) / (1 << 20));
  else std::snprintf(buf, sizeof buf, "%lld bytes", static_cast<long long>(n));
  return buf;
}

}  // namespace

LineParser::LineParser(const FileJob& job, const Options& options, std::string_view source)
    : job_(job), o_(options), session_(job, options, source) {}

LineParser::~LineParser() = default;

void LineParser::stop(std::string_view reason) {
  if (stop_reason_.empty()) stop_reason_ = reason.empty() ? "stopped" : std::string(reason);
}

bool LineParser::project_from_path(const std::string& project) {
  if (project.empty() || session_.project_known() || session_.project(project)) return true;
  stop("out_of_scope");
  return false;
}

void LineParser::count(std::string_view key, std::int64_t n) {
  if (n) session_.counts_[std::string(key)] += n;
}

std::string LineParser::str(const JsonView& v) { return v.is_string() ? v.str(&session_.repairs_) : std::string(); }

void LineParser::append_str(std::string& out, const JsonView& v) {
  if (v.is_string()) v.append_str(out, &session_.repairs_);
}

std::int64_t LineParser::time_ms(const JsonView& v) {
  if (!v.is_string()) return 0;
  if (auto ms = parse_iso8601_ms(v.str_raw())) return *ms;
  count("bad_timestamps");
  return 0;
}

// The read loop: each JSON object line to on_record(), until the end, a stop, or the byte
// budget. A binary file (NUL bytes, or nothing but bad lines from the start) stops at once.
LineParser::Lines LineParser::read_lines(LineReader& reader, FileResult& r) {
  Lines n;
  Line line;
  while (!stopped() && reader.next(line)) {
    if (o_.max_file_bytes > 0 && line.offset - job_.offset >= o_.max_file_bytes) {
      n.cut_at = line.offset;
      break;
    }
    JsonView rec = JsonView::parse(line.text);
    if (!line.terminated) {
      if (!rec.is_object()) break;  // torn write: left for the next run
      reader.accept_tail();
    }
    if (!rec.valid()) {
      ++n.bad;
      // A NUL byte never occurs in JSON text; nor does a file of nothing but bad lines.
      const bool nul = std::memchr(line.text.data(), '\0', line.text.size()) != nullptr;
      if (n.good == 0 && (nul || n.bad >= kBinaryAfterBadLines)) {
        r.issues.push_back({job_.file.path, FileProblem::kBinary,
                            nul ? "NUL bytes: not a JSONL transcript" : "none of the first lines is JSON"});
        count("files_binary");
        stop("binary");
      }
      continue;
    }
    if (!rec.is_object()) {
      ++n.non_object;
      continue;
    }
    ++n.good;
    on_record(rec, line.offset);
  }
  return n;
}

// Names what was wrong with the file (each becomes one warning) and adds the line counters.
void LineParser::note_issues(const LineReader& reader, const Lines& n, FileResult& r) {
  const std::string& path = job_.file.path;
  if (n.bad && !stopped())
    r.issues.push_back({path, FileProblem::kDamaged,
                        std::to_string(n.bad) + " of " + std::to_string(n.bad + n.good + n.non_object) +
                            " lines are not JSON"});
  if (reader.oversize_lines())
    r.issues.push_back({path, FileProblem::kOversizeLines,
                        std::to_string(reader.oversize_lines()) + " line(s) longer than max_line_bytes (" +
                            bytes_text(static_cast<std::int64_t>(o_.max_line_bytes)) + ") skipped"});
  if (n.cut_at >= 0) {
    r.pending = true;
    count("files_cut");
    r.issues.push_back({path, FileProblem::kCut,
                        "read " + bytes_text(n.cut_at - job_.offset) + " (max_file_bytes); the rest is read next run"});
  } else if (reader.torn_tail() && !stopped()) {
    count("torn_tail");
    r.pending = true;
    r.issues.push_back({path, FileProblem::kTornTail, "the last line is incomplete; held back until it is"});
  }
  count("lines", reader.lines());
  count("bytes", reader.bytes_read());
  count("oversize_lines", reader.oversize_lines());
  count("bad_lines", n.bad);
  count("non_object_lines", n.non_object);
  count("utf8_repaired", session_.repairs_);
  session_.repairs_ = 0;
}

FileResult LineParser::run() {
  FileResult r;
  const FileInfo& f = job_.file;
  // A file found not to be the user's (sub-agent, replay, binary) stays so as it grows.
  if (auto it = job_.state.find("skip"); it != job_.state.end() && !it->second.empty()) {
    r.state = job_.state;
    r.skip_reason = it->second;
    r.end_offset = f.zstd ? job_.offset : f.size;
    return r;
  }
  LineReader reader(o_.max_line_bytes);
  if (!reader.open(f.path, f.zstd, job_.offset, &r.error)) return r;
  if (reader.short_of_offset()) {
    r.offset_beyond_end = true;
    return r;
  }
  if (!session_.project_.empty() && !o_.in_scope(session_.project_)) stop("out_of_scope");  // known from the cursor
  else if (!on_start()) stop("skipped");
  const Lines n = read_lines(reader, r);
  r.head = reader.head_hash();
  if (!stopped()) on_end();
  if (!reader.read_error().empty()) r.error = reader.read_error();
  note_issues(reader, n, r);
  const std::int64_t end = n.cut_at >= 0 ? n.cut_at : reader.end_offset();
  if (stopped()) {
    // Consumed to the end: a plain file by its size; a .zst one as far as it was read.
    r.skip_reason = stop_reason_;
    r.state = job_.state;
    for (const char* k : {"session_id", "project"})
      if (auto v = k == std::string_view("project") ? session_.project_ : session_.session_id_; !v.empty())
        r.state[k] = v;
    r.end_offset = f.zstd ? end : f.size;
    r.pending = false;
  } else {
    session_.build(r, end, n.cut_at >= 0);
  }
  for (auto& [k, v] : session_.counts_)
    if (v) r.counts[k] += v;
  return r;
}

}  // namespace skillpipe::harvest
