#include "store_cli.hpp"

#include <filesystem>
#include <iostream>

#include "host/project.hpp"
#include "host/report/parts.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::app {
namespace {

// A command's message is a text block ending in a newline; the printer adds its own.
std::string without_newline(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

}  // namespace

void add_store_options(po::options_description& desc, StoreCliArgs& a) {
  desc.add_options()("project", po::value(&a.project), "project directory (default: the current directory)")(
      "store", po::value(&a.store), "store directory (default: $SKILLPIPE_STORE, else ~/.skillpipe)")(
      "pipeline", po::value(&a.pipeline), "use the store this pipeline file configures (plugin and root)")(
      "json", po::bool_switch(&a.json), "machine-readable output on stdout");
  add_common_options(desc, a.common);
}

int open_store(const StoreCliArgs& a, StoreSession& s) {
  if (const std::string bad = store_dir_problem("--store", a.store); !a.store.empty() && !bad.empty()) {
    path_error(bad);
    return 2;
  }
  s.assembly = std::make_unique<host::PipelineAssembly>(
      host::AssemblyOptions{a.common.plugin_dirs, a.overrides, a.project, a.store, {}});
  host::PipelineAssembly& as = *s.assembly;
  const bool loaded = a.pipeline.empty() ? as.load(host::default_store_spec(a.store)) : as.load(a.pipeline);
  if (loaded) as.build(host::AssemblyParts::store_only());
  if (!as.ok()) {
    for (const auto& d : as.diagnostics()) diagnostic(d, Prefix::kCommand);
    return as.exit_code();
  }
  if (!as.store()) {
    error(a.pipeline + " has no `store:`, so its nights are kept nowhere", "--pipeline",
          "name the store with --store DIR instead");
    return 2;
  }
  s.store = as.store();
  s.project = as.run().project;
  s.selector.project = s.project;
  if (!a.pipeline.empty())
    s.selector.suffix = " --pipeline " + shell_quote(std::filesystem::absolute(a.pipeline).lexically_normal().string());
  const std::string root = host::default_store_root(a.store);
  if (!a.store.empty() || (a.pipeline.empty() && root != expand_path("~/.skillpipe"))) {
    s.selector.suffix += " --store " + shell_quote(root);
    s.store_root = root;
  }
  return 0;
}

ProjectStatus project_status(StoreSession& s) {
  if (AdoptionStore* a = s.adoption()) return a->status(s.project);
  ProjectStatus st;
  st.project = s.project;
  st.nights = s.store->nights(s.project);
  st.known = !st.nights.empty();
  for (const auto& n : st.nights) {
    if (n.published) st.latest = n;
    else if (!n.abandoned) st.unfinished = n.id;
  }
  st.notes.push_back("this store cannot adopt, so nothing is pending or adopted");
  return st;
}

int run_with_store(const StoreCliArgs& a, const std::function<CommandResult(StoreSession&)>& fn) {
  StoreSession s;
  if (const int rc = open_store(a, s)) return rc;
  try {
    const CommandResult r = fn(s);
    if (a.json) {
      std::cout << r.json << (r.json.empty() || r.json.back() == '\n' ? "" : "\n");
      if (r.exit_code != 0) error(without_newline(r.text));
    } else if (r.exit_code == 0) {
      std::cout << r.text;
    } else {
      error(without_newline(r.text));
    }
    return r.exit_code;
  } catch (const std::exception& e) {
    error(e.what());
    return 1;
  }
}

}  // namespace skillpipe::app
