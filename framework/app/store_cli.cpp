#include "store_cli.hpp"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "host/basic_context.hpp"
#include "host/plugin_registry.hpp"
#include "skillpipe/config.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::app {

void add_store_options(po::options_description& desc, StoreCliArgs& a) {
  desc.add_options()("project", po::value(&a.project), "project directory (default: the current directory)")(
      "store", po::value(&a.store), "store directory (default: $SKILLPIPE_STORE, else ~/.skillpipe)")(
      "json", po::bool_switch(&a.json), "machine-readable output on stdout");
  add_common_options(desc, a.common);
}

int run_with_store(const char* command, const StoreCliArgs& a,
                   const std::function<CommandResult(Store&, const std::string&)>& fn) {
  namespace fs = std::filesystem;
  std::string project = a.project.empty() ? fs::current_path().string() : expand_path(a.project);
  if (project != "all" && fs::path(project).is_relative()) project = fs::absolute(project).lexically_normal().string();

  // Member order matters: the store must die before the registry unloads its library.
  std::unique_ptr<host::PluginRegistry> registry;
  host::Services services;
  std::unique_ptr<host::BasicContext> ctx;
  std::shared_ptr<Store> store;
  int rc = 0;
  try {
    registry = std::make_unique<host::PluginRegistry>(host::plugin_search_dirs(a.common.plugin_dirs, {}));
    store = registry->create_as<Store>("store_files");
    RunInfo run;
    run.project = project;
    services.store = store.get();
    ctx = std::make_unique<host::BasicContext>("store", run, &services);
    const std::string cfg = a.store.empty()
                                ? std::string("{}")
                                : "{\"root\": " + json_quote(fs::absolute(expand_path(a.store)).string()) + "}";
    store->configure(Config::parse(cfg), *ctx);
    const CommandResult r = fn(*store, project);
    if (a.json) {
      std::cout << r.json << (r.json.empty() || r.json.back() == '\n' ? "" : "\n");
      if (r.exit_code != 0) std::cerr << "skillpipe " << command << ": " << r.text;
    } else if (r.exit_code == 0) {
      std::cout << r.text;
    } else {
      std::cerr << "skillpipe " << command << ": " << r.text;
    }
    rc = r.exit_code;
  } catch (const host::PluginLoadError& e) {
    std::cerr << "skillpipe " << command << ": " << e.what() << "\n";
    rc = 3;
  } catch (const ConfigError& e) {
    std::cerr << "skillpipe " << command << ": " << e.what() << "\n";
    rc = 2;
  } catch (const std::exception& e) {
    std::cerr << "skillpipe " << command << ": " << e.what() << "\n";
    rc = 1;
  }
  store.reset();
  ctx.reset();
  registry.reset();
  return rc;
}

}  // namespace skillpipe::app
