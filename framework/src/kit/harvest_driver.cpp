// harvest_driver.cpp - run_harvest(): cursors, lookback window, filters, threads, redaction.
//
// Files are planned first (unchanged ones cost a stat() and are never opened), then parsed
// newest first by a few worker threads; their digests leave in the order DigestOrder keeps
// (harvest_order.hpp: newest first, whatever order the threads finish in). With a session
// cap, workers stop once no older file can enter it, and a file whose digest did not make
// the cut keeps its old cursor so a later night can still harvest it.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <set>
#include <system_error>
#include <thread>

#include "harvest_order.hpp"
#include "skillpipe/kit/harvest.hpp"
#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/redact_rules.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/store.hpp"

namespace skillpipe::harvest {
namespace {

struct Plan {
  FileJob job;
  std::string head;  // known head hash (kept on resume)
  // cursor_key() of the file's key and of its path, with a store: planning fills them when
  // there are cursors to look up, else the worker that reads the file does.
  std::string key, path_key;
};

struct Outcome {
  bool ran = false;
  FileResult result;  // digests moved out
  std::string head;
};

std::int64_t to_ms(const std::string& iso) { return parse_iso8601_ms(iso).value_or(0); }

// A path as it is stored in a cursor: itself, or a hash when it holds a secret (a working
// directory named after a token is still a token). Thousands per night: computed once per
// file, by the worker that reads it when nothing needed it before.
std::string cursor_key(const std::string& path) {
  if (redact_path(path) == path) return path;
  return "sha256:" + sha256_hex(path);
}
std::string cursor_key(const FileInfo& f, const std::string& key_of_key) {
  return f.path == f.key ? key_of_key : cursor_key(f.path);
}

void redact_all(SessionDigest& d, std::int64_t* n) {
  auto r = [n](std::string& s) {
    if (!s.empty()) redact_secrets_in_place(s, n);
  };
  auto p = [n](std::string& s) {
    if (!s.empty()) s = redact_path(s, n);
  };
  r(d.session_id);
  r(d.project);  // a working directory as written: vendor prefixes are intact
  r(d.git_branch);
  p(d.raw_path);  // may hold Claude's folded folder name
  r(d.model);
  r(d.agent_version);
  for (auto* list : {&d.user_prompts, &d.assistant_finals, &d.skills_used, &d.files_touched, &d.outcome.slash_commands})
    for (auto& s : *list) r(s);
  for (auto& t : d.tools) r(t.name);
  for (auto& c : d.commands) r(c.command);
  for (auto& f : d.feedback_signals) r(f.phrase);
  for (auto& [k, v] : d.attrs) r(v);
}

class Driver {
 public:
  Driver(Context& ctx, const Options& o, const FileParser& parse) : ctx_(ctx), o_(o), parse_(parse) {}

  void run(Candidates found, DigestSink& out) {
    out_ = &out;
    now_ = ctx_.run().now_utc.empty() ? now_ms() : parse_iso8601_ms(ctx_.run().now_utc).value_or(now_ms());
    cutoff_ = o_.cutoff_ms(now_);
    for (const auto& i : found.skipped) report(i, false);
    count("dirs_unreadable", found.dirs_unreadable);
    std::vector<FileInfo> files = std::move(found.files);
    dedupe(files);
    load_cursors();
    plan(files);
    execute();
    if (failed_) std::rethrow_exception(failed_);  // the stage fails; no cursor moves
    order_->put_kept();
    count("sessions_capped", order_->capped());
    count("sessions", order_->sessions());
    count("prompts", order_->prompts());
    save_cursors();
    for (const auto& [k, v] : counts_) ctx_.count(k, v);
    if (order_->sessions() == 0 && !ctx_.cancelled())
      if (std::string why = explain_no_sessions(counts_, false); !why.empty()) ctx_.logger().info("{}", why);
  }

 private:
  void count(const std::string& k, std::int64_t v = 1) {
    if (v) counts_[k] += v;
  }

  // Names a skipped or partly read file once. A torn last line of a file still being
  // written is expected (the next run reads it): a note, not a warning.
  void report(const FileIssue& i, bool recent) {
    count(std::string("files_skipped_") + to_string(i.problem));
    name_file_issue(ctx_, i);
    // The log is kept (scheduled runs append it to a file): a path or a detail may hold a token.
    const std::string path = redact_path(i.path), detail = redact_secrets(i.detail);
    if (i.problem == FileProblem::kTornTail && recent) {
      ctx_.logger().info("{}: {} (still being written)", path, detail);
      return;
    }
    ctx_.logger().warn("skipped {}: {} ({})", path, detail, to_string(i.problem));
  }

  // One file per cursor key: a plain file beats its .zst twin (Codex materialises a plain
  // copy when a compressed thread is resumed), then the newer one wins.
  void dedupe(std::vector<FileInfo>& files) {
    std::sort(files.begin(), files.end(), [](const FileInfo& a, const FileInfo& b) {
      if (a.key != b.key) return a.key < b.key;
      if (a.zstd != b.zstd) return !a.zstd;
      return a.mtime_ns > b.mtime_ns;
    });
    auto last = std::unique(files.begin(), files.end(),
                            [](const FileInfo& a, const FileInfo& b) { return a.key == b.key; });
    count("files_duplicate", files.end() - last);
    files.erase(last, files.end());
    count("files_seen", static_cast<std::int64_t>(files.size()));
  }

  void load_cursors() {
    store_ = o_.use_cursors ? ctx_.store() : nullptr;
    if (!store_) return;
    key_ = "harvest.cursors." + ctx_.stage_id();
    if (auto s = store_->get_state(key_)) cursors_ = cursors_from_json(*s);
  }

  void plan(const std::vector<FileInfo>& files) {
    for (const FileInfo& f : files) {
      Plan p;
      p.job.file = f;
      p.job.now_ms = now_;
      if (!cursors_.empty()) {  // a cursor can only be looked up, or forgotten, by its key
        p.key = cursor_key(f.key);
        p.path_key = cursor_key(f, p.key);
        present_.insert(p.key);
      }
      auto it = p.key.empty() ? cursors_.end() : cursors_.find(p.key);
      if (it != cursors_.end()) {
        const Cursor& c = it->second;
        bool same_file = c.path == p.path_key && c.dev == f.dev && c.inode == f.inode;
        if (same_file && c.size == f.size && c.mtime_ns == f.mtime_ns && !c.pending) {
          count("files_unchanged");
          continue;
        }
        if (same_file && f.size >= c.size) {  // appended (or touched)
          p.job.offset = c.offset;
          p.job.state = c.state;
          p.head = c.head;
          count("files_appended");
        } else if (!same_file && !c.head.empty() && file_head_hash(f) == c.head) {
          // Same content under a new inode or name: archived, compressed, or materialised.
          p.job.offset = c.offset;
          p.job.state = c.state;
          p.head = c.head;
          count("files_moved");
        } else {
          p.job.cutoff_ms = cutoff_;
          count(same_file ? "files_truncated" : "files_rotated");
        }
      } else {
        if (cutoff_ > 0 && f.mtime_ns / 1000000 < cutoff_) {
          count("files_outside_window");
          continue;
        }
        p.job.cutoff_ms = cutoff_;
      }
      p.job.resumed = p.job.offset > 0;
      p.job.incremental = store_ != nullptr;
      plans_.push_back(std::move(p));
    }
    std::stable_sort(plans_.begin(), plans_.end(),
                     [](const Plan& a, const Plan& b) { return a.job.file.mtime_ns > b.job.file.mtime_ns; });
  }

  void execute() {
    outcomes_.resize(plans_.size());
    order_.emplace(*out_, o_.max_sessions, plans_.size());
    if (plans_.empty()) return;
    unsigned hw = std::max(1u, std::thread::hardware_concurrency());
    std::size_t n = o_.threads > 0 ? static_cast<std::size_t>(o_.threads) : std::min<std::size_t>(hw, 4);
    n = std::max<std::size_t>(1, std::min(n, plans_.size()));
    ctx_.progress().set_total(static_cast<std::int64_t>(plans_.size()));
    std::int64_t bytes = 0;
    for (const Plan& p : plans_) bytes += std::max<std::int64_t>(p.job.file.size - p.job.offset, 0);
    ctx_.progress().set_unit("files");  // a transcript file; sessions are counted after parsing
    ctx_.progress().set_total_bytes(bytes);
    std::vector<std::jthread> pool;  // joined on every path out
    try {
      for (std::size_t i = 1; i < n; ++i) pool.emplace_back([this] { work(); });
    } catch (const std::system_error&) {
      // No thread to spare (a process or memory limit): the workers that started, and this
      // thread, share the files all the same.
    }
    work();
  }

  // A worker's loop; the first exception (from the sink: a full disk) stops every worker and
  // is rethrown by run().
  void work() {
    try {
      for (;;) {
        const std::size_t i = next_.fetch_add(1);
        if (i >= plans_.size() || !wait_for_room(i)) return;
        work_on(i);
      }
    } catch (...) {
      std::lock_guard lk(mu_);
      if (!failed_) failed_ = std::current_exception();
      order_->stop();
      room_.notify_all();
    }
  }

  // A slow (large) file holds back a bounded number of digests (DigestOrder::room_for).
  bool wait_for_room(std::size_t i) {
    std::unique_lock lk(mu_);
    room_.wait(lk, [&] { return order_->stopped() || order_->room_for(i); });
    return !order_->stopped();
  }

  void work_on(std::size_t i) {
    Plan& p = plans_[i];  // this worker's alone until the pool is joined
    if (ctx_.cancelled() || o_.max_sessions > 0) {  // without a cap, no lock unless cancelled
      std::lock_guard lk(mu_);
      if (ctx_.cancelled() || order_->cap_full_older_than(p.job.file.mtime_ns / 1000000)) {
        count("files_deferred");
        settle(i);
        return;
      }
    }
    Outcome out;
    out.ran = true;
    if (store_ && p.key.empty()) {
      p.key = cursor_key(p.job.file.key);
      p.path_key = cursor_key(p.job.file, p.key);
    }
    out.result = run_one(p.job);
    if (out.result.offset_beyond_end) {  // shorter than the cursor says: read it afresh
      FileJob again = p.job;
      again.offset = 0;
      again.state.clear();
      again.resumed = false;
      again.cutoff_ms = cutoff_;
      out.result = run_one(again);
      out.head = out.result.head;
    } else {
      out.head = p.head.empty() ? out.result.head : p.head;  // the head read while parsing
    }
    accept(i, out);
    // The planned bytes of this file, so the display's total and its count agree.
    ctx_.progress().advance_bytes(std::max<std::int64_t>(p.job.file.size - p.job.offset, 0));
    ctx_.progress().advance();
  }

  FileResult run_one(const FileJob& job) {
    try {
      return parse_(job, o_);
    } catch (const std::exception& e) {
      FileResult r;
      r.error = e.what();
      return r;
    }
  }

  // Filters, finishes and keeps one file's digests (under the lock: cheap next to parsing).
  void accept(std::size_t i, Outcome& out) {
    FileResult& r = out.result;
    const Plan& p = plans_[i];
    std::vector<SessionDigest> digests = std::move(r.digests);
    r.digests.clear();
    std::string sticky = p.job.state.count("skip") ? p.job.state.at("skip") : std::string();
    // Not the user's work stays so as the file grows; out of scope depends on the run.
    if (!r.skip_reason.empty() && r.skip_reason != "out_of_scope") sticky = r.skip_reason;
    std::vector<SessionDigest> ready;
    std::int64_t redactions = 0, truncated = 0, signals = 0;
    std::vector<std::string> skipped;
    for (auto& d : digests) {
      std::string why = sticky;
      if (why.empty())
        for (const auto& s : d.user_prompts) {
          if (s.find(kReplayMarker) != std::string::npos) why = "replay";
          else if (contains_marker(s, o_.agent_markers)) why = "agent_marker";
          if (!why.empty()) break;
        }
      if (!why.empty()) {
        sticky = why;  // the whole file is not the user's work, now and when it grows
        skipped.push_back(why);
        continue;
      }
      if (!o_.in_scope(d.project)) {
        skipped.push_back("out_of_scope");
        continue;
      }
      if (d.user_prompts.empty() && d.outcome.slash_commands.empty()) {  // slash commands only: kept
        skipped.push_back("no_prompts");
        continue;
      }
      finish(d, &redactions, &truncated);
      signals += static_cast<std::int64_t>(d.feedback_signals.size());
      ready.push_back(std::move(d));
    }
    if (!sticky.empty()) r.state["skip"] = sticky;
    else r.state.erase("skip");

    std::lock_guard lk(mu_);
    for (const auto& [k, v] : r.counts) count(k, v);
    r.counts.clear();
    if (!r.error.empty()) {
      count("files_unreadable");
      ctx_.logger().warn("skipped {}: {} ({})", redact_path(p.job.file.path), redact_secrets(r.error),
                         to_string(FileProblem::kUnreadable));
      name_file_issue(ctx_, {p.job.file.path, FileProblem::kUnreadable, r.error});
    } else {
      count("files_read");
    }
    const std::int64_t age_ms = now_ - p.job.file.mtime_ns / 1000000;
    const bool recent = o_.settle_minutes > 0 && age_ms < o_.settle_minutes * 60000LL;
    for (const auto& i : r.issues) report(i, recent);
    r.issues.clear();
    if (!r.skip_reason.empty() && digests.empty()) skipped.push_back(r.skip_reason);
    for (const auto& why : skipped) count("sessions_skipped_" + why);
    count("redactions", redactions);
    count("texts_truncated", truncated);
    count("feedback_signals", signals);
    outcomes_[i] = std::move(out);
    for (auto& d : ready) {
      const std::int64_t ended = to_ms(d.ended_at);
      order_->keep(i, ended, std::move(d));
    }
    settle(i);
  }

  // Under the lock: file i is done; wakes the workers waiting for room when the window moved.
  void settle(std::size_t i) {
    if (order_->settle(i)) room_.notify_all();
  }

  void finish(SessionDigest& d, std::int64_t* redactions, std::int64_t* truncated) {
    for (auto* list : {&d.user_prompts, &d.assistant_finals})
      for (auto& s : *list)
        if (s.size() > o_.max_text_bytes + 3) {  // + the "…" a cut adds
          s = redacted_head(s, o_.max_text_bytes, redactions);
          ++*truncated;
        }
    // A digest that continues a session read before starts with a reply to an earlier answer.
    d.feedback_signals = detect_feedback(d.user_prompts, o_.lexicon, d.attrs.count("resumed_from_offset") > 0);
    std::set<int> corrected;
    for (const auto& s : d.feedback_signals)
      if (s.polarity == "negative") corrected.insert(s.turn);
    d.outcome.user_corrections = static_cast<int>(corrected.size());
    redact_all(d, redactions);
  }

  void save_cursors() {
    if (!store_) return;
    // Forget files that are gone (Claude deletes old transcripts), keeping the document small.
    // Planning noted the keys of the files found when there were cursors to look up.
    const std::size_t loaded = cursors_.size();
    std::erase_if(cursors_, [&](const auto& kv) { return !present_.count(kv.first); });
    bool changed = cursors_.size() != loaded;
    for (std::size_t i = 0; i < plans_.size(); ++i) {
      const Outcome& out = outcomes_[i];
      const FileResult& r = out.result;
      if (!out.ran || order_->evicted(i) || !r.error.empty()) continue;
      const Plan& p = plans_[i];
      const FileInfo& f = p.job.file;
      Cursor c;
      c.path = p.path_key;
      c.dev = f.dev;
      c.inode = f.inode;
      c.size = f.size;
      c.mtime_ns = f.mtime_ns;
      c.offset = r.end_offset;
      c.pending = r.pending;
      // Never a secret in the store: carry-over values are redacted (a redacted working
      // directory is learned again from the records).
      for (const auto& [k, v] : r.state) c.state[k] = redact_secrets(v);
      c.head = out.head.empty() ? file_head_hash(f) : out.head;
      cursors_[p.key] = std::move(c);
      changed = true;
    }
    if (changed) store_->put_state(key_, cursors_to_json(cursors_));
  }

  Context& ctx_;
  const Options& o_;
  const FileParser& parse_;
  std::int64_t now_ = 0;
  std::int64_t cutoff_ = 0;
  Store* store_ = nullptr;
  std::string key_;
  std::map<std::string, Cursor> cursors_;
  std::set<std::string> present_;  // the keys of the files found, when there were cursors
  std::vector<Plan> plans_;
  std::vector<Outcome> outcomes_;
  std::atomic<std::size_t> next_{0};
  std::mutex mu_;  // guards everything below, outcomes_, counts_ and the sink
  std::optional<DigestOrder> order_;
  std::condition_variable room_;
  std::exception_ptr failed_;
  DigestSink* out_ = nullptr;
  std::map<std::string, std::int64_t> counts_;
};

}  // namespace

void run_harvest(Context& ctx, const Options& options, Candidates files, const FileParser& parse, DigestSink& out) {
  Driver d(ctx, options, parse);
  d.run(std::move(files), out);
}

}  // namespace skillpipe::harvest
