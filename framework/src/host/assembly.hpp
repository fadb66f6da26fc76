// assembly.hpp - the one place a pipeline is built: parse the file (or take a spec made in
// code), validate it against the plugins it names, resolve the project, then create and
// configure the store, the backends, the stages and the evaluation service.
//
// Every command that uses a pipeline or a part of one goes through it (run, validate, ab,
// tasks, judge, experiment and the store commands), so a pipeline means the same thing to all
// of them and every problem is reported the same way: all at once, each with file:line:col and
// the JSON pointer of the component (as the OpenTelemetry Collector builds its service once).
//
// Two phases: load() parses and validates the whole pipeline; build() creates only the parts
// a command needs (a store command needs no stages, `tasks export` no store). Objects die
// before the registry that unloads their libraries.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "host/basic_context.hpp"
#include "host/evaluation_service.hpp"
#include "host/pipeline_spec.hpp"
#include "host/plugin_registry.hpp"
#include "host/validate.hpp"
#include "skillpipe/records.hpp"

namespace skillpipe::host {

struct AssemblyOptions {
  std::vector<std::string> plugin_dirs;   // --plugin-path
  std::vector<std::string> overrides;     // --set, applied before anything is interpreted
  std::string project;                    // --project (else the pipeline's `project`)
  std::string store_root;                 // --store (becomes store.root)
  RunFlags flags;                         // run-wide flags (auto_adopt, restart, tasks_file, ...)
};

// What build() creates. Validation always covers the whole pipeline.
struct AssemblyParts {
  bool store = true;
  bool backends = true;
  bool evaluator = true;
  // Which stages to create; unset = every stage.
  std::function<bool(const ComponentSpec& stage, StageKind kind)> stages;

  static AssemblyParts everything() { return {}; }
  static AssemblyParts store_only();
  // Backends and the stages of the given kinds (no store, no evaluator).
  static AssemblyParts without_store(std::vector<StageKind> kinds);
};

class PipelineAssembly {
 public:
  explicit PipelineAssembly(AssemblyOptions options = {});
  ~PipelineAssembly();
  PipelineAssembly(const PipelineAssembly&) = delete;
  PipelineAssembly& operator=(const PipelineAssembly&) = delete;

  // Phase 1. Parses `path` (applying the overrides and --store) or takes `spec` as built in
  // code, checks templates and validates every component. False when anything is wrong.
  bool load(const std::string& path);
  bool load(PipelineSpec spec);
  // Phase 2. Resolves the project and creates and configures what `parts` asks for, in the
  // order store, backends, stages (judges are registered as they come, for later stages).
  bool build(const AssemblyParts& parts = {});

  bool ok() const { return diagnostics_.empty(); }
  int exit_code() const { return exit_code_for(diagnostics_); }  // 0, 2 (config) or 3 (plugin load)
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  std::vector<std::string> errors() const;                        // formatted diagnostics

  const PipelineSpec& spec() const { return spec_; }
  const std::vector<std::size_t>& order() const { return graph_.order; }  // stages, dependency order
  StageKind kind(std::size_t stage) const { return graph_.kinds[stage]; }
  std::optional<std::size_t> stage_index(std::string_view id) const;
  StageBase* stage(std::size_t index) const;                      // nullptr when not built
  const RunInfo& run() const { return run_; }
  RunInfo& run() { return run_; }
  // The services stages see. A command may put decorators in front of the created objects
  // (A/B meters backends and guards judges); they must outlive the assembly's users.
  Services& services() { return services_; }
  Store* store() const { return store_.get(); }
  Backend* backend(std::string_view id) const;
  HostEvaluationService* evaluator() const { return evaluator_.get(); }
  const std::string& attempt_template() const { return attempt_template_; }
  int parallelism() const { return parallelism_; }
  // Judge stage ids among stage `index`'s inputs, in order.
  std::vector<std::string> input_judges(std::size_t index) const;
  // A context for a component or command step, sharing this assembly's services.
  std::unique_ptr<BasicContext> context(const std::string& id, std::vector<std::string> input_judges = {});

 private:
  void check_templates();
  bool configure(Component& obj, const ComponentSpec& c, const std::string& ctx_id);
  void create_store();
  void create_backends();
  void create_stages(const AssemblyParts& parts);
  void create_evaluator();

  AssemblyOptions options_;
  PipelineSpec spec_;
  ValidatedPipeline graph_;
  std::vector<Diagnostic> diagnostics_;
  RunInfo run_;
  std::string attempt_template_;
  int parallelism_ = 4;
  // Declared before every object it creates: members die in reverse order, so the libraries
  // outlive the objects.
  std::unique_ptr<PluginRegistry> registry_;
  Services services_;
  std::shared_ptr<Store> store_;
  std::vector<std::pair<std::string, std::shared_ptr<Backend>>> backends_;
  std::vector<std::shared_ptr<StageBase>> stages_;  // by stage index; null when not built
  std::unique_ptr<HostEvaluationService> evaluator_;
};

// A spec holding only a store: the pipeline's own (with --pipeline) or store_files at --store
// (else $SKILLPIPE_STORE, else ~/.skillpipe). What the store commands assemble.
PipelineSpec default_store_spec(const std::string& store_root);

}  // namespace skillpipe::host
