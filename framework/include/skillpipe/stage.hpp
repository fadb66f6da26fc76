// stage.hpp - the stage kinds a plugin can implement, and the Context the host provides.
//
// A plugin's factory returns a Component of the kind its descriptor names. Every component
// is configured once. A stage (StageBase) then runs its kind's method, and finish() once the
// host has made its output durable; services (Store, Backend) are looked up by stages and
// have no stage lifecycle. Components are destroyed before their library is unloaded.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "skillpipe/abi.hpp"
#include "skillpipe/config.hpp"
#include "skillpipe/records.hpp"

namespace spdlog {
class logger;
}

namespace skillpipe {

class Backend;
class Judge;
class Store;
class EvaluationService;

enum class StageKind : std::uint32_t {
  kHarvester = 1,
  kMiner = 2,
  kJudge = 3,
  kConsolidator = 4,
  kStore = 5,
  kBackend = 6,
};
const char* to_string(StageKind k);

// Progress of long work: count, bytes, rate and ETA on a TTY; nothing otherwise. Thread-safe.
// The byte and unit calls have do-nothing defaults, so a Progress that only counts (a test
// harness) implements two functions.
class SKILLPIPE_VISIBLE Progress {
 public:
  virtual ~Progress();
  // Starts a phase of `total` units (files, sessions, replays).
  virtual void set_total(std::int64_t total) = 0;
  virtual void advance(std::int64_t n = 1) = 0;
  // What one counted unit is ("sessions", "replays"), shown beside the count.
  virtual void set_unit(std::string_view unit);
  // Bytes the current phase will read (call after set_total), and bytes read so far.
  virtual void set_total_bytes(std::int64_t bytes);
  virtual void advance_bytes(std::int64_t bytes);
};

// Run-wide flags from the command line, typed (the host reads them too).
struct RunFlags {
  bool auto_adopt = false;       // run --auto-adopt: adopt an accepted night right after staging
  bool dry_run = false;          // change nothing live (the skill lifecycle only reports)
  bool restart = false;          // run --restart: abandon an unfinished night, start a new one
  std::string tasks_file;        // run --tasks-file (or options.tasks_file): replay these tasks
  bool keep_workspaces = false;  // keep agentic replay workspaces for inspection
};

// Facts about the current run that any stage may need.
struct RunInfo {
  std::string pipeline_path;    // absolute path of the YAML file ("" when run from a CLI command)
  std::string pipeline_dir;
  std::string project;          // the project this night is for (absolute path) or "all"
  std::string night_id;         // set once the store opened the night
  std::string run_dir;          // where the host writes summary.json and logs
  std::string now_utc;          // ISO-8601; overridable for tests (SKILLPIPE_NOW)
  RunFlags flags;
  Attrs options;                // the pipeline's `options:` scalars (parallelism, ...)
};

class SKILLPIPE_VISIBLE Context {
 public:
  virtual ~Context();
  virtual spdlog::logger& logger() = 0;       // named after the stage id
  virtual Progress& progress() = 0;
  virtual bool cancelled() const = 0;         // SIGINT: stop after the current record
  virtual const RunInfo& run() const = 0;
  virtual const std::string& stage_id() const = 0;
  // Stage counters that appear in the run summary (e.g. "redactions", "bad_lines").
  virtual void count(std::string_view key, std::int64_t delta = 1) = 0;
  // Named services; nullptr when not configured in the pipeline.
  virtual Backend* backend(std::string_view id) = 0;
  virtual Judge* judge(std::string_view stage_id) = 0;
  virtual Store* store() = 0;
  virtual EvaluationService* evaluator() = 0;
  // Judge stage ids wired into the current stage's inputs, in order.
  virtual std::vector<std::string> input_judges() const = 0;
  // Reports one record the stage could not process and skipped (an unreadable transcript, an
  // invalid task). The host logs and counts it and applies the stage's policy
  // (`on_record_error`, `max_record_errors`): it throws Error when the stage must fail, so a
  // systematically broken input never yields a silently empty night.
  virtual void record_error(std::string_view record_id, std::string_view what) = 0;
};

// Anything a plugin makes.
class SKILLPIPE_VISIBLE Component {
 public:
  virtual ~Component();
  // Throws ConfigError. The config has already passed the plugin's JSON schema.
  virtual void configure(const Config& config, Context& ctx);
};

// A pipeline stage (harvester, miner, judge, consolidator).
class SKILLPIPE_VISIBLE StageBase : public Component {
 public:
  ~StageBase() override;
  // Called once the host has persisted the stage's output (harvesters commit cursors here),
  // never after a failed or interrupted stage.
  virtual void finish(Context& ctx);
};

// Session digests pass between stages one at a time: a first night over years of transcripts
// holds thousands of sessions, and the host keeps them in the night's store rather than in
// memory, so a night's footprint does not grow with the user's history.

// Where a harvester puts each digest once it is final. Call put() from one thread at a time
// (the host's sink writes to the store); it may throw (a full disk), which fails the stage.
class SKILLPIPE_VISIBLE DigestSink {
 public:
  virtual ~DigestSink();
  virtual void put(SessionDigest digest) = 0;
};

// The digests a stage reads, in order. A digest lives only for its call: keep what you need
// of it, not a pointer to it. A stream may be walked again (each walk reads it afresh); a
// stream read from the store throws Error when its saved records cannot be read.
class SKILLPIPE_VISIBLE DigestStream {
 public:
  virtual ~DigestStream();
  virtual std::size_t size() const = 0;
  virtual void for_each(const std::function<void(const SessionDigest&)>& fn) const = 0;
};

// Digests held in memory: both a sink and a stream (command-line tools, tests, a night
// without a store).
class SKILLPIPE_VISIBLE DigestList final : public DigestSink, public DigestStream {
 public:
  DigestList() = default;
  explicit DigestList(std::vector<SessionDigest> digests) : items(std::move(digests)) {}
  void put(SessionDigest digest) override;
  std::size_t size() const override;
  void for_each(const std::function<void(const SessionDigest&)>& fn) const override;
  std::vector<SessionDigest> items;
};

class SKILLPIPE_VISIBLE Harvester : public StageBase {
 public:
  ~Harvester() override;
  // Puts every digest of this run into `out` (the host writes them to the night's store as
  // they come, so a harvester should not hold them all either).
  virtual void harvest(DigestSink& out, Context& ctx) = 0;
};

class SKILLPIPE_VISIBLE Miner : public StageBase {
 public:
  ~Miner() override;
  virtual std::vector<TaskRecord> mine(const DigestStream& digests, Context& ctx) = 0;
};

// Pure: the same task and replay give the same verdict. Called concurrently.
class SKILLPIPE_VISIBLE Judge : public StageBase {
 public:
  ~Judge() override;
  virtual Verdict judge(const TaskRecord& task, const ReplayResult& replay, Context& ctx) = 0;
  // Checks a task's judge spec when tasks are loaded; throws RecordError (naming the task)
  // for errors and returns warnings. Default: no checks.
  virtual std::vector<std::string> validate(const TaskRecord& task) const;
  // Whether this judge can score the task at all (a rule judge needs checks, an exact judge a
  // reference). When several judges are wired, each task is scored only by those that handle
  // it, so a judge never drags a mean down with a "no reference" zero. Default: every task.
  virtual bool handles(const TaskRecord& task) const;
};

struct ConsolidateInput {
  // The upstream stages' digests, one after another; never null (empty by default).
  std::shared_ptr<const DigestStream> digests = std::make_shared<DigestList>();
  std::vector<TaskRecord> tasks;
  std::vector<Verdict> observed;        // judges' verdicts on the tasks' observed solutions
  std::vector<std::string> judge_ids;
};

struct ConsolidateResult {
  std::vector<Proposal> proposals;      // staged by the host through the store
  std::vector<Edit> edits;              // every edit considered, with its status
  NightReport report;                   // the consolidator's part of the night report
};

class SKILLPIPE_VISIBLE Consolidator : public StageBase {
 public:
  ~Consolidator() override;
  virtual ConsolidateResult consolidate(const ConsolidateInput& input, Context& ctx) = 0;
};

}  // namespace skillpipe
