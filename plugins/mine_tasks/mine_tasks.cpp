// mine_tasks - turns session digests into recurring, replayable tasks split train/val/test.
//
//   candidates  heuristic (one per session) or LLM (0-3 checkable tasks per session), or a
//               reviewed task file (tasks_file) instead of mining
//   validate    every task passes the rule-check validator and each input judge's validate()
//   recurring   similar intents across sessions and past nights become one task
//   rank, cap   bigger clusters first; relevance to a target skill; max_tasks
//   splits      stable hash of (seed, id), recorded so they never change across nights
//   augment     recall of similar archived train tasks, dream rephrasings (train only)
// The split assignments and the task archive live in the store's per-project state and are
// written in finish(), after the host has made the stage's output durable.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <set>

#include "augment.hpp"
#include "heuristic_miner.hpp"
#include "llm_miner.hpp"
#include "miner_options.hpp"
#include "miner_state.hpp"
#include "recurring.hpp"
#include "relevance.hpp"
#include "skillpipe/backend.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/rules.hpp"
#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/task_file.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/plugin.hpp"
#include "skillpipe/store.hpp"
#include "splits.hpp"

namespace skillpipe {
namespace {

using namespace mine_tasks;

const char* const kSchemaJson = R"({
  "$schema": "http://json-schema.org/draft-04/schema#",
  "title": "mine_tasks",
  "description": "Mines recurring tasks from session digests (heuristic or LLM), clusters similar intents across nights, splits train/val/test stably, adds recall and dream variants, or loads a reviewed task file.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "mode": {"default": "auto", "enum": ["heuristic", "llm", "auto"], "description": "auto (default): the LLM miner when `backend` is available, else heuristic."},
    "backend": {"default": null, "type": "string", "description": "Backend id for LLM mining and dream paraphrases."},
    "replay_backend": {"default": null, "type": "string", "description": "Backend the night replays on; if it is paid, an unreviewed tasks_file is refused."},
    "similarity_threshold": {"type": "number", "minimum": 0.05, "maximum": 1, "description": "Jaccard of intent tokens that makes two intents one recurring task (default 0.5)."},
    "min_cluster_size": {"type": "integer", "minimum": 1, "description": "Sessions a task needs to be kept (default 1)."},
    "max_sessions": {"type": "integer", "minimum": 1, "description": "Newest sessions mined per night (default 120)."},
    "max_tasks": {"type": "integer", "minimum": 1, "description": "Real tasks per night (default 40)."},
    "max_llm_tasks_per_session": {"type": "integer", "minimum": 0, "maximum": 10, "description": "Default 3."},
    "min_intent_tokens": {"type": "integer", "minimum": 1, "description": "Words a prompt needs to be a task (default 2)."},
    "intent_chars": {"type": "integer", "minimum": 40, "description": "Default 800."},
    "context_chars": {"type": "integer", "minimum": 0, "description": "Default 600."},
    "solution_chars": {"type": "integer", "minimum": 0, "description": "Default 600."},
    "agentic_checks": {"default": false, "type": "boolean", "description": "Derive checks an agentic replay (backend_agent) verifies from each successful session: the last green test command (check_command), the files it changed (file_changed), commands the user asked for in a correction (command_ran). Default false."},
    "seed": {"type": ["string", "integer"], "description": "Split seed (default 42)."},
    "val_fraction": {"type": "number", "minimum": 0, "maximum": 1, "description": "Default 0.34."},
    "test_fraction": {"type": "number", "minimum": 0, "maximum": 1, "description": "Default 0."},
    "dream_factor": {"type": "integer", "minimum": 0, "maximum": 20, "description": "Rephrasings per real train task (default 0)."},
    "dream_mode": {"default": "auto", "enum": ["templates", "llm", "auto"], "description": "auto (default): backend paraphrases when `backend` is available."},
    "recall_k": {"type": "integer", "minimum": 0, "maximum": 100, "description": "Similar archived train tasks recalled per night (default 0)."},
    "archive_size": {"type": "integer", "minimum": 1, "description": "Real tasks kept in the archive (default 300)."},
    "target_skill_path": {"default": null, "type": "string", "description": "Keep tasks relevant to this SKILL.md (over-samples 3x first)."},
    "tasks_file": {"default": null, "type": "string", "description": "Load this task file instead of mining (see skillpipe tasks export)."},
    "validate_with": {"default": [], "type": "array", "items": {"type": "string"}, "description": "Judge ids whose validate() every task must pass, besides the stage's input judges."},
    "state_prefix": {"type": "string", "minLength": 1, "description": "Store state key prefix (default mine_tasks)."}
  }
})";

class MineTasks : public Miner {
 public:
  void configure(const Config& c, Context& ctx) override {
    o_ = read_options(c);
    for (const auto& [id, key] : {std::pair{o_.backend, "/backend"}, std::pair{o_.replay_backend, "/replay_backend"}})
      if (!id.empty() && !ctx.backend(id))
        throw ConfigError("backend '" + id + "' is not defined in this pipeline's backends", key);
  }

  std::vector<TaskRecord> mine(const DigestStream& digests, Context& ctx) override {
    state_ = load_state(ctx.store(), o_, ctx);
    const std::string file = tasks_file_path(ctx);
    std::vector<TaskRecord> real = file.empty() ? mine_digests(digests, ctx) : load_file(file, ctx);
    std::vector<TaskRecord> out = finish_tasks(std::move(real), ctx, !file.empty());
    pending_ = true;
    return out;
  }

  void finish(Context& ctx) override {
    Store* store = ctx.store();
    if (!pending_ || !store) return;
    store->put_state(o_.state_prefix + "/splits", splits_to_json(state_.assigned, state_.seed.empty() ? o_.seed : state_.seed));
    store->put_state(o_.state_prefix + "/archive", archive_to_jsonl(state_.archive));
    pending_ = false;
  }

 private:
  // ---- sources of tasks ------------------------------------------------------------------

  std::string tasks_file_path(Context& ctx) const {
    if (const std::string& f = ctx.run().flags.tasks_file; !trim(f).empty()) return expand_path(f);
    if (o_.tasks_file.empty()) return {};
    std::string p = expand_path(o_.tasks_file);
    if (std::filesystem::path(p).is_relative() && !ctx.run().pipeline_dir.empty())
      p = (std::filesystem::path(ctx.run().pipeline_dir) / p).lexically_normal().string();
    return p;
  }

  std::vector<TaskRecord> load_file(const std::string& path, Context& ctx) {
    TaskFile f;
    try {
      f = read_task_file(path);
    } catch (const Error& e) {
      throw ConfigError(std::string("tasks_file: ") + e.what(), "/tasks_file");
    }
    // The night stores the tasks it replays, and never a secret (checks run without credentials).
    if (const std::string at = first_secret_at(read_file(path).value_or("")); !at.empty())
      throw ConfigError("tasks file " + path + " holds what looks like a secret at " + at + "; skillpipe stores the "
                        "tasks it replays, and never a secret. Take it out of the file (a check command runs "
                        "confined, without your credentials, so it could not use it).", "/tasks_file");
    // A paid backend refuses an unreviewed file: a person must have read what will be replayed.
    std::vector<std::string> ids;
    for (const auto& id : {o_.backend, o_.replay_backend, opt(ctx, "backend"), opt(ctx, "replay_backend")})
      if (!id.empty() && std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    if (!f.reviewed) {
      for (const auto& id : ids)
        if (Backend* b = ctx.backend(id); b && b->paid())
          throw ConfigError("tasks file " + path + " is not reviewed, and backend '" + id + "' (" + b->identity() +
                                ") costs money. Read and edit the tasks, then set \"reviewed\": true on the file's first "
                                "line (or attrs {\"reviewed\": \"true\"} on every task).",
                            "/tasks_file");
      if (ids.empty())
        ctx.logger().warn("tasks file {} is not reviewed; name `replay_backend` so a paid backend can refuse it", path);
      ctx.count("tasks_file_unreviewed");
    }
    for (std::size_t i = 0; i < f.tasks.size(); ++i) {
      std::string why;
      if (!validate_task(f.tasks[i], ctx, &why))
        throw ConfigError(path + ":" + std::to_string(f.lines[i]) + ": " + why, "/tasks_file");
    }
    ctx.count("tasks_from_file", static_cast<std::int64_t>(f.tasks.size()));
    ctx.logger().info("loaded {} task(s) from {} ({})", f.tasks.size(), path, f.reviewed ? "reviewed" : "NOT reviewed");
    file_has_holdout_ = std::any_of(f.tasks.begin(), f.tasks.end(),
                                    [](const TaskRecord& t) { return t.origin == Origin::kReal && t.split != Split::kTrain; });
    return f.tasks;
  }

  static std::string opt(Context& ctx, const char* key) {
    const auto& o = ctx.run().options;
    auto it = o.find(key);
    return it == o.end() ? std::string() : it->second;
  }

  Backend* mining_backend(Context& ctx, std::string* why) const {
    if (o_.backend.empty()) {
      *why = "no backend configured";
      return nullptr;
    }
    Backend* b = ctx.backend(o_.backend);
    if (!b) {
      *why = "backend '" + o_.backend + "' is not configured";
      return nullptr;
    }
    return b->available(why) ? b : nullptr;
  }

  // The sessions to mine, oldest first (so a cluster is named by its earliest session): the
  // latest digest of each session, the newest max_sessions of them. One walk of the stream
  // picks them, a second copies just those.
  std::vector<SessionDigest> pick_sessions(const DigestStream& digests) const {
    struct Seen {
      std::string started_at;
      std::size_t at = 0;  // position of the session's latest digest
    };
    std::map<std::string, Seen> latest;
    std::size_t at = 0;
    digests.for_each([&](const SessionDigest& d) { latest[d.session_id] = {d.started_at, at++}; });
    std::vector<std::pair<const std::string*, const Seen*>> order;
    for (const auto& [id, seen] : latest) order.push_back({&id, &seen});
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
      return a.second->started_at != b.second->started_at ? a.second->started_at > b.second->started_at
                                                          : *a.first < *b.first;
    });
    if (static_cast<int>(order.size()) > o_.max_sessions) order.resize(static_cast<std::size_t>(o_.max_sessions));
    std::map<std::size_t, std::size_t> slot;  // stream position -> index in the result
    for (std::size_t i = 0; i < order.size(); ++i) slot[order[i].second->at] = order.size() - 1 - i;
    std::vector<SessionDigest> picked(order.size());
    at = 0;
    digests.for_each([&](const SessionDigest& d) {
      if (const auto it = slot.find(at++); it != slot.end()) picked[it->second] = d;
    });
    return picked;
  }

  std::vector<TaskRecord> mine_digests(const DigestStream& digests, Context& ctx) {
    const std::vector<SessionDigest> picked = pick_sessions(digests);
    std::vector<const SessionDigest*> ds;
    for (const auto& d : picked) ds.push_back(&d);
    ctx.count("sessions", static_cast<std::int64_t>(ds.size()));

    std::string why;
    Backend* backend = o_.mode == "heuristic" ? nullptr : mining_backend(ctx, &why);
    if (o_.mode == "llm" && !backend) throw Error("mode llm: the mining backend cannot serve (" + why + ")");
    std::vector<TaskRecord> candidates;
    bool llm_ran = false;
    if (backend) {
      const std::size_t limit = static_cast<std::size_t>(o_.max_tasks) * (o_.target_skill_path.empty() ? 2 : 3);
      candidates = mine_sessions_with_llm(ds, *backend, o_, limit, ctx);
      llm_ran = true;
      if (candidates.empty() && o_.mode == "auto") {
        ctx.logger().warn("the LLM miner kept no task; falling back to the heuristic miner");
        ctx.count("heuristic_fallback");
      }
    } else if (o_.mode == "auto" && !o_.backend.empty()) {
      ctx.logger().info("LLM mining off ({}); using the heuristic miner", why);
    }
    if (!llm_ran || (candidates.empty() && o_.mode == "auto")) {
      for (const auto* d : ds)
        if (auto t = heuristic_task(*d, o_)) candidates.push_back(std::move(*t));
    }
    ctx.count("candidates", static_cast<std::int64_t>(candidates.size()));

    std::vector<TaskRecord> valid;
    for (auto& t : candidates) {
      std::string why_invalid;
      if (validate_task(t, ctx, &why_invalid)) {
        valid.push_back(std::move(t));
      } else {
        ctx.count("tasks_invalid");
        ctx.logger().warn("dropped task {}: {}", t.id, why_invalid);
      }
    }
    return cluster_and_rank(valid, ctx);
  }

  // Built-in rule validation, then every judge this stage is wired to.
  bool validate_task(const TaskRecord& t, Context& ctx, std::string* why) const {
    if (!t.judge.checks.empty()) {
      const auto report = rules::validate_checks(t.judge.checks);
      if (!report.errors.empty()) {
        *why = "task " + t.id + ": " + report.errors.front();
        return false;
      }
    }
    std::vector<std::string> ids = ctx.input_judges();
    for (const auto& id : o_.validate_with)
      if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    for (const auto& id : ids) {
      Judge* j = ctx.judge(id);
      if (!j) {
        *why = "validate_with: '" + id + "' is not a judge stage of this pipeline";
        return false;
      }
      try {
        for (const auto& w : j->validate(t)) ctx.logger().debug("task {} ({}): {}", t.id, id, w);
      } catch (const RecordError& e) {
        *why = std::string(e.what()) + " (judge " + id + ")";
        return false;
      }
    }
    return true;
  }

  // ---- recurring tasks, ranking, caps ----------------------------------------------------

  std::vector<TaskRecord> cluster_and_rank(const std::vector<TaskRecord>& candidates, Context& ctx) {
    ClusterResult cr = merge_recurring(candidates, state_.archive, o_.similarity_threshold);
    std::vector<TaskRecord> tasks;
    std::vector<int> sizes;
    for (std::size_t i = 0; i < cr.tasks.size(); ++i) {
      if (cr.sizes[i] < o_.min_cluster_size) continue;
      tasks.push_back(std::move(cr.tasks[i]));
      sizes.push_back(cr.sizes[i]);
    }
    report_clusters(cr.sizes, ctx);
    auto size_of = [](const TaskRecord& t) { return std::stoi(t.attrs.at("cluster_size")); };
    auto seen = [](const TaskRecord& t) {
      auto it = t.attrs.find("last_seen");
      return it == t.attrs.end() ? std::string() : it->second;
    };
    std::stable_sort(tasks.begin(), tasks.end(), [&](const TaskRecord& a, const TaskRecord& b) {
      if (size_of(a) != size_of(b)) return size_of(a) > size_of(b);
      if (seen(a) != seen(b)) return seen(a) > seen(b);
      return a.id < b.id;
    });
    if (!o_.target_skill_path.empty()) tasks = filter_by_target(std::move(tasks), ctx);
    if (static_cast<int>(tasks.size()) > o_.max_tasks) {
      ctx.count("tasks_over_cap", static_cast<std::int64_t>(tasks.size()) - o_.max_tasks);
      tasks.resize(static_cast<std::size_t>(o_.max_tasks));
    }
    return tasks;
  }

  void report_clusters(const std::vector<int>& sizes, Context& ctx) const {
    int largest = 0, recurring = 0;
    std::map<int, int, std::greater<>> hist;
    for (int s : sizes) {
      largest = std::max(largest, s);
      recurring += s >= 2;
      ++hist[s];
      ctx.count(s == 1 ? "cluster_size_1" : s == 2 ? "cluster_size_2" : s <= 4 ? "cluster_size_3_4" : "cluster_size_5_plus");
    }
    ctx.count("clusters", static_cast<std::int64_t>(sizes.size()));
    ctx.count("recurring_clusters", recurring);
    ctx.count("largest_cluster", largest);
    std::string text;
    for (const auto& [size, n] : hist) text += (text.empty() ? "" : ", ") + std::to_string(size) + (n > 1 ? "x" + std::to_string(n) : "");
    ctx.logger().info("{} cluster(s), {} recurring; sizes (sessions): {}", sizes.size(), recurring, text.empty() ? "-" : text);
  }

  std::vector<TaskRecord> filter_by_target(std::vector<TaskRecord> tasks, Context& ctx) const {
    const std::string path = expand_path(o_.target_skill_path);
    auto text = read_file(path);
    if (!text) {
      ctx.logger().warn("target_skill_path {} cannot be read; no relevance filter", path);
      return tasks;
    }
    const auto r = filter_relevant(std::move(tasks), skill_keywords(path, *text));
    ctx.count("tasks_relevant", r.relevant);
    if (r.kept_all) ctx.logger().warn("no task is relevant to {}; keeping them all", path);
    return r.tasks;
  }

  // ---- splits and augmentation -----------------------------------------------------------

  std::vector<TaskRecord> finish_tasks(std::vector<TaskRecord> real, Context& ctx, bool from_file) {
    // One task per id (two intents can normalize alike).
    std::set<std::string> ids;
    real.erase(std::remove_if(real.begin(), real.end(), [&](const TaskRecord& t) { return !ids.insert(t.id).second; }),
               real.end());
    if (from_file && file_has_holdout_) {
      for (auto& t : real)
        if (t.origin == Origin::kDream) t.split = Split::kTrain;
      ctx.count("splits_from_file");
    } else {
      const SplitStats st = assign_splits(real, o_.seed, o_.val_fraction, o_.test_fraction, state_.assigned);
      ctx.count("split_kept", st.kept);
      ctx.count("split_promoted", st.promoted);
      for (const auto& u : st.unmet) {
        ctx.logger().warn("split guarantee not met: {}", u);
        ctx.count("split_guarantee_unmet");
      }
    }
    std::vector<TaskRecord> out = real;
    std::vector<TaskRecord> recalled = recall_similar(state_.archive, real, state_.assigned, o_.recall_k);
    ctx.count("recalled", static_cast<std::int64_t>(recalled.size()));
    out.insert(out.end(), recalled.begin(), recalled.end());
    if (o_.dream_factor > 0) {
      std::vector<TaskRecord> dreams;
      Backend* backend = nullptr;
      std::string why;
      if (o_.dream_mode != "templates") backend = mining_backend(ctx, &why);
      for (const auto& t : out) {
        if (t.origin != Origin::kReal || t.split != Split::kTrain) continue;
        std::vector<std::string> paraphrases;
        if (backend) {
          bool stop = false;
          paraphrases = paraphrase_with_llm(t, o_.dream_factor, *backend, ctx, &stop);
          if (stop) backend = nullptr;  // a budget stop: templates for the rest of the night
        }
        for (auto& d : dream_variants(t, o_.dream_factor, paraphrases)) dreams.push_back(std::move(d));
      }
      ctx.count("dream", static_cast<std::int64_t>(dreams.size()));
      out.insert(out.end(), dreams.begin(), dreams.end());
    }
    // The guarantee this stage exists for: nothing synthetic is ever held out.
    for (auto& t : out)
      if (t.origin == Origin::kDream || starts_with(t.id, "recall:")) t.split = Split::kTrain;
    int train = 0, val = 0, test = 0;
    for (const auto& t : real) {
      train += t.split == Split::kTrain;
      val += t.split == Split::kVal;
      test += t.split == Split::kTest;
    }
    ctx.count("tasks", static_cast<std::int64_t>(real.size()));
    ctx.count("train", train);
    ctx.count("val", val);
    ctx.count("test", test);
    ctx.logger().info("{} real task(s): train {}, val {}, test {}; +{} recalled, +{} dream (train only)", real.size(), train,
                      val, test, recalled.size(), out.size() - real.size() - recalled.size());
    update_archive(state_.archive, real, ctx.run().night_id.empty() ? ctx.run().now_utc : ctx.run().night_id, o_.archive_size);
    return out;
  }

  MinerOptions o_;
  MinerState state_;
  bool pending_ = false;
  bool file_has_holdout_ = false;
};

}  // namespace
}  // namespace skillpipe

SKILLPIPE_PLUGIN(skillpipe::StageKind::kMiner, "1.0.0",
                 "Recurring tasks from sessions (heuristic or LLM), stable train/val/test splits, recall and dream variants",
                 skillpipe::kSchemaJson, [] { return std::unique_ptr<skillpipe::StageBase>(new skillpipe::MineTasks); });
