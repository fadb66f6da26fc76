#include "host/ab/spec.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <set>

#include "host/pipeline_overrides.hpp"
#include "host/yaml_load.hpp"
#include "skillpipe/kit/util.hpp"

namespace fs = std::filesystem;

namespace skillpipe::host::ab {
namespace {

const std::set<std::string> kTopKeys = {
    "skillpipe_ab", "name",           "description", "mode",           "pipeline",  "tasks",
    "replays",      "replay_variant", "splits",      "backend",        "judges",    "rollouts",
    "skill",        "memory",         "set",         "pass_threshold", "bootstrap", "max_disagreements",
    "arms"};
const std::set<std::string> kArmKeys = {"name", "description", "set", "skill", "memory"};
const std::set<std::string> kBootstrapKeys = {"samples", "confidence", "seed"};

class Reader {
 public:
  Reader(std::string path, std::vector<Diagnostic>& errors)
      : path_(std::move(path)), dir_(fs::path(path_).parent_path().string()), errors_(errors) {}

  void error(const YAML::Node& n, const std::string& msg) {
    Diagnostic d{path_, {}, {}, msg};
    if (n && !n.Mark().is_null()) d.mark = {n.Mark().line + 1, n.Mark().column + 1};
    errors_.push_back(std::move(d));
  }

  void check_keys(const YAML::Node& map, const std::set<std::string>& allowed, const std::string& where) {
    for (const auto& kv : map) {
      const std::string k = kv.first.Scalar();
      if (allowed.count(k)) continue;
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      error(kv.first, "unknown key '" + k + "'" + where + " (allowed: " + list + ")");
    }
  }

  std::string str(const YAML::Node& n, const std::string& what) {
    if (!n.IsScalar()) {
      error(n, what + ": expected a string");
      return {};
    }
    return n.Scalar();
  }

  std::string file(const YAML::Node& n, const std::string& what) {
    const std::string s = expand_path(str(n, what));
    if (s.empty()) return s;
    const fs::path p = fs::path(s).is_absolute() ? fs::path(s) : fs::path(dir_) / s;
    return p.lexically_normal().string();
  }

  std::vector<std::string> list(const YAML::Node& n, const std::string& what) {
    std::vector<std::string> out;
    if (n.IsScalar()) return {n.Scalar()};
    if (!n.IsSequence()) {
      error(n, what + ": expected a list of strings");
      return out;
    }
    for (const auto& e : n) out.push_back(str(e, what));
    return out;
  }

  // `set:` is a list of "key=value" strings or a mapping key -> value (any YAML value).
  std::vector<std::string> overrides(const YAML::Node& n, const std::string& what) {
    if (!n.IsMap()) {
      auto v = list(n, what);
      for (std::size_t i = 0; i < v.size(); ++i)
        if (v[i].find('=') == std::string::npos) error(n, what + ": override '" + v[i] + "' is not KEY=VALUE");
      return v;
    }
    std::vector<std::string> out;
    for (const auto& kv : n) {
      std::string value;
      if (kv.second.IsScalar()) {
        value = kv.second.Scalar();
      } else {
        YAML::Emitter e;
        e << YAML::Flow << kv.second;
        value = e.c_str();
      }
      out.push_back(kv.first.Scalar() + "=" + value);
    }
    return out;
  }

  template <class T>
  T number(const YAML::Node& n, const std::string& what, T lo, T hi) {
    try {
      T v = n.as<T>();
      if (v < lo || v > hi) error(n, what + ": must be between " + std::to_string(lo) + " and " + std::to_string(hi));
      return v;
    } catch (const YAML::Exception&) {
      error(n, what + ": expected a number");
      return lo;
    }
  }

 private:
  std::string path_;
  std::string dir_;
  std::vector<Diagnostic>& errors_;
};

// mode: scores (default) or night; night forbids the keys that only scoring uses.
void read_mode(Reader& r, const YAML::Node& root, AbSpec& s) {
  const auto n = root["mode"];
  if (!n) return;
  s.mode = r.str(n, "mode");
  if (s.mode != "scores" && s.mode != "night")
    r.error(n, "mode: '" + s.mode +
                   "' is not scores (same tasks and replays, different scoring) or night "
                   "(each arm runs its own night)");
  if (s.mode == "night")
    for (const char* k : {"tasks", "replays", "replay_variant", "backend", "judges", "rollouts", "skill", "memory"})
      if (root[k])
        r.error(root[k], std::string("'") + k +
                             "' has no meaning with mode: night (the night mines, "
                             "replays and judges as its pipeline says)");
}

// What every arm shares: pipeline, tasks, replays, scoring and statistics settings.
void read_common(Reader& r, const YAML::Node& root, AbSpec& s) {
  if (auto n = root["pipeline"])
    s.pipeline = r.file(n, "pipeline");
  else
    r.error(root, "missing required key 'pipeline' (the base pipeline every arm modifies)");
  if (auto n = root["tasks"]) s.tasks_file = r.file(n, "tasks");  // or --tasks on the command line
  if (auto n = root["replays"]) s.replays_file = r.file(n, "replays");
  if (auto n = root["replay_variant"]) s.replay_variant = r.str(n, "replay_variant");
  if (auto n = root["splits"]) {
    s.splits = r.list(n, "splits");
    for (const auto& sp : s.splits)
      if (sp != "train" && sp != "val" && sp != "test") r.error(n, "splits: '" + sp + "' is not train, val or test");
  }
  if (auto n = root["backend"]) s.backend = r.str(n, "backend");
  if (auto n = root["judges"]) s.judges = r.list(n, "judges");
  if (auto n = root["rollouts"]) s.rollouts = r.number<int>(n, "rollouts", 1, 100);
  if (auto n = root["skill"]) s.skill_file = r.file(n, "skill");
  if (auto n = root["memory"]) s.memory_file = r.file(n, "memory");
  if (auto n = root["set"]) s.sets = r.overrides(n, "set");
  if (auto n = root["pass_threshold"]) s.pass_threshold = r.number<double>(n, "pass_threshold", 0, 1);
  if (auto n = root["max_disagreements"]) s.max_disagreements = r.number<int>(n, "max_disagreements", 0, 100000);
  const auto b = root["bootstrap"];
  if (!b) return;
  if (!b.IsMap()) return r.error(b, "bootstrap: expected a mapping {samples, confidence, seed}");
  r.check_keys(b, kBootstrapKeys, " in bootstrap");
  if (b["samples"]) s.bootstrap_samples = r.number<int>(b["samples"], "bootstrap.samples", 100, 1000000);
  if (b["confidence"]) s.confidence = r.number<double>(b["confidence"], "bootstrap.confidence", 0.5, 0.999);
  if (b["seed"]) s.seed = r.number<std::uint64_t>(b["seed"], "bootstrap.seed", 0, UINT64_MAX);
}

void read_arms(Reader& r, const YAML::Node& root, AbSpec& s) {
  const auto arms = root["arms"];
  if (!arms || !arms.IsSequence() || arms.size() < 2)
    return r.error(arms ? arms : root, "'arms' must be a list of at least two arms ({name, set})");
  std::set<std::string> names;
  for (const auto& a : arms) {
    if (!a.IsMap()) {
      r.error(a, "an arm is a mapping {name, set, skill, memory}");
      continue;
    }
    r.check_keys(a, kArmKeys, " in an arm");
    ArmSpec arm;
    if (a["name"]) arm.name = r.str(a["name"], "arm name");
    if (arm.name.empty())
      r.error(a, "an arm needs a name");
    else if (!names.insert(arm.name).second)
      r.error(a["name"], "duplicate arm name '" + arm.name + "'");
    arm.mark = mark_of(a);
    if (a["set"]) {
      arm.sets = r.overrides(a["set"], "arm '" + arm.name + "' set");
      const YAML::Node set = a["set"];
      for (auto it = set.begin(); it != set.end(); ++it)
        arm.set_marks.push_back(mark_of(set.IsMap() ? it->first : YAML::Node(*it)));
      arm.set_marks.resize(arm.sets.size(), mark_of(a["set"]));
    }
    if (a["skill"]) arm.skill_file = r.file(a["skill"], "skill");
    if (a["memory"]) arm.memory_file = r.file(a["memory"], "memory");
    s.arms.push_back(std::move(arm));
  }
}

}  // namespace

std::optional<AbSpec> parse_ab_spec(const std::string& path_in, std::vector<Diagnostic>& errors) {
  const std::size_t errors_before = errors.size();
  std::error_code ec;
  const std::string path = fs::absolute(path_in, ec).lexically_normal().string();
  const FileText file = read_regular_file(path, kMaxPipelineBytes);
  if (!file.text) {
    errors.push_back({path, {}, {}, "cannot read the experiment file: it " + file.error});
    return std::nullopt;
  }
  const std::optional<YAML::Node> loaded = load_yaml_strict(*file.text, path, errors);
  if (!loaded) return std::nullopt;
  const YAML::Node root = *loaded;
  Reader r(path, errors);
  if (!root.IsMap()) {
    r.error(root, "expected a mapping (an A/B experiment: skillpipe_ab, pipeline, tasks, arms)");
    return std::nullopt;
  }
  r.check_keys(root, kTopKeys, "");
  AbSpec s;
  s.path = path;
  if (!root["skillpipe_ab"] || !root["skillpipe_ab"].IsScalar() || root["skillpipe_ab"].Scalar() != "1")
    r.error(root["skillpipe_ab"] ? root["skillpipe_ab"] : root,
            "missing `skillpipe_ab: 1` (the experiment format version; this skillpipe reads 1)");
  try {
    if (auto n = root["name"]) s.name = r.str(n, "name");
    read_mode(r, root, s);
    read_common(r, root, s);
    read_arms(r, root, s);
  } catch (const YAML::Exception& e) {
    // The readers check each node's type before use; this is the net under that promise.
    errors.push_back({path, {e.mark.line + 1, e.mark.column + 1}, {}, "cannot read this experiment: " + e.msg});
  }
  if (errors.size() != errors_before) return std::nullopt;
  return s;
}

std::vector<std::string> locate_at_arm(const AbSpec& spec, const ArmSpec& arm, const std::vector<std::string>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) {
    std::string located = e;
    for (std::size_t i = 0; i < arm.sets.size(); ++i) {
      const std::string prefix = "override '" + arm.sets[i] + "'";
      if (!e.starts_with(prefix)) continue;
      const Mark m = i < arm.set_marks.size() && arm.set_marks[i].line > 0 ? arm.set_marks[i] : arm.mark;
      located = spec.path + (m.line > 0 ? ":" + std::to_string(m.line) + ":" + std::to_string(m.col) : "") +
                ": arm '" + arm.name + "' set '" + arm.sets[i] + "'" + e.substr(prefix.size());
      break;
    }
    out.push_back(std::move(located));
  }
  return out;
}

}  // namespace skillpipe::host::ab
