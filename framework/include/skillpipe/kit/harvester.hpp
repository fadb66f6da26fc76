// harvester.hpp - the SDK for harvester authors: write the part that knows a format, nothing else.
//
//   SessionBuilder   the bookkeeping of one session: turns (prompt, final answer), tool calls
//                    and their results, shell commands with exit codes, files, skills, token
//                    usage, model, outcome signals; caps per session; the hold-back rule for
//                    an unfinished last turn; the carry-over kept in the cursor.
//   LineParser       one JSONL file read from its cursor: the read loop, torn tail, per-line
//                    cap, per-file byte budget, binary/damaged-file detection and the counters
//                    (one vocabulary, below). A subclass fills one hook, on_record().
//   HarvesterBase    the plugin: options from config, files from a walk under the agent's home,
//                    run_harvest(). A subclass names its source, default home and files, and
//                    parses one file.
//   JsonlHarvester<P> HarvesterBase whose files are parsed by LineParser subclass P.
//
// Counters a LineParser adds to the stage summary (Context::count): lines, bytes,
// bad_lines, non_object_lines, oversize_lines, torn_tail, utf8_repaired, unknown_records,
// records_before_window, turns_held_back, turns_dropped, commands_dropped, files_dropped,
// tools_dropped, texts_truncated, files_cut, files_binary. The driver adds the file and
// session counters (files_seen, files_unchanged, files_appended, sessions, sessions_skipped_*,
// redactions, ...), see docs/plugins.md.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "skillpipe/kit/harvest.hpp"
#include "skillpipe/stage.hpp"

namespace skillpipe::harvest {

// ---- the session builder -------------------------------------------------------------------

// A bounded set of recently seen ids (records a resumed session copies sit near their
// originals): the oldest is forgotten first, so memory stays at `capacity` hashes.
class SKILLPIPE_VISIBLE RecentIds {
 public:
  explicit RecentIds(std::size_t capacity = 4096) : cap_(capacity ? capacity : 1) {}
  bool insert(std::string_view id);  // true when not seen recently
  bool contains(std::string_view id) const;
 private:
  friend class SessionBuilder;
  bool insert_hash(std::uint64_t h);
  std::size_t cap_;
  std::deque<std::uint64_t> order_;
  std::unordered_map<std::uint64_t, int> count_;
};

// A tool call the builder tracks until its result arrives (see SessionBuilder::tool_result).
struct CallRef {
  std::size_t id = 0;  // 0 = not tracked
};

class SKILLPIPE_VISIBLE SessionBuilder {
 public:
  // `source` is the digest's source ("claude"; see docs/plugins.md for the naming rule).
  // Restores the carry-over (session id, project, ...) from job.state.
  SessionBuilder(const FileJob& job, const Options& options, std::string_view source);
  ~SessionBuilder();
  SessionBuilder(const SessionBuilder&) = delete;
  SessionBuilder& operator=(const SessionBuilder&) = delete;

  // -- identity (each setter keeps the first non-empty value unless it says otherwise, or
  // `replace` is set: a record that is more authoritative than the first one)
  void session_id(std::string_view id, bool replace = false);
  // The session's working directory. Returns false when it is out of the run's scope (the
  // parser should stop reading the file: LineParser::stop("out_of_scope")).
  bool project(std::string_view cwd, bool replace = false);
  void branch(std::string_view b);          // the newest wins; "" and "HEAD" are ignored
  void commit(std::string_view c);          // the first wins: where the session started
  void model(std::string_view m);           // the newest wins
  void agent_version(std::string_view v);   // the newest wins
  const std::string& session_id() const { return session_id_; }
  const std::string& project() const { return project_; }
  bool project_known() const { return project_known_; }
  const std::string& branch() const { return branch_; }
  const std::string& model() const { return model_; }
  const std::string& agent_version() const { return version_; }

  // -- time: the record being read happened at `ms` (epoch ms, 0 = unknown). Returns false
  // when the record is before the first-read window (job.cutoff_ms): skip it. in_window()
  // checks the window without counting the time as session activity (bookkeeping records).
  bool at(std::int64_t ms);
  bool in_window(std::int64_t ms);
  std::int64_t now_ms() const { return last_ms_; }

  // -- turns. A prompt opens a turn that starts at byte `offset` of the file (where a held
  // back turn is re-read from). Text is cut to Options::max_text_bytes.
  void prompt(std::string_view text, std::int64_t offset);
  // A turn that is not a prompt (a slash command): later activity is charged to it.
  void command_turn(std::string_view slash_command, std::int64_t offset);
  // The text of the current turn's prompt ("" before the first prompt of this read).
  const std::string& current_prompt() const;

  // For sources that write each prompt on several channels of different rank: the prompts
  // since the last answered turn were copies (or unrecognised preambles) from a lower-ranked
  // channel; forget them. Returns the byte offset where the current one began, or -1.
  std::int64_t forget_unanswered_prompts();

  // The assistant answered in the current turn (any activity: text, a tool call, reasoning).
  void answered();
  // Final-answer text. A new `message` id starts a new candidate (the turn's final is the
  // text of its last message); repeated calls with the same id append ("\n\n").
  void answer_text(std::string_view text, std::string_view message_id = {});
  // A final-answer candidate of a given rank: the highest rank wins, ties go to the newest
  // (sources with several channels for the same answer).
  void final_answer(std::string_view text, int rank);
  // The current turn is over (the agent's turn ended: end_turn, task_complete, an error).
  void turn_finished();

  // -- tools. `call_id` links a later result; empty = untracked.
  CallRef tool_call(std::string_view name, std::string_view call_id = {});
  // A shell command issued by `call` (or on its own when call is untracked).
  void command(CallRef call, std::string_view command_line);
  // The result of a call: failed, and the exit code when known. Unknown ids are ignored
  // (their call was read in an earlier run or dropped by the cap).
  void tool_result(std::string_view call_id, bool failed, std::optional<int> exit_code = std::nullopt);
  void tool_result(CallRef call, bool failed, std::optional<int> exit_code = std::nullopt);
  // Whether a call with this id is waiting for its result / already got one (recently).
  bool has_call(std::string_view call_id) const;
  bool answered_call(std::string_view call_id) const;
  void file_touched(std::string_view path);  // relative paths are resolved against the project
  void skill_used(std::string_view name);
  void subagent_call();

  // -- tokens. Sources that report each call's usage add it (message ids dedupe the
  // repeated usage of one response: the max of each field per id counts); sources that
  // report a running total for the thread set it, and the digest gets the growth since the
  // total the cursor remembers. TokenUsage::input never includes cache reads.
  void add_usage(const TokenUsage& u, std::string_view message_id = {});
  void cumulative_usage(const TokenUsage& total);

  // -- outcome signals
  void api_error(bool ends_turn = true);    // a model call failed (ends_turn: the turn failed)
  void turn_failed();                       // the turn ended in an error that is not an API call
  void interrupted();                       // the user stopped the agent in this turn
  void aborted();                           // the turn was cut short (max turns, killed)
  void compaction();
  // A source-specific extra for the digest's attrs (nothing else reads it).
  void attr(std::string_view key, std::string value) { d_.attrs[std::string(key)] = std::move(value); }
  // The format records no tool results or turn endings: the outcome is unknown, not "no
  // errors" (SessionOutcome::observed false; the success judge then needs feedback).
  void outcome_unobserved() { observed_ = false; }

  // -- carry-over kept in the cursor for the next read of the file (values are redacted
  // before they are stored; never put a secret or a raw command here).
  Attrs& state() { return state_; }

  // Fills r.digests (0 or 1 digest), r.state, and applies the hold-back rule: in a file
  // written within Options::settle_minutes, an unfinished last turn is not consumed
  // (r.end_offset moves back to its start, r.pending is set) and is read again next run.
  // `end_offset` is where reading stopped. A settled last turn that got no answer at all
  // is aborted (the CLI was interrupted before anything was written). `cut`: reading stopped
  // at max_file_bytes, so nothing is held back (the next run continues mid-turn).
  void build(FileResult& r, std::int64_t end_offset, bool cut = false);

  // Counters (the vocabulary above) this builder added; LineParser merges them.
  std::map<std::string, std::int64_t>& counts() { return counts_; }

 private:
  struct Turn;
  struct Call;
  Turn& cur() { return *cur_; }
  const Turn& cur() const { return *cur_; }
  void open_turn(bool is_prompt, std::string text, std::int64_t offset);
  void fold(Turn& t);
  void fold_final(Turn& t);
  Call* find_call(std::string_view id);
  void emit(FileResult& r);
  // The head of a text over `max` bytes, redacted before the cut (kit/redact.hpp), counted.
  std::string cut(std::string_view text, std::size_t max, const char* counter);

  const FileJob& job_;
  const Options& o_;
  std::string source_;
  std::string session_id_, project_, branch_, commit_, model_, version_;
  bool project_known_ = false;
  std::unique_ptr<Turn> cur_;
  SessionDigest d_;                      // folded turns
  std::vector<std::string> tail_prompts_, tail_finals_;  // the newest turns past the head
  std::size_t tail_start_ = 0;           // ring start
  std::int64_t turns_seen_ = 0, turns_dropped_ = 0, answered_turns_ = 0;
  std::size_t trailing_unanswered_ = 0;  // newest folded head turns that got no answer
  std::vector<std::unique_ptr<Call>> calls_;  // outstanding calls, oldest first (bounded)
  std::size_t next_call_ = 1;
  std::vector<std::uint64_t> seen_ids_;  // recent message/call id hashes (bounded)
  RecentIds answered_{1024};             // calls that got their result
  std::int64_t folded_last_call_ = 0;    // the newest call of the folded turns
  bool folded_last_failed_ = false;
  int folded_orphans_ = 0;               // failed results whose call was not seen
  bool end_aborted_ = false, end_failed_ = false;  // how the last work turn ended
  bool observed_ = true;
  TokenUsage cumulative_, cumulative_before_;
  bool cumulative_seen_ = false;
  std::int64_t first_ms_ = 0, last_ms_ = 0, end_ms_ = 0;
  std::int64_t repairs_ = 0;
  Attrs state_;
  std::map<std::string, std::int64_t> counts_;
  friend class LineParser;
};

// ---- the line-reader base ------------------------------------------------------------------

// Reads one JSONL transcript file from its cursor and hands each JSON object line to
// on_record(). Owns: opening (plain or .zst), the per-line cap, torn tails (an unterminated
// last line that is a whole object is accepted, anything else waits for the next run),
// the per-file byte budget (Options::max_file_bytes: the rest waits for the next run),
// binary files (stopped at once), and the counters. One instance per file and thread.
class SKILLPIPE_VISIBLE LineParser {
 public:
  LineParser(const FileJob& job, const Options& options, std::string_view source);
  virtual ~LineParser();
  LineParser(const LineParser&) = delete;
  LineParser& operator=(const LineParser&) = delete;

  // Reads the file and builds the result. Call once.
  FileResult run();

 protected:
  // One JSON object from a line starting at byte `offset` of the content.
  virtual void on_record(const JsonView& record, std::int64_t offset) = 0;
  // Before the first line (the builder has restored the cursor's carry-over). Return false
  // to read nothing (e.g. the carry-over says the file is not the user's).
  virtual bool on_start() { return true; }
  // After the last line, before the digest is built.
  virtual void on_end() {}

  // Stop reading this file: the rest is not the user's (reason "subagent") or not wanted
  // ("out_of_scope"). The file is consumed to its end and the reason is kept in the cursor,
  // so later runs skip it too.
  void stop(std::string_view reason);
  bool stopped() const { return !stop_reason_.empty(); }
  // For formats whose lines never name the project (the folder does): records `project`
  // unless a line or the carry-over already did, and stops ("out_of_scope") when it is outside
  // the run's scope. An empty `project` records nothing. False when the file was stopped.
  bool project_from_path(const std::string& project);

  SessionBuilder& session() { return session_; }
  const FileJob& job() const { return job_; }
  const Options& options() const { return o_; }
  void count(std::string_view key, std::int64_t n = 1);
  // Decoded string of a JSON string value ("" otherwise); invalid UTF-8 is repaired and counted.
  std::string str(const JsonView& v);
  // True when `v` is a string other than `current`: decode it only then (per-line fields
  // such as a session id or a branch repeat on every record).
  static bool differs(const JsonView& v, const std::string& current) { return v.is_string() && !v.str_eq(current); }
  void append_str(std::string& out, const JsonView& v);
  // Parses an ISO-8601 timestamp value, counting bad ones; 0 when absent or bad.
  std::int64_t time_ms(const JsonView& v);

 private:
  struct Lines {
    std::int64_t good = 0, bad = 0, non_object = 0, cut_at = -1;
  };
  Lines read_lines(LineReader& reader, FileResult& r);
  void note_issues(const LineReader& reader, const Lines& n, FileResult& r);

  const FileJob& job_;
  const Options& o_;
  SessionBuilder session_;
  std::string stop_reason_;
};

// ---- the plugin base -----------------------------------------------------------------------

class SKILLPIPE_VISIBLE HarvesterBase : public Harvester {
 public:
  void configure(const Config& config, Context& ctx) final;
  void harvest(DigestSink& out, Context& ctx) final;

 protected:
  // The digests' `source` (the plugin name without "harvest_").
  virtual std::string_view source() const = 0;
  // The agent's folder when `home` is not configured ("~/.gemini"). `home` may also name the
  // user's home directory: when it holds this folder's last component (".gemini"), that is used.
  virtual std::string_view default_home() const = 0;
  // The transcript files under options().home (use walk()).
  virtual Candidates find_files(Context& ctx) = 0;
  // One file -> digests (unredacted). Called from several threads, each on its own file.
  virtual FileResult parse(const FileJob& job) const = 0;
  // Extra config keys (the plugin's own); the common ones are read already.
  virtual void configure_more(const Config& /*config*/, Context& /*ctx*/) {}

  const Options& options() const { return options_; }
  // Regular files under options().home/<sub> that accept_file takes, not descending into
  // directories accept_dir rejects; symlinks are resolved and refused when they leave the home.
  Candidates walk(std::string_view sub, const AcceptFn& accept_file, const AcceptFn& accept_dir = {}) const;

 private:
  Options options_;
};

template <class Parser>
class JsonlHarvester : public HarvesterBase {
 protected:
  FileResult parse(const FileJob& job) const override { return Parser(job, options(), source()).run(); }
};

}  // namespace skillpipe::harvest
