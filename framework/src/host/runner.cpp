#include "host/runner.hpp"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <set>

#include "host/basic_context.hpp"
#include "host/evaluation_service.hpp"
#include "host/tasks_file_check.hpp"
#include "host/pipeline_spec.hpp"
#include "host/plugin_registry.hpp"
#include "host/report_html.hpp"
#include "host/validate.hpp"
#include "skillpipe/backend.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/store.hpp"

namespace fs = std::filesystem;

namespace skillpipe::host {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string safe_name(const std::string& id) {
  std::string s = id;
  for (char& c : s)
    if (c == '/') c = '~';
  return s;
}

std::string resolve_project(const std::string& p) {
  if (p.empty() || p == "invoked") return fs::current_path().string();
  if (p == "all") return "all";
  std::error_code ec;
  return fs::weakly_canonical(fs::absolute(expand_path(p)), ec).string();
}

// Outputs of one stage, whichever kind it is.
struct StageOutput {
  std::vector<SessionDigest> digests;
  std::vector<TaskRecord> tasks;
  std::vector<Verdict> verdicts;       // a judge's verdicts on the observed solutions
  ConsolidateResult consolidated;
  bool is_consolidator = false;
};

template <class T>
std::string to_lines(const std::vector<T>& v) {
  std::string out;
  for (const auto& r : v) out += to_json(r) + "\n";
  return out;
}

template <class T>
std::vector<T> from_lines(const std::string& text) {
  std::vector<T> out;
  for (const auto& line : split(text, '\n'))
    if (!trim(line).empty()) out.push_back(record_from_json<T>(line));
  return out;
}

// Persists a finished stage's output as one atomic file: its presence is the "done" marker
// a resumed night trusts.
void persist(Store* store, const std::string& id, const StageOutput& out) {
  if (!store) return;
  const std::string base = "stages/" + safe_name(id);
  if (!out.digests.empty()) store->write_artifact(base + ".digests.jsonl", to_lines(out.digests));
  if (!out.tasks.empty()) store->write_artifact(base + ".tasks.jsonl", to_lines(out.tasks));
  if (!out.verdicts.empty()) store->write_artifact(base + ".verdicts.jsonl", to_lines(out.verdicts));
  if (out.is_consolidator) {
    store->write_artifact(base + ".proposals.jsonl", to_lines(out.consolidated.proposals));
    store->write_artifact(base + ".edits.jsonl", to_lines(out.consolidated.edits));
    store->write_artifact(base + ".report.json", to_json(out.consolidated.report));
  }
  store->write_artifact(base + ".done", format_iso8601(now_ms()) + "\n");
}

bool load_persisted(Store* store, const std::string& id, StageOutput& out) {
  if (!store || !store->read_artifact("stages/" + safe_name(id) + ".done")) return false;
  const std::string base = "stages/" + safe_name(id);
  if (auto t = store->read_artifact(base + ".digests.jsonl")) out.digests = from_lines<SessionDigest>(*t);
  if (auto t = store->read_artifact(base + ".tasks.jsonl")) out.tasks = from_lines<TaskRecord>(*t);
  if (auto t = store->read_artifact(base + ".verdicts.jsonl")) out.verdicts = from_lines<Verdict>(*t);
  if (auto t = store->read_artifact(base + ".report.json")) {
    out.is_consolidator = true;
    from_json(*t, out.consolidated.report);
    if (auto p = store->read_artifact(base + ".proposals.jsonl")) out.consolidated.proposals = from_lines<Proposal>(*p);
    if (auto e = store->read_artifact(base + ".edits.jsonl")) out.consolidated.edits = from_lines<Edit>(*e);
  }
  return true;
}

// Folds one consolidator's report into the night's.
void merge_report(NightReport& night, const NightReport& part) {
  auto take = [](std::optional<double>& dst, const std::optional<double>& src) {
    if (src) dst = src;
  };
  take(night.baseline_val, part.baseline_val);
  take(night.candidate_val, part.candidate_val);
  take(night.baseline_test, part.baseline_test);
  take(night.candidate_test, part.candidate_test);
  if (part.gate_action && (!night.gate_action || night.gate_action == GateAction::kOffline)) {
    night.gate_action = part.gate_action;
    night.gate_reason = part.gate_reason;
    night.gate_metric = part.gate_metric;
  }
  night.deltas.insert(night.deltas.end(), part.deltas.begin(), part.deltas.end());
  night.accepted_edits.insert(night.accepted_edits.end(), part.accepted_edits.begin(), part.accepted_edits.end());
  night.rejected_edits.insert(night.rejected_edits.end(), part.rejected_edits.begin(), part.rejected_edits.end());
  night.unmatched_edits.insert(night.unmatched_edits.end(), part.unmatched_edits.begin(), part.unmatched_edits.end());
  night.notes.insert(night.notes.end(), part.notes.begin(), part.notes.end());
  night.tokens += part.tokens;
  night.cost_usd += part.cost_usd;
  night.llm_calls += part.llm_calls;
  night.cached_calls += part.cached_calls;
  for (const auto& [k, v] : part.counts) night.counts[k] += v;
  for (const auto& [k, v] : part.metrics) night.metrics[k] = v;
  for (const auto& [k, v] : part.timings_s) night.timings_s[k] += v;
  for (const auto& [k, v] : part.attrs) night.attrs[k] = v;
}

int status_rank(ProposalStatus status) {
  switch (status) {
    case ProposalStatus::kAccepted: return 0;
    case ProposalStatus::kUnverified: return 1;
    case ProposalStatus::kDraft: return 2;
    default: return 3;  // quarantined
  }
}

// Two consolidators (say consolidate_draft and consolidate_reflect) may propose the same
// document. The store refuses that, and a night that cannot stage would be stuck on every
// resume, so one proposal per document is kept here - the best verified one, else the
// first - and the others are reported, never silently dropped.
std::vector<Proposal> one_per_document(std::vector<Proposal> in, NightReport& rep) {
  std::vector<Proposal> out;
  std::map<std::string, std::size_t> by_doc, by_path;
  for (auto& p : in) {
    const std::string doc = to_lower_ascii(to_string(p.target) + "/" + p.name);
    std::size_t at = out.size();
    if (auto it = by_doc.find(doc); it != by_doc.end()) at = it->second;
    if (auto it = by_path.find(p.live_path); at == out.size() && !p.live_path.empty() && it != by_path.end())
      at = it->second;
    if (at == out.size()) {
      by_doc[doc] = at;
      if (!p.live_path.empty()) by_path[p.live_path] = at;
      out.push_back(std::move(p));
      continue;
    }
    Proposal& kept = out[at];
    const bool replace = status_rank(p.status) < status_rank(kept.status);
    const Proposal& dropped = replace ? kept : p;
    const Proposal& winner = replace ? p : kept;
    rep.notes.push_back("proposal `" + dropped.name + "` (" + to_string(dropped.target) + ", " +
                        to_string(dropped.status) + ") was not staged: `" + winner.name + "` (" + to_string(winner.status) +
                        ") changes the same document tonight");
    ++rep.counts["proposals_superseded"];
    if (replace) kept = std::move(p);
  }
  return out;
}

class Run {
 public:
  Run(const std::string& path, const RunOptions& opts) : path_(path), opts_(opts) {}

  RunOutcome execute(bool validate_only);

 private:
  bool load_and_validate();
  bool instantiate();
  void run_stage(std::size_t idx);
  void finish_night();

  std::string path_;
  RunOptions opts_;
  RunOutcome out_;
  ParseResult parsed_;
  ValidatedPipeline vp_;
  // Declared before every stage object so the libraries outlive them (members are destroyed
  // in reverse order).
  std::unique_ptr<PluginRegistry> registry_;
  Services services_;
  std::shared_ptr<Store> store_;
  std::map<std::string, std::shared_ptr<Backend>> backends_;
  std::vector<std::shared_ptr<StageBase>> stages_;
  std::unique_ptr<HostEvaluationService> evaluator_;
  std::vector<std::unique_ptr<BasicContext>> contexts_;
  std::map<std::string, StageOutput> outputs_;
  RunInfo run_;
  bool staging_ = false;   // a failure now is the store's, not a stage's
};

bool Run::load_and_validate() {
  std::vector<std::string> overrides = opts_.overrides;
  if (!opts_.store_root.empty()) overrides.push_back("store.root=" + opts_.store_root);
  parsed_ = parse_pipeline(path_, overrides);
  std::vector<Diagnostic> errors = parsed_.errors;
  registry_ = std::make_unique<PluginRegistry>(plugin_search_dirs(opts_.plugin_dirs, parsed_.spec.plugin_path));
  if (parsed_.spec.format == 1 || errors.empty()) vp_ = validate_pipeline(parsed_.spec, *registry_, errors);
  // Templates: files must exist and use only known placeholders.
  for (const auto& [name, file] : parsed_.spec.templates) {
    auto text = read_file(file);
    if (!text) {
      errors.push_back({parsed_.spec.path, {}, "/templates/" + name, "cannot read template file " + file, false});
      continue;
    }
    if (name == "attempt")
      for (const auto& bad : unknown_placeholders(*text, {"skill", "memory", "task_system"}))
        errors.push_back({parsed_.spec.path, {}, "/templates/attempt",
                          "unknown placeholder {{" + bad + "}} in " + file + " (allowed: skill, memory, task_system)",
                          false});
  }
  for (const auto& e : errors) out_.errors.push_back(e.format());
  out_.exit_code = exit_code_for(errors);
  return errors.empty();
}

bool Run::instantiate() {
  const auto& spec = parsed_.spec;
  run_.pipeline_path = spec.path;
  run_.pipeline_dir = spec.dir;
  run_.project = resolve_project(opts_.project.empty() ? spec.project : opts_.project);
  run_.flags = opts_.flags;
  run_.options = spec.options;
  const bool tasks_file_option = run_.flags.tasks_file.empty() && spec.options.count("tasks_file");
  if (tasks_file_option) run_.flags.tasks_file = spec.options.at("tasks_file");
  run_.now_utc = format_iso8601_s(now_ms());
  std::vector<Diagnostic> errors = check_tasks_file(run_.flags.tasks_file, tasks_file_option, spec, *registry_);
  auto configure = [&](StageBase& obj, const ComponentSpec& c, const std::string& ctx_id) -> bool {
    BasicContext ctx(ctx_id, run_, &services_);
    try {
      obj.configure(Config::parse(c.config_json), ctx);
      return true;
    } catch (const ConfigError& e) {
      errors.push_back({spec.path, c.mark, c.pointer + "/config" + e.pointer(), e.what(), false});
    } catch (const std::exception& e) {
      errors.push_back({spec.path, c.mark, c.pointer, std::string("configure failed: ") + e.what(), false});
    }
    return false;
  };
  try {
    if (spec.store) {
      store_ = registry_->create_as<Store>(spec.store->plugin);
      if (configure(*store_, *spec.store, "store")) services_.store = store_.get();
    }
    for (const auto& b : spec.backends) {
      auto be = registry_->create_as<Backend>(b.plugin);
      if (configure(*be, b, b.id)) {
        services_.backends[b.id] = be.get();
        backends_[b.id] = be;
      }
    }
    for (std::size_t i = 0; i < spec.stages.size(); ++i) {
      const auto& s = spec.stages[i];
      auto obj = registry_->create(s.plugin);
      configure(*obj, s, s.id);
      if (vp_.kinds[i] == StageKind::kJudge) services_.judges[s.id] = static_cast<Judge*>(obj.get());
      stages_.push_back(std::move(obj));
    }
  } catch (const PluginLoadError& e) {
    errors.push_back({spec.path, {}, "", e.what(), true});
  }
  std::string attempt = kDefaultAttemptTemplate;
  if (auto it = spec.templates.find("attempt"); it != spec.templates.end()) attempt = read_file(it->second).value_or(attempt);
  int parallel = 4;
  if (auto it = spec.options.find("parallelism"); it != spec.options.end()) parallel = std::max(1, std::atoi(it->second.c_str()));
  evaluator_ = std::make_unique<HostEvaluationService>(&services_, attempt, parallel);
  services_.evaluator = evaluator_.get();
  for (const auto& e : errors) out_.errors.push_back(e.format());
  if (!errors.empty()) out_.exit_code = exit_code_for(errors);
  return errors.empty();
}

void Run::run_stage(std::size_t idx) {
  const auto& s = parsed_.spec.stages[idx];
  const StageKind kind = vp_.kinds[idx];
  StageStats st;
  st.id = s.id;
  st.plugin = s.plugin;
  st.kind = to_string(kind);
  std::vector<std::string> input_judges;
  ConsolidateInput input;
  for (const auto& [in, mark] : s.inputs) {
    const auto& o = outputs_[in];
    input.digests.insert(input.digests.end(), o.digests.begin(), o.digests.end());
    input.tasks.insert(input.tasks.end(), o.tasks.begin(), o.tasks.end());
    input.observed.insert(input.observed.end(), o.verdicts.begin(), o.verdicts.end());
    if (services_.judges.count(in)) input_judges.push_back(in);
  }
  input.judge_ids = input_judges;
  st.in = static_cast<std::int64_t>(input.digests.size() + input.tasks.size());
  auto ctx = std::make_unique<BasicContext>(s.id, run_, &services_, input_judges);
  StageOutput out;
  const auto t0 = std::chrono::steady_clock::now();
  Store* store = services_.store;

  if (load_persisted(store, s.id, out)) {
    st.status = "resumed";
    spdlog::info("[{}] resumed from the night's saved output", s.id);
  } else {
    StageBase* obj = stages_[idx].get();
    switch (kind) {
      case StageKind::kHarvester:
        out.digests = static_cast<Harvester*>(obj)->harvest(*ctx);
        break;
      case StageKind::kMiner:
        out.tasks = static_cast<Miner*>(obj)->mine(input.digests, *ctx);
        break;
      case StageKind::kJudge: {
        // A judge node scores what the user's agent actually did (the observed solution),
        // which gives the night an observed baseline; replays use it through the evaluator.
        auto* judge = static_cast<Judge*>(obj);
        for (const auto& task : input.tasks) {
          if (ctx->cancelled()) break;
          try {
            // Tasks this judge does not handle are another judge's; their "no checks" warnings
            // would only be noise.
            if (!judge->handles(task)) continue;
            for (const auto& w : judge->validate(task)) {
              ctx->logger().warn("task {}: {}", task.id, w);
              ctx->count("spec_warnings");
            }
            if (!s.observe || task.attempted_solution.empty()) continue;
            ReplayResult observed;
            observed.task_id = task.id;
            observed.variant = "observed";
            observed.response = task.attempted_solution;
            Verdict v = judge->judge(task, observed, *ctx);
            v.task_id = task.id;
            v.judge_id = s.id;
            v.variant = "observed";
            out.verdicts.push_back(std::move(v));
          } catch (const RecordError& e) {
            ++st.errors;
            ctx->logger().warn("task {}: {}", task.id, e.what());
            if (s.on_record_error == "fail" || st.errors > s.max_record_errors)
              throw Error("stage '" + s.id + "': " + std::to_string(st.errors) +
                          " record errors (circuit breaker: max_record_errors=" + std::to_string(s.max_record_errors) + ")");
          }
        }
        break;
      }
      case StageKind::kConsolidator:
        out.is_consolidator = true;
        out.consolidated = static_cast<Consolidator*>(obj)->consolidate(input, *ctx);
        break;
      default:
        break;
    }
    if (ctx->cancelled()) {
      st.status = "cancelled";
      out_.cancelled = true;
    } else {
      persist(store, s.id, out);
      obj->finish(*ctx);  // after the output is durable: harvesters commit cursors here
      st.status = "ok";
    }
  }
  st.out = static_cast<std::int64_t>(out.digests.size() + out.tasks.size() + out.verdicts.size() +
                                     out.consolidated.proposals.size());
  st.seconds = seconds_since(t0);
  st.counts = ctx->counts();
  for (const auto& [k, v] : st.counts) out_.report.counts[s.id + "." + k] += v;
  out_.report.timings_s[s.id] += st.seconds;
  if (kind == StageKind::kHarvester) out_.report.counts["sessions"] += static_cast<std::int64_t>(out.digests.size());
  if (kind == StageKind::kMiner) out_.report.counts["tasks"] += static_cast<std::int64_t>(out.tasks.size());
  if (out.is_consolidator) merge_report(out_.report, out.consolidated.report);
  out_.stages.push_back(st);
  outputs_[s.id] = std::move(out);
  contexts_.push_back(std::move(ctx));
}

void Run::finish_night() {
  std::vector<Proposal> proposals;
  // Pipeline order, so "the first" proposal of a document is deterministic.
  for (std::size_t idx : vp_.order) {
    const auto it = outputs_.find(parsed_.spec.stages[idx].id);
    if (it != outputs_.end() && it->second.is_consolidator)
      proposals.insert(proposals.end(), it->second.consolidated.proposals.begin(),
                       it->second.consolidated.proposals.end());
  }
  auto& rep = out_.report;
  proposals = one_per_document(std::move(proposals), rep);
  rep.proposals = proposals;
  rep.project = run_.project;
  rep.night_id = run_.night_id;
  rep.started_at = run_.now_utc;
  rep.finished_at = format_iso8601_s(now_ms());
  if (!rep.gate_action) rep.gate_action = proposals.empty() ? GateAction::kNoEdits : GateAction::kOffline;
  if (services_.store) {
    // Rendered before stage() so the manifest pins it; a rendering failure never blocks staging.
    try {
      ReportHtmlOptions html_opts;
      if (!opts_.store_root.empty()) html_opts.store_dir = fs::absolute(expand_path(opts_.store_root)).string();
      services_.store->write_artifact(
          "report.html", render_report_html(rep, services_.store->past_reports(rep.project), html_opts));
    } catch (const std::exception& e) {
      spdlog::warn("report.html: {}", e.what());
    }
    staging_ = true;
    services_.store->stage(proposals, rep);
    staging_ = false;
    out_.staged = true;
    services_.store->close_night(true);
    // --auto-adopt only ever adopts a night whose gate accepted verified edits.
    if (run_.flags.auto_adopt) {
      if (rep.gate_action == GateAction::kAccept) {
        AdoptRequest req;
        req.project = run_.project;
        req.night_id = run_.night_id;
        const CommandResult res = services_.store->adopt(req, false);
        spdlog::info("auto-adopt: {}", res.text);
        if (res.exit_code != 0) out_.errors.push_back("auto-adopt refused: " + res.text);
      } else {
        spdlog::info("auto-adopt: nothing adopted (gate action '{}'; only an accepted night is adopted)",
                     to_string(rep.gate_action));
      }
    }
  }
}

RunOutcome Run::execute(bool validate_only) {
  if (!load_and_validate() || validate_only) return out_;
  if (!instantiate()) return out_;
  if (opts_.dry_run) return out_;
  const auto t0 = std::chrono::steady_clock::now();
  try {
    if (services_.store) {
      BasicContext sctx("store", run_, &services_);
      NightHandle night = services_.store->open_night(run_.project, sctx);
      run_.night_id = night.night_id;
      out_.night_dir = night.dir;
      out_.night_id = night.night_id;
      out_.resumed = night.resumed;
      if (night.resumed) spdlog::info("resuming night {} ({})", night.night_id, night.dir);
    }
    for (std::size_t idx : vp_.order) {
      if (out_.cancelled) break;
      run_stage(idx);
    }
    if (out_.cancelled) {
      out_.exit_code = 130;
      if (services_.store)
        spdlog::warn("interrupted: finished stages are saved; run the same command again to resume this night");
      else
        spdlog::warn("interrupted: this pipeline has no store, so nothing was saved; run the same command again to "
                     "start over");
      if (services_.store) services_.store->close_night(false);
    } else {
      out_.report.timings_s["total"] = seconds_since(t0);
      finish_night();
    }
  } catch (const HandoffPending& e) {
    // Not a failure: the night waits for answers and resumes from here when run again.
    out_.exit_code = kHandoffExitCode;
    out_.errors.push_back(e.what());
    if (services_.store) services_.store->close_night(false);
  } catch (const std::exception& e) {
    out_.exit_code = 1;
    StageStats failed;
    failed.status = "failed";
    failed.error = e.what();
    if (out_.stages.size() < vp_.order.size()) {
      const auto& s = parsed_.spec.stages[vp_.order[out_.stages.size()]];
      failed.id = s.id;
      failed.plugin = s.plugin;
      out_.errors.push_back("stage '" + s.id + "' (plugin " + s.plugin + ") failed: " + e.what());
      out_.stages.push_back(failed);
    } else {
      out_.errors.push_back(std::string(staging_ ? "staging the night failed: " : "") + e.what());
    }
    if (out_.resumed)
      out_.errors.push_back("night " + out_.night_id + " was resumed from its saved stages, so this failure will repeat "
                            "on every resume; run the same command with --restart to abandon that night and start a "
                            "new one (its files stay in " + out_.night_dir + " for inspection)");
    if (services_.store) {
      try {
        services_.store->close_night(false);
      } catch (...) {
      }
    }
  }
  // Stages and services go before the registry (see member order); finish contexts first.
  contexts_.clear();
  out_.summary_json = summary_to_json(out_);
  if (services_.store && !out_.night_dir.empty()) {
    try {
      atomic_write_file(out_.night_dir + "/summary.json", out_.summary_json);
    } catch (const std::exception& e) {
      spdlog::warn("cannot write summary.json: {}", e.what());
    }
  }
  if (!opts_.run_dir.empty()) atomic_write_file(opts_.run_dir + "/summary.json", out_.summary_json);
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
