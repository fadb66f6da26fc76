#include "host/assembly.hpp"

#include <algorithm>
#include <cstdlib>

#include "host/project.hpp"
#include "host/tasks_file_check.hpp"
#include "skillpipe/backend.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/store.hpp"

namespace skillpipe::host {

AssemblyParts AssemblyParts::store_only() {
  AssemblyParts p;
  p.backends = false;
  p.evaluator = false;
  p.stages = [](const ComponentSpec&, StageKind) { return false; };
  return p;
}

AssemblyParts AssemblyParts::without_store(std::vector<StageKind> kinds) {
  AssemblyParts p;
  p.store = false;
  p.evaluator = false;
  p.stages = [kinds = std::move(kinds)](const ComponentSpec&, StageKind k) {
    return std::find(kinds.begin(), kinds.end(), k) != kinds.end();
  };
  return p;
}

PipelineSpec default_store_spec(const std::string& store_root) {
  PipelineSpec spec;
  spec.path = "(store)";
  spec.format = 1;
  ComponentSpec store;
  store.id = "store";
  store.plugin = "store_files";
  store.pointer = "/store";
  // No root: the plugin's own default ($SKILLPIPE_STORE, else ~/.skillpipe) applies.
  store.config_json = store_root.empty() ? "{}" : "{\"root\": " + json_quote(default_store_root(store_root)) + "}";
  spec.store = std::move(store);
  return spec;
}

PipelineAssembly::PipelineAssembly(AssemblyOptions options) : options_(std::move(options)) {}

PipelineAssembly::~PipelineAssembly() {
  // Users before what they use: the evaluator, stages, backends, the store, then (as the
  // last member) the registry that unloads their libraries.
  evaluator_.reset();
  services_ = {};
  stages_.clear();
  backends_.clear();
  store_.reset();
}

bool PipelineAssembly::load(const std::string& path) {
  std::vector<std::string> overrides = options_.overrides;
  if (!options_.store_root.empty()) overrides.push_back("store.root=" + options_.store_root);
  ParseResult parsed = parse_pipeline(path, overrides);
  diagnostics_ = std::move(parsed.errors);
  spec_ = std::move(parsed.spec);
  // A file with broken syntax is not validated further: its errors would only echo these.
  const bool validate = spec_.format == 1 || diagnostics_.empty();
  registry_ = std::make_unique<PluginRegistry>(plugin_search_dirs(options_.plugin_dirs, spec_.plugin_path));
  if (validate) graph_ = validate_pipeline(spec_, *registry_, diagnostics_);
  check_templates();
  return ok();
}

bool PipelineAssembly::load(PipelineSpec spec) {
  spec_ = std::move(spec);
  diagnostics_.clear();
  registry_ = std::make_unique<PluginRegistry>(plugin_search_dirs(options_.plugin_dirs, spec_.plugin_path));
  graph_ = validate_pipeline(spec_, *registry_, diagnostics_);
  check_templates();
  return ok();
}

// Template files must exist and use only known placeholders.
void PipelineAssembly::check_templates() {
  for (const auto& [name, file] : spec_.templates) {
    const FileText read = read_regular_file(file, std::uintmax_t{1} << 20);
    if (!read.text) {
      diagnostics_.push_back({spec_.path, {}, "/templates/" + name, "cannot read template file " + file + ": it " + read.error, false});
      continue;
    }
    const std::string* text = &*read.text;
    if (name == "attempt")
      for (const auto& bad : unknown_placeholders(*text, {"skill", "memory", "task_system"}))
        diagnostics_.push_back({spec_.path, {}, "/templates/attempt",
                                "unknown placeholder {{" + bad + "}} in " + file +
                                    " (allowed: skill, memory, task_system)",
                                false});
  }
}

bool PipelineAssembly::build(const AssemblyParts& parts) {
  if (!ok() || !registry_) return false;
  run_.pipeline_path = spec_.path;
  run_.pipeline_dir = spec_.dir;
  run_.project = resolve_project(options_.project.empty() ? spec_.project : options_.project);
  run_.flags = options_.flags;
  run_.options = spec_.options;
  const bool tasks_file_option = run_.flags.tasks_file.empty() && spec_.options.count("tasks_file");
  if (tasks_file_option) run_.flags.tasks_file = spec_.options.at("tasks_file");
  run_.now_utc = format_iso8601_s(now_ms());
  // A whole night honours tasks_file or refuses it (a partial assembly runs no night).
  if (!parts.stages) {
    auto bad = check_tasks_file(run_.flags.tasks_file, tasks_file_option, spec_, *registry_);
    diagnostics_.insert(diagnostics_.end(), bad.begin(), bad.end());
  }
  try {
    if (parts.store) create_store();
    if (parts.backends) create_backends();
    create_stages(parts);
  } catch (const PluginLoadError& e) {
    diagnostics_.push_back({spec_.path, {}, "", e.what(), true});
  }
  if (parts.evaluator) create_evaluator();
  return ok();
}

// Configures one component; a failure becomes a diagnostic at the component's config.
bool PipelineAssembly::configure(Component& obj, const ComponentSpec& c, const std::string& ctx_id) {
  BasicContext ctx(ctx_id, run_, &services_);
  try {
    obj.configure(Config::parse(c.config_json), ctx);
    return true;
  } catch (const ConfigError& e) {
    diagnostics_.push_back({spec_.path, c.mark, c.pointer + "/config" + e.pointer(), e.what(), false});
  } catch (const std::exception& e) {
    diagnostics_.push_back({spec_.path, c.mark, c.pointer, std::string("configure failed: ") + e.what(), false});
  }
  return false;
}

void PipelineAssembly::create_store() {
  if (!spec_.store) return;
  store_ = registry_->create_as<Store>(spec_.store->plugin);
  if (configure(*store_, *spec_.store, "store")) services_.store = store_.get();
}

void PipelineAssembly::create_backends() {
  for (const auto& b : spec_.backends) {
    auto be = registry_->create_as<Backend>(b.plugin);
    if (configure(*be, b, b.id)) services_.backends[b.id] = be.get();
    backends_.emplace_back(b.id, std::move(be));
  }
}

void PipelineAssembly::create_stages(const AssemblyParts& parts) {
  stages_.assign(spec_.stages.size(), nullptr);
  for (std::size_t i : graph_.order) {
    const ComponentSpec& s = spec_.stages[i];
    if (parts.stages && !parts.stages(s, graph_.kinds[i])) continue;
    auto obj = registry_->create_stage(s.plugin);
    configure(*obj, s, s.id);
    if (graph_.kinds[i] == StageKind::kJudge) services_.judges[s.id] = static_cast<Judge*>(obj.get());
    stages_[i] = std::move(obj);
  }
}

void PipelineAssembly::create_evaluator() {
  attempt_template_ = kDefaultAttemptTemplate;
  if (auto it = spec_.templates.find("attempt"); it != spec_.templates.end())
    attempt_template_ = read_file(it->second).value_or(attempt_template_);
  if (auto it = spec_.options.find("parallelism"); it != spec_.options.end())
    parallelism_ = std::max(1, std::atoi(it->second.c_str()));
  evaluator_ = std::make_unique<HostEvaluationService>(&services_, attempt_template_, parallelism_);
  services_.evaluator = evaluator_.get();
}

std::vector<std::string> PipelineAssembly::errors() const {
  std::vector<std::string> out;
  for (const auto& d : diagnostics_) out.push_back(d.format());
  return out;
}

std::optional<std::size_t> PipelineAssembly::stage_index(std::string_view id) const {
  for (std::size_t i = 0; i < spec_.stages.size(); ++i)
    if (spec_.stages[i].id == id) return i;
  return std::nullopt;
}

StageBase* PipelineAssembly::stage(std::size_t index) const {
  return index < stages_.size() ? stages_[index].get() : nullptr;
}

Backend* PipelineAssembly::backend(std::string_view id) const {
  for (const auto& [bid, be] : backends_)
    if (bid == id) return be.get();
  return nullptr;
}

std::vector<std::string> PipelineAssembly::input_judges(std::size_t index) const {
  std::vector<std::string> out;
  for (const auto& [in, mark] : spec_.stages[index].inputs)
    if (auto j = stage_index(in); j && graph_.kinds[*j] == StageKind::kJudge) out.push_back(in);
  return out;
}

std::unique_ptr<BasicContext> PipelineAssembly::context(const std::string& id, std::vector<std::string> input_judges) {
  return std::make_unique<BasicContext>(id, run_, &services_, std::move(input_judges));
}

}  // namespace skillpipe::host
