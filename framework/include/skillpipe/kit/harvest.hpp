// kit/harvest.hpp - the machinery every harvester shares, so a third-party harvester only writes
// the part that knows its transcript format.
//
//   walk_files()      finds transcript files (plain or .zst) with their inode/size/mtime;
//   LineReader        streams a JSONL file from a byte offset: no whole-file loads, a per-line
//                     size cap, torn-tail detection;
//   JsonView          a lazy, allocation-free view of one JSON value: navigate to the few
//                     fields a digest needs and skip the rest (tool outputs, reasoning) at
//                     memchr speed, without building a DOM;
//   run_harvest()     the driver: per-file cursors kept in the Store, lookback window, project
//                     scope, replay/agent-marker filters, newest-first cap, parallel files,
//                     feedback signals, secret redaction, anomaly counters via Context::count.
//
// A harvester plugin provides the file list and a FileParser that turns one file (from a
// cursor offset) into unredacted digests; run_harvest() does everything else.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "skillpipe/abi.hpp"
#include "skillpipe/config.hpp"
#include "skillpipe/kit/feedback.hpp"
#include "skillpipe/records.hpp"
#include "skillpipe/stage.hpp"

namespace skillpipe::harvest {

// skillpipe puts this marker in every prompt it sends while replaying tasks, so that agent
// sessions it caused are never harvested as the user's own work.
constexpr const char* kReplayMarker = "[skillpipe-replay]";

// ---- options ----------------------------------------------------------------------------

enum class ProjectScope { kInvoked, kAll, kList };

struct Options {
  std::string home;                       // expanded, absolute
  ProjectScope scope = ProjectScope::kInvoked;
  std::vector<std::string> projects;      // kList: these; kInvoked: the run's project
  double lookback_hours = 72;             // files without a cursor: only newer turns; 0 = all
  std::optional<std::int64_t> since_ms;   // explicit cutoff (CLI --since); beats lookback
  std::int64_t max_sessions = 0;          // newest first; 0 = no cap (config default: 200)
  std::vector<std::string> agent_markers; // sessions whose prompts contain one are skipped
  std::size_t max_line_bytes = 8u << 20;  // longer lines are skipped and counted
  std::size_t max_text_bytes = 32u << 10; // each kept prompt/final is cut to this
  // Memory per session is bounded by these, never by the input (counted when dropped):
  std::size_t max_turns = 200;            // prompts (with finals) kept: the first and the last half
  std::size_t max_commands = 200;         // shell commands kept (the first ones)
  std::size_t max_files = 500;            // files touched kept
  std::size_t max_tools = 100;            // distinct tool names kept
  std::size_t max_command_bytes = 2048;   // each kept command is cut to this
  // Content bytes read from one file in one run; the rest waits for the next run (0 = no limit).
  std::int64_t max_file_bytes = std::int64_t{4} << 30;
  int threads = 0;                        // 0 = min(hardware threads, 4)
  int settle_minutes = 10;                // a file written this recently may be mid-turn
  bool use_cursors = true;                // false: ignore and never write the store's cursors
  FeedbackLexicon lexicon = FeedbackLexicon::defaults();

  // invoked/list: the project itself, its sub-directories and its parent directories.
  SKILLPIPE_VISIBLE bool in_scope(std::string_view project) const;
  // The first-read cutoff in epoch ms (0 = none).
  SKILLPIPE_VISIBLE std::int64_t cutoff_ms(std::int64_t now_ms) const;
};

// The common config keys every harvester accepts, as JSON Schema (draft-04) properties with
// their defaults and descriptions (`skillpipe docs pipeline-reference` prints both), to splice
// into a plugin's schema:
//   "{...,\"properties\":{" SKILLPIPE_HARVEST_SCHEMA_PROPERTIES_HOME("~/.agent") "}}"
// where the argument is the plugin's default_home(). The defaults are those of Options above.
#define SKILLPIPE_HARVEST_SCHEMA_PROPERTIES_HOME(default_home)                                    \
  "\"home\":{\"type\":\"string\",\"default\":\"" default_home "\",\"description\":"                   \
  "\"the agent's folder, or your home directory holding it\"}," SKILLPIPE_HARVEST_SCHEMA_COMMON_
// The same without a stated default home (a plugin that predates the macro above).
#define SKILLPIPE_HARVEST_SCHEMA_PROPERTIES                                                         \
  "\"home\":{\"type\":\"string\",\"description\":\"the agent's folder, or your home directory "     \
  "holding it (default: the plugin's own folder)\"}," SKILLPIPE_HARVEST_SCHEMA_COMMON_
#define SKILLPIPE_HARVEST_SCHEMA_COMMON_ \
  "\"project_scope\":{\"enum\":[\"invoked\",\"all\",\"list\"],\"default\":\"invoked\",\"description\":\"invoked: the run's project with its sub- and parent directories; all: every project; list: the directories in projects (the default when projects is set)\"}," \
  "\"projects\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"default\":[],\"description\":\"project directories to harvest (with their sub- and parent directories); setting it makes project_scope list\"}," \
  "\"lookback_hours\":{\"type\":\"number\",\"minimum\":0,\"default\":72,\"description\":\"first run of a file: only turns this recent; 0 = everything\"}," \
  "\"max_sessions\":{\"type\":\"integer\",\"minimum\":0,\"default\":200,\"description\":\"sessions kept per run, newest first; 0 = no cap\"}," \
  "\"agent_markers\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"default\":[],\"description\":\"skip sessions whose prompts contain any of these (sessions an agent ran, not a person)\"}," \
  "\"feedback\":{\"type\":\"object\",\"additionalProperties\":false,\"default\":{},\"description\":\"phrases that mark a user's next message as praise or a correction, added to the built-in lexicon\",\"properties\":{\"positive\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"default\":[],\"description\":\"extra phrases meaning the last answer was right\"},\"negative\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"default\":[],\"description\":\"extra phrases meaning the last answer was wrong\"}}}," \
  "\"max_line_bytes\":{\"type\":\"integer\",\"minimum\":1024,\"default\":8388608,\"description\":\"a transcript line longer than this is skipped and counted (oversize_lines); the rest of the file is read\"}," \
  "\"max_text_bytes\":{\"type\":\"integer\",\"minimum\":256,\"default\":32768,\"description\":\"each kept prompt and final answer is cut to this many bytes\"}," \
  "\"max_turns\":{\"type\":\"integer\",\"minimum\":2,\"default\":200,\"description\":\"prompts kept per session: the first and the last half\"}," \
  "\"max_commands\":{\"type\":\"integer\",\"minimum\":0,\"default\":200,\"description\":\"shell commands kept per session (the first ones)\"}," \
  "\"max_files\":{\"type\":\"integer\",\"minimum\":0,\"default\":500,\"description\":\"files touched kept per session\"}," \
  "\"max_tools\":{\"type\":\"integer\",\"minimum\":1,\"default\":100,\"description\":\"distinct tool names kept per session\"}," \
  "\"max_file_bytes\":{\"type\":\"integer\",\"minimum\":0,\"default\":4294967296,\"description\":\"content bytes read per file per run; the rest is read next run (0 = no limit)\"}," \
  "\"threads\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":64,\"default\":0,\"description\":\"parser threads; 0 = as many as the machine has, at most 4\"}," \
  "\"settle_minutes\":{\"type\":\"integer\",\"minimum\":0,\"default\":10,\"description\":\"a file written less than this many minutes ago may be mid-turn: its last turn waits for the next run\"}," \
  "\"use_cursors\":{\"type\":\"boolean\",\"default\":true,\"description\":\"keep a per-file cursor in the store so each run reads only what is new; false: re-read the window every run and write no cursor\"}"

// The agent's folder for a configured `home`: the folder itself, or the user's home holding
// it (default_home's last component, e.g. "~" -> "~/.claude" when ~/.claude is a directory).
SKILLPIPE_VISIBLE std::string resolve_home(std::string_view home, std::string_view default_home);

// Reads the keys above. `default_home` may start with "~". Throws ConfigError.
SKILLPIPE_VISIBLE Options options_from_config(const Config& config, const Context& ctx,
                                              std::string_view default_home);

// ---- files ------------------------------------------------------------------------------

struct FileInfo {
  std::string path;          // absolute
  std::string key;           // cursor key (default: path without ".zst")
  std::uint64_t dev = 0;
  std::uint64_t inode = 0;
  std::int64_t size = 0;     // on-disk bytes (compressed for .zst)
  std::int64_t mtime_ns = 0;
  bool zstd = false;         // name ends in ".zst"
};

// Stats one file; nullopt if it cannot be stat'ed or is not a regular file.
SKILLPIPE_VISIBLE std::optional<FileInfo> stat_file(const std::string& path);

// Why a file was not read, or not completely. Each is named to the user once per run
// (FileIssue: a warning in the stage log, and `skillpipe harvest --json`).
enum class FileProblem {
  kNotRegular,       // a FIFO, socket, device or a directory named like a transcript
  kLinkOutsideHome,  // a symlink that resolves outside the agent's home (never read)
  kLoop,             // a symlink loop, or a directory seen twice
  kTooDeep,          // deeper than the walk's depth limit
  kUnreadable,       // cannot be opened or read (the error says why)
  kBinary,           // not text (NUL bytes) or no line is JSON: not read further
  kDamaged,          // some lines are not JSON (skipped, the rest read)
  kOversizeLines,    // lines over max_line_bytes (skipped, the rest read)
  kTornTail,         // the last line is incomplete: held back, read again next run
  kCut,              // max_file_bytes reached: the rest is read next run
};
SKILLPIPE_VISIBLE const char* to_string(FileProblem p);

struct FileIssue {
  std::string path;
  FileProblem problem = FileProblem::kUnreadable;
  std::string detail;          // e.g. "19314 of 19314 lines are not JSON"
};

// Receives each FileIssue run_harvest names for a context, besides the stage-log warning, e.g.
// `skillpipe harvest --json`, which prints them. Set before the harvest, cleared (an empty
// function) after; called from the harvest's threads one at a time. Paths are as read (raw).
using FileIssueSink = std::function<void(const FileIssue&)>;
SKILLPIPE_VISIBLE void set_file_issue_sink(const Context& ctx, FileIssueSink sink);
// run_harvest's side: hands `issue` to the sink set for ctx, if any.
SKILLPIPE_VISIBLE void name_file_issue(const Context& ctx, const FileIssue& issue);

using AcceptFn = std::function<bool(std::string_view name, std::string_view path)>;

// What a walk of the agent's home found.
struct Candidates {
  std::vector<FileInfo> files;
  std::vector<FileIssue> skipped;   // not regular, loops, too deep, links leaving the home
  std::int64_t dirs_unreadable = 0;
};

// Recursively lists regular files under `root` whose name `accept_file` accepts, not
// descending into directories `accept_dir` rejects (both get the name and the path). A
// symlink is resolved: a link to a file inside `confine` (the agent's home; "" = `root`) is
// listed under its own name, a link that leaves it is refused, links to directories are not
// followed. Special files, loops and directories deeper than `max_depth` are named in
// `skipped` when their name is one accept_file would take (or, for directories, always).
SKILLPIPE_VISIBLE Candidates walk_files(const std::string& root, const AcceptFn& accept_file,
                                        const AcceptFn& accept_dir = {}, const std::string& confine = {},
                                        int max_depth = 32);

// ---- streaming JSONL --------------------------------------------------------------------

struct Line {
  std::string_view text;     // without '\n' (and without a trailing '\r')
  std::int64_t offset = 0;   // byte offset of the line start (decompressed bytes for .zst)
  bool terminated = true;    // false: the file's last bytes, no '\n' after them
};

// Reads lines from a plain or zstd-compressed file, starting at a byte offset. Memory is one
// buffer of at most max_line_bytes plus a read chunk. Lines longer than the cap are skipped
// and counted. The last line, when it has no '\n', is returned with terminated=false; the
// caller decides whether it is a complete record (accept_tail()) or a torn write.
class SKILLPIPE_VISIBLE LineReader {
 public:
  explicit LineReader(std::size_t max_line_bytes = 8u << 20);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // Opens `path` (zstd when `zstd`), positioned at `offset`. Returns false with *error set.
  // For .zst files the offset is skipped by decompressing; when the content is shorter than
  // `offset`, short_of_offset() becomes true and next() returns false at once.
  bool open(const std::string& path, bool zstd, std::int64_t offset, std::string* error);
  bool next(Line& line);
  void accept_tail();                      // the unterminated last line was a whole record
  std::int64_t end_offset() const;         // after the last terminated (or accepted) line
  bool short_of_offset() const { return short_; }
  std::int64_t oversize_lines() const { return oversize_; }
  std::int64_t lines() const { return lines_; }
  std::int64_t bytes_read() const { return bytes_; }
  bool torn_tail() const;                  // ended inside an unterminated line not accepted
  const std::string& read_error() const { return error_; }
  // head_hash() of the file's first 4 KiB of content when this reader started at offset 0
  // and got that far (or to the end of a shorter file); "" otherwise. Saves a second read.
  std::string head_hash() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  bool short_ = false;
  std::int64_t oversize_ = 0;
  std::int64_t lines_ = 0;
  std::int64_t bytes_ = 0;
  std::string error_;
};

// ---- lazy JSON --------------------------------------------------------------------------

// A view of one JSON value inside a buffer the caller keeps alive. Nothing is decoded until
// asked; values a harvester does not need are skipped by scanning for the closing quote or
// bracket. Structure is checked as it is scanned (a torn or malformed line is invalid);
// string contents are only checked when decoded.
class SKILLPIPE_VISIBLE JsonView {
 public:
  enum class Type { kInvalid, kNull, kBool, kNumber, kString, kObject, kArray };

  JsonView() = default;
  JsonView(Type t, std::string_view raw) : type_(t), raw_(raw) {}  // trusted: no checks
  // The text must hold exactly one value (surrounding whitespace allowed); for objects and
  // arrays the whole structure is scanned once so truncated lines come out invalid.
  static JsonView parse(std::string_view text);

  Type type() const { return type_; }
  bool valid() const { return type_ != Type::kInvalid; }
  bool is_object() const { return type_ == Type::kObject; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_null() const { return type_ == Type::kNull; }
  std::string_view raw() const { return raw_; }

  // Object: one pass over the members fills out[i] with the first member named keys[i]
  // (left invalid when absent). Returns the number found.
  std::size_t get(std::initializer_list<std::string_view> keys, JsonView* out) const;
  JsonView operator[](std::string_view key) const;

  // Iteration over an object's members or an array's elements.
  class SKILLPIPE_VISIBLE Iter {
   public:
    bool next(JsonView& value);                 // arrays
    bool next(JsonView& key, JsonView& value);  // objects (key is a string view)
   private:
    friend class JsonView;
    bool to_next_item();  // past the separator to the next item; false at the end or on bad JSON
    const char* p_ = nullptr;
    const char* end_ = nullptr;
    bool first_ = true;
    bool object_ = false;
  };
  Iter iter() const;

  // Strings. str() decodes escapes (a lone surrogate becomes U+FFFD) and repairs invalid
  // UTF-8, adding the number of repairs to *repairs.
  std::string str(std::int64_t* repairs = nullptr) const;
  void append_str(std::string& out, std::int64_t* repairs = nullptr) const;
  // Compares the decoded string with `s` (no allocation when the string has no escapes).
  bool str_eq(std::string_view s) const;
  bool str_starts_with(std::string_view s) const;  // on the raw (escaped) text
  std::string_view str_raw() const;                // between the quotes, still escaped

  std::int64_t as_int(std::int64_t def = 0) const;
  bool as_bool(bool def = false) const;

 private:
  Type type_ = Type::kInvalid;
  std::string_view raw_;
};

// ---- cursors ----------------------------------------------------------------------------

// Where the last harvest of one file stopped. Kept in the Store (one JSON document per
// harvester stage) so a nightly run reads only what is new.
struct Cursor {
  std::string path;          // the file as last read (may change: archived, compressed)
  std::uint64_t dev = 0;
  std::uint64_t inode = 0;
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::int64_t offset = 0;   // after the last complete line consumed
  std::string head;          // hash of the first bytes: identifies content across renames
  bool pending = false;      // bytes after `offset` wait to be read (held-back turn, torn tail)
  Attrs state;               // the parser's carry-over (session id, cwd, token totals, ...)
};

SKILLPIPE_VISIBLE std::string cursors_to_json(const std::map<std::string, Cursor>& cursors);
// Unknown or malformed entries are dropped (a damaged cursor only costs a re-read).
SKILLPIPE_VISIBLE std::map<std::string, Cursor> cursors_from_json(std::string_view json);

// ---- the driver -------------------------------------------------------------------------

struct FileJob {
  FileInfo file;
  std::int64_t offset = 0;       // start here
  Attrs state;                   // from the cursor; empty on a first read
  std::int64_t cutoff_ms = 0;    // drop records older than this (first reads only; 0 = none)
  std::int64_t now_ms = 0;
  bool resumed = false;          // offset > 0: continuing a session read before
  bool incremental = false;      // a cursor will be saved: a live file's last turn may wait
};

struct FileResult {
  std::vector<SessionDigest> digests;  // unredacted; run_harvest redacts, filters, caps
  Attrs state;                         // saved with the cursor
  std::int64_t end_offset = -1;        // where the next read starts; -1 = the reader's end
  std::map<std::string, std::int64_t> counts;  // anomalies, added to the stage summary
  std::string error;                   // non-empty: unreadable, reported, cursor unchanged
  std::string skip_reason;             // non-empty: session not the user's (subagent, ...)
  bool offset_beyond_end = false;      // the content is shorter than job.offset: re-read it
  bool pending = false;                // left something after end_offset for the next run,
                                       // so the file is read again even if it does not change
  std::vector<FileIssue> issues;       // named to the user once (a warning in the stage log)
  std::string head;                    // LineReader::head_hash() when this read saw the file's
                                       // first 4 KiB; "" = the driver reads the head itself
};

// Turns one file into digests. Called from several threads at once, each on its own file.
using FileParser = std::function<FileResult(const FileJob& job, const Options& options)>;

// Harvests `files` (all candidates, newest or not) and puts the redacted digests into `out`
// (from one thread at a time). Without a session cap each digest goes out as soon as the
// files written after its own are done, in that order (newest file first; a file's sessions
// in its order), so at most a few dozen files' digests wait in memory; with a cap the kept
// digests go out at the end, newest session first. Cursors are read from and written to
// ctx.store() under "harvest.cursors.<stage id>" when there is a store and
// options.use_cursors. Files the walk skipped are each named to the user once (a warning in
// the stage log). An exception from `out` stops the workers and is rethrown.
SKILLPIPE_VISIBLE void run_harvest(Context& ctx, const Options& options, Candidates files, const FileParser& parse,
                                   DigestSink& out);

// Why a harvest found no sessions, naming what would change it ("" when the counters do not
// tell). `cli`: name `skillpipe harvest` flags (--all-projects, --since), else config keys.
SKILLPIPE_VISIBLE std::string explain_no_sessions(const std::map<std::string, std::int64_t>& counts, bool cli);

// ---- text helpers shared by parsers -----------------------------------------------------

// Content hash used for Cursor::head (hex of a 64-bit FNV-1a over the first 4 KiB).
SKILLPIPE_VISIBLE std::string head_hash(std::string_view first_bytes);
// head_hash() of a file's first 4 KiB of content (decompressed for .zst); "" if unreadable.
SKILLPIPE_VISIBLE std::string file_head_hash(const FileInfo& file);
// A file's name without its directory and its ".zst" / ".jsonl" / ".json" extensions.
SKILLPIPE_VISIBLE std::string file_stem(std::string_view path);
// Appends `item` to `list` unless already there (first-use order).
SKILLPIPE_VISIBLE void add_unique(std::vector<std::string>& list, std::string_view item);
// Adds `calls` and `errors` to the tool `name`, appending it when new (first-use order).
SKILLPIPE_VISIBLE void add_tool(std::vector<ToolUse>& tools, std::string_view name, int calls = 1, int errors = 0);
// For a harvester that reads tool results and turn endings: marks d.outcome observed (a 0 is
// evidence), sums its tool calls from d.tools and records the facts it counted.
SKILLPIPE_VISIBLE void observe_outcome(SessionDigest& d, int tool_errors, bool aborted, int interrupts);
// Paths named by an apply_patch text ("*** Add File: p", "*** Update File: p",
// "*** Delete File: p", "*** Move to: p").
SKILLPIPE_VISIBLE std::vector<std::string> patch_paths(std::string_view patch);
// Files a shell command writes with a redirection (`> f`, `>> f`, `&> f`) or `tee [-a] f`,
// outside here-document bodies; /dev/* and descriptors are not files.
SKILLPIPE_VISIBLE std::vector<std::string> shell_write_targets(std::string_view command);
// The skill a command loads by reading its SKILL.md (`cat .../skills/<name>/SKILL.md`, as
// Codex does), or "".
SKILLPIPE_VISIBLE std::string skill_read_by(std::string_view command);
// True when any marker occurs in `text`.
SKILLPIPE_VISIBLE bool contains_marker(std::string_view text, const std::vector<std::string>& markers);

}  // namespace skillpipe::harvest
