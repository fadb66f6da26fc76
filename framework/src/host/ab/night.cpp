#include "host/ab/night.hpp"

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "host/ab/report.hpp"
#include "host/runner.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"

namespace fs = std::filesystem;

namespace skillpipe::host::ab {
namespace {

std::string safe(const std::string& name) {
  std::string s = name;
  for (char& c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') c = '_';
  return s;
}

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

std::string opt(const std::optional<double>& v) { return v ? fmt("%.3f", *v) : "n/a"; }

// `kept` shipped its baseline, and measured the same baseline on the same number of test
// tasks as `other`, so other's per-task "before" scores are kept's per-task results.
bool kept_baseline(const NightArm& kept, const NightArm& other) {
  const NightReport& k = kept.report;
  const NightReport& o = other.report;
  if (kept.exit_code != 0 || other.test_before.empty() || !k.baseline_test || !k.candidate_test || !o.baseline_test)
    return false;
  if (std::fabs(*k.candidate_test - *k.baseline_test) > 1e-9 || std::fabs(*k.baseline_test - *o.baseline_test) > 1e-9)
    return false;
  auto kt = k.metrics.find("tasks.test"), ot = o.metrics.find("tasks.test");
  if (kt == k.metrics.end() || ot == o.metrics.end()) return false;
  return kt->second == ot->second && static_cast<std::size_t>(kt->second) == other.test_before.size();
}

// One arm's night, in its own store (whose cache/ links to the shared one).
NightArm run_arm(const AbSpec& spec, const ArmSpec& as, const RunOptions& opts, const std::string& work_dir) {
  NightArm arm;
  arm.name = as.name;
  arm.sets = as.sets;
  arm.store_root = work_dir + "/arms/" + safe(as.name) + "/store";
  const auto t0 = std::chrono::steady_clock::now();
  try {
    ensure_dir(arm.store_root);
    std::error_code ec;
    if (!fs::exists(arm.store_root + "/cache", ec))
      fs::create_directory_symlink(work_dir + "/cache", arm.store_root + "/cache", ec);
  } catch (const std::exception& e) {
    arm.errors.push_back(e.what());
    arm.exit_code = 1;
    return arm;
  }
  host::RunOptions ro;
  ro.plugin_dirs = opts.plugin_dirs;
  ro.overrides = spec.sets;
  ro.overrides.insert(ro.overrides.end(), as.sets.begin(), as.sets.end());
  ro.overrides.insert(ro.overrides.end(), opts.sets.begin(), opts.sets.end());
  ro.project = opts.project;
  ro.store_root = arm.store_root;
  ro.flags.auto_adopt = false;  // arms only read the live documents
  spdlog::info("[ab] arm '{}': running a night with its store in {}", as.name, arm.store_root);
  const RunOutcome o = run_pipeline(spec.pipeline, ro);
  arm.exit_code = o.exit_code;
  arm.errors = locate_at_arm(spec, as, o.errors);
  arm.report = o.report;
  arm.night_dir = o.night_dir;
  for (const auto& d : arm.report.deltas)
    if (d.split == Split::kTest) {
      arm.test_before[d.task_id] = d.before;
      arm.test_after[d.task_id] = d.after;
    }
  arm.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return arm;
}

// Arms i and j on the test tasks both report.
NightPair compare(const AbSpec& spec, const std::vector<NightArm>& arms, std::size_t i, std::size_t j) {
  NightPair p;
  p.a = i;
  p.b = j;
  std::map<std::string, double> after_a = arms[i].test_after, after_b = arms[j].test_after;
  if (after_a.empty() && kept_baseline(arms[i], arms[j])) {
    after_a = arms[j].test_before;
    p.baseline_from_other = arms[i].name;
  } else if (after_b.empty() && kept_baseline(arms[j], arms[i])) {
    after_b = arms[i].test_before;
    p.baseline_from_other = arms[j].name;
  }
  std::vector<double> a, b;
  for (const auto& [id, after] : after_a) {
    auto it = after_b.find(id);
    if (it == after_b.end()) continue;
    a.push_back(after);
    b.push_back(it->second);
    p.task_ids.push_back(id);
  }
  p.n = static_cast<int>(a.size());
  p.diff = mean(b) - mean(a);
  p.diff_ci = paired_bootstrap_ci(a, b, spec.bootstrap_samples, spec.confidence, spec.seed);
  p.sign = sign_test(a, b);
  p.wilcoxon = wilcoxon_signed_rank(a, b);
  return p;
}

using Pretty = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void put(Pretty& w, const char* k, const std::string& v) {
  w.Key(k);
  w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
}

void put(Pretty& w, const char* k, std::optional<double> v) {
  w.Key(k);
  if (v && std::isfinite(*v))
    w.Double(*v);
  else
    w.Null();
}

void put(Pretty& w, const char* k, std::int64_t v) {
  w.Key(k);
  w.Int64(v);
}

void arm_json(Pretty& w, const NightArm& a) {
  const NightReport& r = a.report;
  w.StartObject();
  put(w, "name", a.name);
  put(w, "exit_code", static_cast<std::int64_t>(a.exit_code));
  w.Key("errors");
  w.StartArray();
  for (const auto& e : a.errors) w.String(e.c_str());
  w.EndArray();
  put(w, "night_dir", a.night_dir);
  put(w, "gate_action", std::string(r.gate_action ? to_string(*r.gate_action) : ""));
  put(w, "gate_reason", r.gate_reason);
  put(w, "baseline_val", r.baseline_val);
  put(w, "candidate_val", r.candidate_val);
  put(w, "baseline_test", r.baseline_test);
  put(w, "candidate_test", r.candidate_test);
  w.Key("set");
  w.StartArray();
  for (const auto& x : a.sets) w.String(x.c_str());
  w.EndArray();
  put(w, "test_tasks_with_scores", static_cast<std::int64_t>(a.test_after.size()));
  put(w, "accepted_edits", static_cast<std::int64_t>(r.accepted_edits.size()));
  put(w, "rejected_edits", static_cast<std::int64_t>(r.rejected_edits.size()));
  put(w, "proposals", static_cast<std::int64_t>(r.proposals.size()));
  put(w, "tokens_in", r.tokens.input);
  put(w, "tokens_out", r.tokens.output);
  put(w, "cost_usd", std::optional<double>(r.cost_usd));
  put(w, "llm_calls", r.llm_calls);
  put(w, "cached_calls", r.cached_calls);
  put(w, "seconds", std::optional<double>(a.seconds));
  w.EndObject();
}

void pair_json(Pretty& w, const NightRun& run, const NightPair& p) {
  w.StartObject();
  put(w, "a", run.arms[p.a].name);
  put(w, "b", run.arms[p.b].name);
  put(w, "n", static_cast<std::int64_t>(p.n));
  put(w, "baseline_from_other", p.baseline_from_other);
  put(w, "test_diff", p.n ? std::optional<double>(p.diff) : std::nullopt);
  w.Key("test_diff_ci");
  w.StartArray();
  w.Double(p.diff_ci.lo);
  w.Double(p.diff_ci.hi);
  w.EndArray();
  // No non-zero difference: the tests are undefined, so null rather than a p of 1.
  put(w, "sign_p", p.sign.n ? std::optional<double>(p.sign.p_value) : std::nullopt);
  put(w, "wilcoxon_p", p.wilcoxon.n ? std::optional<double>(p.wilcoxon.p_value) : std::nullopt);
  put(w, "sign_p_holm", p.sign_holm);
  put(w, "wilcoxon_p_holm", p.wilcoxon_holm);
  w.EndObject();
}

std::string night_p(const PairedTest& t, const std::optional<double>& holm_p, std::size_t pairs) {
  if (t.n == 0) return "n/a";
  return format_p(t) + (pairs > 1 && holm_p ? " (Holm " + format_p(*holm_p) + ")" : "");
}

}  // namespace

NightRun run_night_ab(const AbSpec& spec, const RunOptions& opts, const std::string& work_dir) {
  NightRun out;
  out.spec = spec;
  out.work_dir = work_dir;
  try {
    ensure_dir(work_dir + "/cache");
  } catch (const std::exception& e) {
    out.errors.push_back(e.what());
    out.exit_code = 1;
    return out;
  }
  for (const auto& as : spec.arms) {
    NightArm arm = run_arm(spec, as, opts, work_dir);
    if (arm.exit_code != 0) out.exit_code = std::max(out.exit_code, arm.exit_code == 4 ? 1 : arm.exit_code);
    out.arms.push_back(std::move(arm));
  }
  for (std::size_t i = 0; i < out.arms.size(); ++i)
    for (std::size_t j = i + 1; j < out.arms.size(); ++j) out.pairs.push_back(compare(spec, out.arms, i, j));
  std::vector<std::optional<double>> sign, wilcoxon;
  for (const auto& p : out.pairs) {
    sign.push_back(p.sign.n ? std::optional<double>(p.sign.p_value) : std::nullopt);
    wilcoxon.push_back(p.wilcoxon.n ? std::optional<double>(p.wilcoxon.p_value) : std::nullopt);
  }
  const auto sign_holm = holm(sign), wilcoxon_holm = holm(wilcoxon);
  for (std::size_t i = 0; i < out.pairs.size(); ++i) {
    out.pairs[i].sign_holm = sign_holm[i];
    out.pairs[i].wilcoxon_holm = wilcoxon_holm[i];
  }
  return out;
}

std::string night_report_json(const NightRun& run) {
  rapidjson::StringBuffer buf;
  Pretty w(buf);
  w.SetIndent(' ', 2);
  w.StartObject();
  put(w, "name", run.spec.name);
  put(w, "mode", std::string("night"));
  put(w, "pipeline", run.spec.pipeline);
  put(w, "work_dir", run.work_dir);
  put(w, "multiple_comparisons", std::string(run.pairs.size() > 1 ? "holm" : "none"));
  w.Key("set");
  w.StartArray();
  for (const auto& x : run.spec.sets) w.String(x.c_str());
  w.EndArray();
  w.Key("arms");
  w.StartArray();
  for (const auto& a : run.arms) arm_json(w, a);
  w.EndArray();
  w.Key("pairs");
  w.StartArray();
  for (const auto& p : run.pairs) pair_json(w, run, p);
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

std::string test_tasks_text(const NightArm& a) {
  const NightReport& r = a.report;
  if (!r.baseline_test && !r.candidate_test) return "not measured";
  return opt(r.baseline_test) + " -> " + opt(r.candidate_test) + " (" +
         (a.test_after.empty() ? std::string("mean only, no per-task scores")
                               : std::to_string(a.test_after.size()) + " task" + (a.test_after.size() == 1 ? "" : "s")) +
         ")";
}

std::string night_report_markdown(const NightRun& run) {
  const AbSpec& s = run.spec;
  std::string md = "# A/B of nights: " + (s.name.empty() ? s.path : s.name) + "\n\n";
  md += "- base pipeline: `" + s.pipeline + "`\n- each arm ran its own night (stores under `" + run.work_dir +
        "/arms/`, one shared response cache); nothing was adopted\n";
  md += "- compared on the held-out **test** split, task by task where both nights report test scores; intervals: " +
        fmt("%.0f%%", s.confidence * 100) + " paired bootstrap\n";
  md += "- multiple comparisons: " + multiple_comparisons_text(run.pairs.size()) + "\n";
  if (!s.sets.empty()) {
    md += "- overrides for every arm:";
    for (const auto& x : s.sets) md += " `" + x + "`";
    md += "\n";
  }
  md += "\n";
  md +=
      "| arm | overrides | gate | val before -> after | test before -> after (tasks with own scores) | edits kept / rejected "
      "| proposals | LLM calls (cached) | tokens in/out | cost (USD) |\n"
      "|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& a : run.arms) {
    const NightReport& r = a.report;
    std::string sets;
    for (const auto& x : a.sets) sets += (sets.empty() ? "`" : ", `") + x + "`";
    const std::string gate = a.exit_code != 0 ? "**failed** (exit " + std::to_string(a.exit_code) + ")"
                                         : std::string(r.gate_action ? to_string(*r.gate_action) : "");
    md += "| " + a.name + " | " + (sets.empty() ? "none" : sets) + " | " + gate + " | " + opt(r.baseline_val) +
          " -> " + opt(r.candidate_val) + " | " + test_tasks_text(a) + " | " + std::to_string(r.accepted_edits.size()) + " / " +
          std::to_string(r.rejected_edits.size()) + " | " + std::to_string(r.proposals.size()) + " | " +
          std::to_string(r.llm_calls) + " (" + std::to_string(r.cached_calls) + ") | " +
          std::to_string(r.tokens.input) + " / " + std::to_string(r.tokens.output) + " | " + fmt("%.4f", r.cost_usd) +
          " |\n";
  }
  for (const auto& a : run.arms)
    for (const auto& e : a.errors) md += "\n- arm " + a.name + ": " + e;
  for (const auto& p : run.pairs) {
    const auto& A = run.arms[p.a];
    const auto& B = run.arms[p.b];
    md += "\n\n## " + B.name + " vs " + A.name + "\n\n";
    if (p.n == 0) {
      md +=
          "No test task is scored by both nights (a night reports per-task test scores only when its gate "
          "accepted a candidate and the test split is not empty); compare the test columns above.\n";
      continue;
    }
    if (!p.baseline_from_other.empty())
      md += "- " + p.baseline_from_other +
            " kept its baseline documents and measured the same baseline, so its "
            "per-task test scores are the other night's baseline scores\n";
    md += "- test tasks in both: " + std::to_string(p.n) + "\n- test score after the night, " + B.name + " - " +
          A.name + ": " + fmt("%+.3f", p.diff) + " [" + fmt("%+.3f", p.diff_ci.lo) + ", " + fmt("%+.3f", p.diff_ci.hi) +
          "]; sign test p = " + night_p(p.sign, p.sign_holm, run.pairs.size()) +
          "; Wilcoxon p = " + night_p(p.wilcoxon, p.wilcoxon_holm, run.pairs.size()) + "\n";
  }
  return md + "\n";
}

}  // namespace skillpipe::host::ab
