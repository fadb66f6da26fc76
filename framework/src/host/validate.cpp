#include "host/validate.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include <rapidjson/document.h>

#include "host/schema_check.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe_internal/json_parse.hpp"

namespace skillpipe::host {

const char* to_string(RecordKind k) {
  switch (k) {
    case RecordKind::kDigests: return "session digests";
    case RecordKind::kTasks: return "tasks";
    case RecordKind::kJudge: return "a judge";
    case RecordKind::kProposals: return "proposals";
    case RecordKind::kNone: return "nothing";
  }
  return "?";
}

RecordKind output_of(StageKind k) {
  switch (k) {
    case StageKind::kHarvester: return RecordKind::kDigests;
    case StageKind::kMiner: return RecordKind::kTasks;
    case StageKind::kJudge: return RecordKind::kJudge;
    case StageKind::kConsolidator: return RecordKind::kProposals;
    default: return RecordKind::kNone;
  }
}

namespace {

std::set<RecordKind> accepted_by(StageKind k) {
  switch (k) {
    case StageKind::kMiner: return {RecordKind::kDigests};
    case StageKind::kJudge: return {RecordKind::kTasks};
    case StageKind::kConsolidator: return {RecordKind::kDigests, RecordKind::kTasks, RecordKind::kJudge};
    default: return {};
  }
}

Mark config_mark(const ComponentSpec& c, const std::string& ptr) {
  // The closest enclosing node that has a mark.
  std::string p = ptr;
  while (true) {
    if (auto it = c.config_marks.find(p); it != c.config_marks.end() && it->second.line > 0) return it->second;
    if (p.empty()) return c.mark;
    p = p.substr(0, p.rfind('/'));
  }
}

// Loads the component's plugin, checks its kind and config. Returns the kind, or nullopt.
std::optional<StageKind> check_component(const PipelineSpec& spec, const ComponentSpec& c,
                                         const std::set<StageKind>& kinds, const char* role,
                                         PluginRegistry& reg, std::vector<Diagnostic>& errors) {
  if (c.plugin.empty()) return std::nullopt;
  const LoadedPlugin* lp = nullptr;
  try {
    lp = &reg.load(c.plugin);
  } catch (const PluginLoadError& e) {
    const bool found = !reg.find(c.plugin).empty();
    errors.push_back({c.plugin_override.empty() ? spec.path : "override '" + c.plugin_override + "'", c.plugin_mark,
                      c.pointer + "/plugin",
                      found ? e.what() : "unknown plugin '" + c.plugin + "': " + e.what(), found});
    return std::nullopt;
  }
  const StageKind kind = lp->desc->kind;
  if (!kinds.count(kind)) {
    errors.push_back({c.plugin_override.empty() ? spec.path : "override '" + c.plugin_override + "'", c.plugin_mark,
                      c.pointer + "/plugin", "plugin '" + c.plugin + "' is a " + to_string(kind) + ", which cannot be used as " + role, false});
    return std::nullopt;
  }
  for (const auto& issue : check_config(lp->desc->config_schema_json ? lp->desc->config_schema_json : "{}",
                                        c.config_json)) {
    // A value the parser already refused (a number out of range) is not reported twice.
    const std::string pointer = c.pointer + "/config" + issue.pointer;
    if (std::any_of(errors.begin(), errors.end(), [&](const Diagnostic& d) { return d.pointer == pointer; })) continue;
    std::string file = spec.path;
    Mark mark = config_mark(c, issue.pointer);
    for (const auto& [at, text] : c.config_overrides)  // the last override of a value wins
      if (issue.pointer == at || issue.pointer.starts_with(at + "/")) {
        file = "override '" + text + "'";
        mark = {};
      }
    errors.push_back({file, mark, pointer, "config for plugin '" + c.plugin + "': " + issue.message, false});
  }
  return kind;
}

// Backend references: any config string under a key named `backend` or ending in `_backend`.
void find_backend_refs(const rapidjson::Value& v, const std::string& ptr,
                       std::vector<std::pair<std::string, std::string>>& out) {
  if (v.IsObject()) {
    for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
      const std::string key(m->name.GetString(), m->name.GetStringLength());
      if ((key == "backend" || key.ends_with("_backend")) && m->value.IsString())
        out.emplace_back(ptr + "/" + key, m->value.GetString());
      else
        find_backend_refs(m->value, ptr + "/" + key, out);
    }
  } else if (v.IsArray()) {
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) find_backend_refs(v[i], ptr + "/" + std::to_string(i), out);
  }
}

void check_backend_refs(const PipelineSpec& spec, const ComponentSpec& c, const std::set<std::string>& backends,
                        std::vector<Diagnostic>& errors) {
  rapidjson::Document d;
  if (detail::parse_json(d, c.config_json)) return;  // the schema check reports it
  std::vector<std::pair<std::string, std::string>> refs;
  find_backend_refs(d, "", refs);
  for (const auto& [ptr, value] : refs)
    if (!value.empty() && !backends.count(value))
      errors.push_back({spec.path, config_mark(c, ptr), c.pointer + "/config" + ptr,
                        "backend '" + value + "' is not defined under `backends:`", false});
}

// Resolves and type-checks every edge; returns each stage's dependencies.
std::vector<std::vector<std::size_t>> check_edges(const PipelineSpec& spec,
                                                  const std::vector<std::optional<StageKind>>& kinds,
                                                  const std::map<std::string, std::size_t>& index,
                                                  std::vector<Diagnostic>& errors) {
  std::vector<std::vector<std::size_t>> deps(spec.stages.size());
  for (std::size_t i = 0; i < spec.stages.size(); ++i) {
    const auto& s = spec.stages[i];
    std::set<std::string> listed;
    for (std::size_t k = 0; k < s.inputs.size(); ++k) {
      const auto& [in, mark] = s.inputs[k];
      const std::string ptr = s.pointer + "/inputs/" + std::to_string(k);
      if (!listed.insert(in).second) {  // its records would not arrive twice; the list must not say so
        errors.push_back({spec.path, mark, ptr, "input '" + in + "' of stage '" + s.id +
                          "' is listed twice; remove this one (a stage reads each input's records once)", false});
        continue;
      }
      auto it = index.find(in);
      if (it == index.end()) {
        errors.push_back({spec.path, mark, ptr, "input '" + in + "' of stage '" + s.id + "' does not match any stage id", false});
        continue;
      }
      deps[i].push_back(it->second);
      if (!kinds[i] || !kinds[it->second]) continue;
      const RecordKind produced = output_of(*kinds[it->second]);
      const auto accepted = accepted_by(*kinds[i]);
      if (accepted.count(produced)) continue;
      std::string want;
      for (auto a : accepted) want += (want.empty() ? "" : " or ") + std::string(to_string(a));
      errors.push_back({spec.path, mark, ptr,
                        "record kind mismatch: '" + in + "' (" + to_string(*kinds[it->second]) + ") produces " +
                            to_string(produced) + ", but '" + s.id + "' (" + to_string(*kinds[i]) + ") takes " +
                            (want.empty() ? "no inputs" : want),
                        false});
    }
  }
  return deps;
}

// Depth-first order of the stages; each cycle is reported once, with its chain.
std::vector<std::size_t> dependency_order(const PipelineSpec& spec, const std::vector<std::vector<std::size_t>>& deps,
                                          std::vector<Diagnostic>& errors) {
  std::vector<std::size_t> order;
  std::vector<int> colour(spec.stages.size(), 0);
  std::vector<std::size_t> stack;
  std::set<std::string> reported;
  std::function<void(std::size_t)> visit = [&](std::size_t i) {
    colour[i] = 1;
    stack.push_back(i);
    for (std::size_t d : deps[i]) {
      if (colour[d] == 0) {
        visit(d);
        continue;
      }
      if (colour[d] != 1) continue;
      std::string chain;
      bool on = false;
      for (std::size_t s : stack) {
        if (s == d) on = true;
        if (on) chain += spec.stages[s].id + " -> ";
      }
      chain += spec.stages[d].id;
      if (reported.insert(spec.stages[d].id).second)
        errors.push_back({spec.path, spec.stages[d].mark, spec.stages[d].pointer, "cycle: " + chain, false});
    }
    stack.pop_back();
    colour[i] = 2;
    order.push_back(i);
  };
  for (std::size_t i = 0; i < spec.stages.size(); ++i)
    if (colour[i] == 0) visit(i);
  return order;
}

}  // namespace

ValidatedPipeline validate_pipeline(const PipelineSpec& spec, PluginRegistry& reg, std::vector<Diagnostic>& errors) {
  ValidatedPipeline vp;
  std::set<std::string> backend_ids;
  for (const auto& b : spec.backends) {
    backend_ids.insert(b.id);
    check_component(spec, b, {StageKind::kBackend}, "a backend", reg, errors);
  }
  if (spec.store) check_component(spec, *spec.store, {StageKind::kStore}, "the store", reg, errors);

  std::map<std::string, std::size_t> index;
  std::vector<std::optional<StageKind>> kinds(spec.stages.size());
  for (std::size_t i = 0; i < spec.stages.size(); ++i) {
    const auto& s = spec.stages[i];
    if (!s.id.empty() && !index.emplace(s.id, i).second)
      errors.push_back({spec.path, s.mark, s.pointer + "/id",
                        "duplicate stage id '" + s.id + "' (first defined at " + spec.stages[index[s.id]].pointer + ")",
                        false});
    kinds[i] = check_component(spec, s,
                               {StageKind::kHarvester, StageKind::kMiner, StageKind::kJudge, StageKind::kConsolidator},
                               "a pipeline stage (stores and backends have their own sections)", reg, errors);
    check_backend_refs(spec, s, backend_ids, errors);
  }
  for (const auto& b : spec.backends) check_backend_refs(spec, b, backend_ids, errors);
  vp.order = dependency_order(spec, check_edges(spec, kinds, index, errors), errors);
  for (const auto& k : kinds) vp.kinds.push_back(k.value_or(StageKind::kHarvester));
  return vp;
}

int exit_code_for(const std::vector<Diagnostic>& errors) {
  if (errors.empty()) return 0;
  for (const auto& e : errors)
    if (e.load_error) return 3;
  return 2;
}

}  // namespace skillpipe::host
