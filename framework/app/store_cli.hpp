// store_cli.hpp - what the store-backed commands (status, adopt, rollback, history, report,
// export-dataset, tasks export) share: the --project/--store/--pipeline/--json options and the
// store itself, assembled by the host like any pipeline's (so a pipeline naming another store
// plugin or root is honoured with --pipeline).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "cli_common.hpp"
#include "host/assembly.hpp"
#include "skillpipe/store.hpp"
#include "store_views.hpp"

namespace skillpipe::app {

struct StoreCliArgs {
  CommonOptions common;
  std::string project;   // default: the pipeline's `project`, else the current directory
  std::string store;     // --store DIR (default: the pipeline's store.root, else $SKILLPIPE_STORE, else ~/.skillpipe)
  std::string pipeline;  // --pipeline FILE: use this pipeline's store (plugin and config)
  std::vector<std::string> overrides;  // applied to --pipeline (the experiment's own settings)
  bool json = false;
};

// Adds --project, --store, --pipeline, --json and the common options to `desc`.
void add_store_options(po::options_description& desc, StoreCliArgs& args);

// The store a command works on, and the project it is about.
struct StoreSession {
  std::unique_ptr<host::PipelineAssembly> assembly;
  Store* store = nullptr;
  std::string project;     // absolute, resolved like `run` resolves it
  StoreSelector selector;  // how a printed command selects this store again
  std::string store_root;  // the root a printed --store names ("" when the default is used)
  // The store's adoption; nullptr when the store cannot adopt (the command then says so).
  AdoptionStore* adoption() const { return store->adoption(); }
};

// Assembles the store: the pipeline's with --pipeline, else store_files. On failure prints
// the errors (cli_print: named after the running command) and returns the exit code (2 configuration, 3 plugin
// load); 0 on success.
int open_store(const StoreCliArgs& args, StoreSession& session);

// Opens the store, calls `fn` with it, and prints the result (text or --json). Returns the
// command's exit code, or open_store's, or 1 when `fn` throws.
int run_with_store(const StoreCliArgs& args,
                   const std::function<CommandResult(StoreSession& session)>& fn);

// The project's status: the store's own when it has adoption, else built from its nights.
ProjectStatus project_status(StoreSession& session);

}  // namespace skillpipe::app
