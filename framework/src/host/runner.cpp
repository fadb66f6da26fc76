// The run loop: a night over an assembled pipeline. Opens the night, runs each stage in
// dependency order through its kind's driver (resuming stages the night already finished),
// stages the night's proposals through the store and writes the run summary.
#include "host/runner.hpp"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>

#include "host/assembly.hpp"
#include "host/input_loan.hpp"
#include "host/night_merge.hpp"
#include "host/report/html.hpp"
#include "host/spend_report.hpp"
#include "host/stage_drivers.hpp"
#include "host/stage_outputs.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/staging_notes.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/store.hpp"

namespace fs = std::filesystem;

namespace skillpipe::host {
namespace {

// The night's agentic replays for report.html: trajectories, their verdicts and diffs.
void add_replays(const Store& store, ReportHtmlOptions& o) {
  for (const auto& line : store.read("replays")) {
    ReplayResult r;
    from_json(line, r);
    if (!r.trajectory) continue;
    const std::string& diff = r.trajectory->diff_artifact;
    if (starts_with(diff, "artifacts/") && !o.diffs.count(diff))
      if (auto text = store.read_artifact(diff.substr(10))) o.diffs[diff] = *text;
    o.replays.push_back(std::move(r));
  }
  if (o.replays.empty()) return;
  for (const auto& line : store.read("verdicts")) {
    Verdict v;
    from_json(line, v);
    o.verdicts.push_back(std::move(v));
  }
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

AssemblyOptions assembly_options(const RunOptions& o) {
  return {o.plugin_dirs, o.overrides, o.project, o.store_root, o.flags};
}

class Run {
 public:
  Run(const std::string& path, const RunOptions& opts) : path_(path), opts_(opts), assembly_(assembly_options(opts)) {}

  RunOutcome execute(bool validate_only);

 private:
  bool assemble(bool validate_only);
  void open_night();
  void run_stage(std::size_t idx);
  void account(StageKind kind, StageStats& st, const StageOutput& out, const BasicContext& ctx);
  void interrupted();
  void finish_night();
  void auto_adopt(const NightReport& rep);
  void failed(const std::exception& e);
  void write_summary();
  Store* store() { return assembly_.services().store; }

  std::string path_;
  RunOptions opts_;
  RunOutcome out_;
  PipelineAssembly assembly_;
  // After the assembly: these hold pointers into its services and die first.
  std::vector<std::unique_ptr<RecordErrorPolicy>> policies_;
  std::vector<std::unique_ptr<BasicContext>> contexts_;
  std::map<std::string, StageOutput> outputs_;
  std::map<std::string, std::size_t> last_reader_;  // stage id -> run position of its last consumer
  bool staging_ = false;   // a failure now is the store's, not a stage's
};

bool Run::assemble(bool validate_only) {
  const bool loaded = assembly_.load(path_);
  if (loaded && !validate_only) assembly_.build();
  out_.errors = assembly_.errors();
  out_.diagnostics = assembly_.diagnostics();
  out_.exit_code = assembly_.exit_code();
  return assembly_.ok();
}

void Run::open_night() {
  if (!store()) return;
  auto sctx = assembly_.context("store");
  const NightHandle night = store()->open_night(assembly_.run().project, *sctx);
  assembly_.run().night_id = night.night_id;
  out_.night_dir = night.dir;
  out_.night_id = night.night_id;
  out_.resumed = night.resumed;
  if (night.resumed) spdlog::info("resuming night {} ({})", night.night_id, night.dir);
}

void Run::run_stage(std::size_t idx) {
  const ComponentSpec& s = assembly_.spec().stages[idx];
  const StageKind kind = assembly_.kind(idx);
  StageStats st;
  st.id = s.id;
  st.plugin = s.plugin;
  st.kind = to_string(kind);
  InputLoan loan(outputs_, s);
  ConsolidateInput& input = loan.input();
  input.judge_ids = assembly_.input_judges(idx);
  st.in = static_cast<std::int64_t>(input.digests->size() + input.tasks.size());
  policies_.push_back(std::make_unique<RecordErrorPolicy>(s.id, s.on_record_error, s.max_record_errors));
  contexts_.push_back(assembly_.context(s.id, input.judge_ids));
  BasicContext& ctx = *contexts_.back();
  ctx.set_record_errors(policies_.back().get());
  StageOutput out;
  const auto t0 = std::chrono::steady_clock::now();
  if (load_stage_output(store(), s.id, out)) {
    st.status = "resumed";
    spdlog::info("[{}] resumed from the night's saved output", s.id);
  } else {
    StageBase& stage = *assembly_.stage(idx);
    out = driver_for(kind).run({s, stage, input, ctx});
    ctx.finish_progress();  // the stage's summary line replaces its live progress line
    if (ctx.cancelled()) {
      st.status = "cancelled";
      out_.cancelled = true;
    } else {
      persist_stage_output(store(), s.id, out);
      stage.finish(ctx);  // after the output is durable: harvesters commit cursors here
      st.status = "ok";
    }
  }
  st.errors = policies_.back()->errors();
  st.out = out.size();
  st.seconds = seconds_since(t0);
  account(kind, st, out, ctx);
  outputs_[s.id] = std::move(out);
}

void Run::account(StageKind kind, StageStats& st, const StageOutput& out, const BasicContext& ctx) {
  st.counts = ctx.counts();
  for (const auto& [k, v] : st.counts) out_.report.counts[st.id + "." + k] += v;
  out_.report.timings_s[st.id] += st.seconds;
  if (kind == StageKind::kHarvester) out_.report.counts["sessions"] += static_cast<std::int64_t>(out.digests ? out.digests->size() : 0);
  if (kind == StageKind::kMiner) out_.report.counts["tasks"] += static_cast<std::int64_t>(out.tasks.size());
  if (out.is_consolidator) merge_report(out_.report, out.consolidated.report);
  out_.stages.push_back(std::move(st));
}

namespace {

// The adopted change in force scores worse on test, counting tonight (report/test_watch.hpp);
// nullopt when the store keeps no adoptions or its history cannot be read (the report still renders).
std::optional<TestRegression> adopted_worse_on_test(Store& store, const std::vector<NightReport>& past,
                                                    const NightReport& tonight) {
  AdoptionStore* adoption = store.adoption();
  if (!adoption) return std::nullopt;
  try {
    std::vector<NightReport> nights = past;
    nights.push_back(tonight);
    return adopted_change_worse_on_test(adoption->history(tonight.project).versions, nights);
  } catch (const std::exception& e) {
    spdlog::warn("report.html: cannot read the adoption history to watch the test split: {}", e.what());
    return std::nullopt;
  }
}

}  // namespace

void Run::finish_night() {
  std::vector<Proposal> proposals;
  // Pipeline order, so "the first" proposal of a document is deterministic.
  for (std::size_t idx : assembly_.order()) {
    const auto it = outputs_.find(assembly_.spec().stages[idx].id);
    if (it != outputs_.end() && it->second.is_consolidator)
      proposals.insert(proposals.end(), it->second.consolidated.proposals.begin(),
                       it->second.consolidated.proposals.end());
  }
  auto& rep = out_.report;
  proposals = one_per_document(std::move(proposals), rep);
  rep.proposals = proposals;
  rep.project = assembly_.run().project;
  rep.night_id = assembly_.run().night_id;
  rep.started_at = assembly_.run().now_utc;
  rep.finished_at = format_iso8601_s(now_ms());
  if (!rep.gate_action) rep.gate_action = proposals.empty() ? GateAction::kNoEdits : GateAction::kOffline;
  if (!store()) return;
  apply_spend_ledger(read_spend(store()), rep);
  // The store notes these too while staging (report.md); noted here so report.html has them.
  for (const auto& p : proposals)
    if (auto note = kit::live_changed_note(p)) rep.notes.push_back(std::move(*note));
  // Rendered before stage() so the manifest pins it; a rendering failure never blocks staging.
  try {
    ReportHtmlOptions html_opts;
    if (!opts_.store_root.empty()) html_opts.store_dir = fs::absolute(expand_path(opts_.store_root)).string();
    std::vector<NightReport> past = store()->past_reports(rep.project);
    html_opts.test_regression = adopted_worse_on_test(*store(), past, rep);
    add_replays(*store(), html_opts);
    store()->write_artifact("report.html", render_report_html(rep, past, html_opts));
  } catch (const std::exception& e) {
    spdlog::warn("report.html: {}", e.what());
  }
  staging_ = true;
  store()->stage(proposals, rep);
  staging_ = false;
  out_.staged = true;
  store()->close_night(true);
  auto_adopt(rep);
}

// --auto-adopt only ever adopts a night whose gate accepted verified edits.
void Run::auto_adopt(const NightReport& rep) {
  if (!assembly_.run().flags.auto_adopt) return;
  if (rep.gate_action != GateAction::kAccept) {
    spdlog::info("auto-adopt: nothing adopted (gate action '{}'; only an accepted night is adopted)",
                 to_string(rep.gate_action));
    return;
  }
  AdoptionStore* adoption = store()->adoption();
  if (!adoption) {
    out_.errors.push_back("auto-adopt: store plugin '" + assembly_.spec().store->plugin + "' cannot adopt");
    return;
  }
  AdoptRequest req;
  req.project = assembly_.run().project;
  req.night_id = assembly_.run().night_id;
  const AdoptionResult res = adoption->adopt(req);
  if (res.exit_code != 0) {
    out_.errors.push_back("auto-adopt refused: " + res.message);
  } else if (res.version) {
    spdlog::info("auto-adopt: adopted {} document(s) from night {} as version {}", res.version->files.size(),
                 res.night_id, res.version->version);
  } else {
    spdlog::info("auto-adopt: {}", res.message);
  }
}

void Run::interrupted() {
  out_.exit_code = 130;
  if (store()) {
    spdlog::warn("interrupted: finished stages are saved; run the same command again to resume this night");
    store()->close_night(false);
  } else {
    spdlog::warn("interrupted: this pipeline has no store, so nothing was saved; run the same command again to "
                 "start over");
  }
}

void Run::failed(const std::exception& e) {
  out_.exit_code = 1;
  const std::string what = redact_secrets(e.what());  // summary.json and the log keep it
  const auto& order = assembly_.order();
  if (out_.stages.size() < order.size()) {
    const ComponentSpec& s = assembly_.spec().stages[order[out_.stages.size()]];
    StageStats failed;
    failed.id = s.id;
    failed.plugin = s.plugin;
    failed.kind = to_string(assembly_.kind(order[out_.stages.size()]));
    failed.status = "failed";
    failed.error = what;
    if (!policies_.empty() && policies_.size() > out_.stages.size()) failed.errors = policies_.back()->errors();
    out_.errors.push_back("stage '" + s.id + "' (plugin " + s.plugin + ") failed: " + what);
    out_.stages.push_back(failed);
  } else {
    out_.errors.push_back(std::string(staging_ ? "staging the night failed: " : "") + what);
  }
  if (out_.resumed)
    out_.errors.push_back("night " + out_.night_id + " was resumed from its saved stages, so this failure will repeat "
                          "on every resume; run the same command with --restart to abandon that night and start a "
                          "new one (its files stay in " + out_.night_dir + " for inspection)");
  if (store()) {
    try {
      store()->close_night(false);
    } catch (...) {
    }
  }
}

void Run::write_summary() {
  out_.summary_json = summary_to_json(out_);
  if (store() && !out_.night_dir.empty()) {
    try {
      atomic_write_file(out_.night_dir + "/summary.json", out_.summary_json);
    } catch (const std::exception& e) {
      spdlog::warn("cannot write summary.json: {}", e.what());
    }
  }
  if (!opts_.run_dir.empty()) atomic_write_file(opts_.run_dir + "/summary.json", out_.summary_json);
}

RunOutcome Run::execute(bool validate_only) {
  if (!assemble(validate_only) || validate_only || opts_.dry_run) return out_;
  const auto t0 = std::chrono::steady_clock::now();
  try {
    open_night();
    const auto& order = assembly_.order();
    for (std::size_t pos = 0; pos < order.size(); ++pos)
      for (const auto& [in, mark] : assembly_.spec().stages[order[pos]].inputs) last_reader_[in] = pos;
    for (std::size_t pos = 0; pos < order.size() && !out_.cancelled; ++pos) {
      run_stage(order[pos]);
      release_read_inputs(outputs_, assembly_.spec().stages[order[pos]], last_reader_, pos);
    }
    if (out_.cancelled) {
      interrupted();
    } else {
      out_.report.timings_s["total"] = seconds_since(t0);
      finish_night();
    }
  } catch (const HandoffPending& e) {
    // Not a failure: the night waits for answers and resumes from here when run again.
    out_.exit_code = kHandoffExitCode;
    out_.errors.push_back(e.what());
    if (store()) store()->close_night(false);
  } catch (const std::exception& e) {
    failed(e);
  }
  contexts_.clear();
  write_summary();
  return out_;
}

}  // namespace

std::string summary_to_json(const RunOutcome& o) {
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
  w.SetIndent(' ', 2);
  w.StartObject();
  w.Key("exit_code");
  w.Int(o.exit_code);
  w.Key("night_dir");
  w.String(o.night_dir.c_str());
  w.Key("night_id");
  w.String(o.night_id.c_str());
  w.Key("resumed");
  w.Bool(o.resumed);
  w.Key("staged");
  w.Bool(o.staged);
  w.Key("errors");
  w.StartArray();
  for (const auto& e : o.errors) w.String(e.c_str());
  w.EndArray();
  w.Key("stages");
  w.StartArray();
  for (const auto& s : o.stages) {
    w.StartObject();
    w.Key("id"); w.String(s.id.c_str());
    w.Key("plugin"); w.String(s.plugin.c_str());
    w.Key("kind"); w.String(s.kind.c_str());
    w.Key("status"); w.String(s.status.c_str());
    w.Key("in"); w.Int64(s.in);
    w.Key("out"); w.Int64(s.out);
    w.Key("errors"); w.Int64(s.errors);
    w.Key("seconds"); w.Double(s.seconds);
    if (!s.error.empty()) { w.Key("error"); w.String(s.error.c_str()); }
    w.Key("counts");
    w.StartObject();
    for (const auto& [k, v] : s.counts) { w.Key(k.c_str()); w.Int64(v); }
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.Key("report");
  const std::string rep = to_json(o.report);
  w.RawValue(rep.c_str(), rep.size(), rapidjson::kObjectType);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

RunOutcome run_pipeline(const std::string& path, const RunOptions& options) {
  Run run(path, options);
  return run.execute(false);
}

RunOutcome validate_only(const std::string& path, const RunOptions& options) {
  Run run(path, options);
  return run.execute(true);
}

}  // namespace skillpipe::host
