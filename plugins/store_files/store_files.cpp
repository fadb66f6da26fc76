// store_files - the embedded file store: durable nights, state, response cache, staging,
// adoption. See layout.hpp for the directory structure.
#include <spdlog/spdlog.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <mutex>

#include "adoption.hpp"
#include "durable_fs.hpp"
#include "file_lock.hpp"
#include "layout.hpp"
#include "night_open.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/spend_ledger.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/plugin.hpp"
#include "skillpipe/store.hpp"
#include "staging.hpp"
#include "project_status.hpp"

namespace fs = std::filesystem;

namespace skillpipe::store_files {
namespace {

constexpr const char* kSchema = R"({
  "$schema": "http://json-schema.org/draft-04/schema#",
  "title": "store_files",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "root": {"type": "string", "description": "Store directory. Default: $SKILLPIPE_STORE, else ~/.skillpipe. The CLI's --store overrides it."},
    "resume": {"type": "boolean", "description": "Continue the project's unfinished night instead of starting a new one (default true)."},
    "targets": {"type": "array", "uniqueItems": true, "items": {"enum": ["claude_skill", "claude_memory", "codex_skill", "codex_memory"]},
                "description": "Live targets proposals may be adopted into (default: all four)."},
    "claude_skill_roots": {"type": "array", "items": {"type": "string"},
                           "description": "Claude Code skill roots; {project} is the night's project. Default: ~/.claude/skills, {project}/.claude/skills."},
    "codex_skill_roots": {"type": "array", "items": {"type": "string"},
                          "description": "Codex skill roots. Default: ~/.agents/skills, {project}/.agents/skills."},
    "fsync": {"type": "boolean",
              "description": "Flush writes to disk (default true; SKILLPIPE_STORE_FSYNC=0 turns it off). Off only for throwaway stores and tests."},
    "sync": {"default": "commit", "enum": ["commit", "every_write"],
             "description": "When writes reach the disk: commit (default) flushes a night's streams, artifacts, state and cache entries together before each stage's completion marker and before publication, and an adoption's at its three commit points (backups and journal, live files, receipt); every_write flushes each write at once, in order (slower; a power loss then costs at most the call in flight)."},
    "fail_after_writes": {"default": null, "type": "integer", "minimum": 0,
                          "description": "Tests only: end the process at the Nth durable write step (like SKILLPIPE_STORE_FAIL_AFTER)."}
  }
})";

std::string default_root() { return expand_path("~/.skillpipe"); }

// The runner writes "stages/<id>.done" after a stage's outputs: the stage's commit point.
bool is_commit_marker(std::string_view relpath) { return relpath.ends_with(".done"); }

void check_relpath(std::string_view rel, const char* what) {
  if (rel.empty() || rel.front() == '/')
    throw Error(std::string(what) + " path \"" + std::string(rel) + "\" must be relative");
  for (const auto& seg : split(rel, '/')) {
    if (!is_safe_artifact_segment(seg)) {
      throw Error(std::string(what) + " path \"" + std::string(rel) + "\" has an unsafe component \"" + seg + "\"");
    }
  }
}

class FileStore final : public Store, public AdoptionStore {
 public:
  void configure(const Config& config, Context& ctx) override {
    // Contexts handed to configure/open_night may be temporaries: keep a logger, not them.
    log_ = ctx.logger().clone("store");
    root_ = config.get_string("root");
    if (root_.empty()) {
      const char* env = std::getenv("SKILLPIPE_STORE");
      root_ = env && *env ? env : "~/.skillpipe";
    }
    root_ = expand_path(root_);
    if (root_.empty() || root_[0] != '/') root_ = fs::absolute(root_).lexically_normal().string();
    while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
    resume_ = config.get_bool("resume", true);
    targets_ = TargetConfig::from(config);
    const char* fsync_env = std::getenv("SKILLPIPE_STORE_FSYNC");
    set_fsync_enabled(config.get_bool("fsync", !(fsync_env && std::string_view(fsync_env) == "0")));
    set_sync_at_commit(config.get_string("sync", "commit") == "commit");
    fi_.arm_from_env();
    if (config.has("fail_after_writes")) fi_.arm(config.get_int("fail_after_writes"));
    configured_project_ = ctx.run().project;
    store_arg_ = root_ == default_root() ? "" : " --store " + shell_quote(root_);
  }

  NightHandle open_night(const std::string& project, Context& ctx) override {
    std::lock_guard g(mu_);
    if (layout_) throw Error("store_files: night " + night_.night_id + " is already open");
    auto layout = std::make_unique<Layout>(root_, project);
    {
      DeferSync batch;  // the night's skeleton is flushed once, below
      make_dirs(layout->nights_dir());
      make_dirs(layout->state_dir());
      make_dirs(layout->adoption_dir());
    }
    std::string stale;
    auto lock = FileLock::acquire(layout->run_lock(), "skillpipe run", "project " + layout->project, &stale);
    if (!stale.empty()) ctx.logger().warn("{}", stale);
    remove_stale_temps(layout->project_dir());
    remove_stale_temps(layout->state_dir());
    if (!path_exists(layout->project_dir() + "/project.json")) {
      DeferSync batch;
      write_atomic(fi_, layout->project_dir() + "/project.json",
                   "{\"project\": " + json_quote(layout->project) + "}\n");
    }
    recover_adoption(*layout, fi_, ctx);  // its own flushes, in its own order
    NightHandle h;
    {
      DeferSync batch;
      h = pick_night(*layout, fi_, resume_, ctx);
      started_at_ = record_start(h, fi_);
      make_dirs(h.dir + "/streams");
    }
    sync_pending();  // one commit point for the skeleton instead of one fsync per file and directory
    layout_ = std::move(layout);
    night_open_ = true;
    lock_ = std::move(lock);
    night_ = h;
    published_ = false;
    return h;
  }

  void close_night(bool completed) override {
    std::lock_guard g(mu_);
    if (!layout_) return;
    sync_pending();
    if (completed && !published_ && !path_exists(night_.dir + "/manifest.json")) {
      publish_without_report(staging_context());
    }
    layout_.reset();
    night_open_ = false;
    lock_.reset();  // releases the project
    night_ = {};
  }

  const NightHandle& night() const override { return night_; }

  void append(std::string_view stream, const std::vector<std::string>& json_lines) override {
    std::string data;
    for (const auto& l : json_lines) {
      if (l.empty() || l.find('\n') != std::string::npos) {
        throw Error("store_files: stream \"" + std::string(stream) + "\": a JSONL line must be non-empty and one line");
      }
      data += l;
      data += '\n';
    }
    std::string path;
    {
      std::lock_guard g(mu_);
      path = stream_path(stream);
      check_writable();
      DeferSync batch;
      append_durable(fi_, path, data);
    }
    // The spend ledger is flushed line by line, so budgets hold even after a power loss; outside
    // the lock, so concurrent calls share journal commits instead of queueing for them.
    if (stream == kSpendStream) sync_now(path);
  }

  std::vector<std::string> read(std::string_view stream) const override {
    std::lock_guard g(mu_);
    return read_jsonl_lines(stream_path(stream));
  }

  void write_artifact(std::string_view relpath, std::string_view content) override {
    check_relpath(relpath, "artifact");
    std::lock_guard g(mu_);
    check_writable();
    const std::string path = night_.dir + "/artifacts/" + std::string(relpath);
    // Everything a marker vouches for is on disk before it. The marker itself waits for the next
    // commit point: lost to a power cut, it only makes its stage run again (from the cache).
    if (is_commit_marker(relpath)) sync_pending();
    DeferSync batch;
    make_dirs(fs::path(path).parent_path().string());
    write_atomic(fi_, path, content);
  }

  std::optional<std::string> read_artifact(std::string_view relpath) const override {
    check_relpath(relpath, "artifact");
    std::lock_guard g(mu_);
    require_night();
    return read_bytes(night_.dir + "/artifacts/" + std::string(relpath));
  }

  void stage(const std::vector<Proposal>& proposals, const NightReport& report) override {
    std::lock_guard g(mu_);
    check_writable();
    stage_night(staging_context(), proposals, report);
    published_ = true;
  }

  std::vector<NightReport> past_reports(std::string_view project) const override {
    const Layout layout(root_, project);
    std::vector<NightReport> out;
    for (const auto& n : list_nights(layout)) {
      if (!n.published) continue;
      const auto text = read_bytes(n.dir + "/report.json");
      if (!text) continue;  // a night closed without a report
      try {
        out.push_back(record_from_json<NightReport>(*text));
      } catch (const std::exception& e) {
        if (log_) log_->warn("skipping unreadable {}/report.json: {}", n.dir, e.what());
      }
    }
    return out;
  }

  std::optional<std::string> get_state(std::string_view key) const override {
    std::lock_guard g(mu_);
    return read_bytes(state_layout().state_dir() + "/" + state_file_name(key));
  }

  void put_state(std::string_view key, std::string_view value) override {
    std::lock_guard g(mu_);
    const Layout layout = state_layout();
    // Inside a night, state is committed with the stage that wrote it; outside, at once.
    std::optional<DeferSync> batch;
    if (layout_) batch.emplace();
    make_dirs(layout.state_dir());
    write_atomic(fi_, layout.state_dir() + "/" + state_file_name(key), value);
  }

  std::optional<std::string> cache_get(std::string_view key) const override {
    return read_bytes(cache_path(root_, key));
  }

  void cache_put(std::string_view key, std::string_view value) override {
    const std::string path = cache_path(root_, key);
    const std::string shard = fs::path(path).parent_path().string();
    // Inside a night, committed with the stage (after a power loss a lost entry costs a call).
    std::optional<DeferSync> batch;
    if (night_open_) batch.emplace();
    make_dirs(shard);
    remove_stale_temps(shard);  // left by a writer that crashed between write and rename
    write_atomic(fi_, path, value);
  }

  std::vector<NightInfo> nights(std::string_view project) const override {
    std::vector<NightInfo> out;
    for (const auto& n : list_nights(Layout(root_, project))) out.push_back({n.id, n.dir, n.published, n.abandoned});
    return out;
  }

  AdoptionStore* adoption() override { return this; }

  ProjectStatus status(std::string_view project) override { return project_status(Layout(root_, project), fi_); }

  AdoptionHistory history(std::string_view project) override {
    return adoption_history(Layout(root_, project), fi_);
  }

  AdoptionResult adopt(const AdoptRequest& request) override {
    return guarded([&] {
      const Layout layout(root_, request.project);
      make_dirs(layout.adoption_dir());
      return Adoption(layout, fi_).adopt(request);
    });
  }

  AdoptionResult rollback(const RollbackRequest& request) override {
    return guarded([&] {
      const Layout layout(root_, request.project);
      make_dirs(layout.adoption_dir());
      return Adoption(layout, fi_).rollback(request);
    });
  }

 private:
  // A failure (not a refusal) as a result with exit code 1.
  template <class F>
  static AdoptionResult guarded(F&& f) {
    try {
      return f();
    } catch (const std::exception& e) {
      return adoption_error(1, e.what());
    }
  }

  void require_night() const {
    if (!layout_) throw Error("store_files: no night is open (open_night() first)");
  }
  void check_writable() const {
    require_night();
    if (published_ || path_exists(night_.dir + "/manifest.json")) {
      throw Error("store_files: night " + night_.night_id + " is already published; its files are final");
    }
  }
  std::string stream_path(std::string_view stream) const {
    require_night();
    if (!is_safe_segment(stream, 64)) throw Error("store_files: bad stream name \"" + std::string(stream) + "\"");
    return night_.dir + "/streams/" + std::string(stream) + ".jsonl";
  }
  // State belongs to the open night's project, else to the run's project.
  Layout state_layout() const {
    if (layout_) return *layout_;
    if (configured_project_.empty()) throw Error("store_files: state needs an open night or a run project");
    return Layout(root_, configured_project_);
  }
  StagingContext staging_context() const {
    StagingContext c;
    c.layout = layout_.get();
    c.night_id = night_.night_id;
    c.night_dir = night_.dir;
    c.started_at = started_at_;
    c.fi = &fi_;
    c.targets = &targets_;
    c.store_arg = store_arg_;
    return c;
  }
  std::string root_;
  std::string store_arg_;
  bool resume_ = true;
  TargetConfig targets_;
  mutable FaultInjector fi_;
  std::shared_ptr<spdlog::logger> log_;
  std::string configured_project_;
  std::unique_ptr<Layout> layout_;
  std::unique_ptr<FileLock> lock_;
  NightHandle night_;
  std::string started_at_;
  bool published_ = false;
  std::atomic<bool> night_open_{false};  // read by cache_put without mu_ (replay threads)
  mutable std::mutex mu_;
};

}  // namespace
}  // namespace skillpipe::store_files

SKILLPIPE_PLUGIN(skillpipe::StageKind::kStore, "1.0.0",
                 "File store: durable resumable nights, state, response cache, staging with manifest pins, "
                 "and transactional adopt/rollback into Claude Code and Codex skills and memory.",
                 skillpipe::store_files::kSchema,
                 [] { return std::make_unique<skillpipe::store_files::FileStore>(); });
