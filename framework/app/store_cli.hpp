// store_cli.hpp - what the store-backed commands (status, adopt, rollback, history) share:
// the --project/--store/--json options and loading + configuring the store_files plugin.
#pragma once

#include <functional>
#include <string>

#include "cli_common.hpp"
#include "skillpipe/store.hpp"

namespace skillpipe::app {

struct StoreCliArgs {
  CommonOptions common;
  std::string project;  // default: the current directory
  std::string store;    // --store DIR (default: $SKILLPIPE_STORE, else ~/.skillpipe)
  bool json = false;
};

// Adds --project, --store, --json and the common options to `desc`.
void add_store_options(po::options_description& desc, StoreCliArgs& args);

// Loads store_files, configures it, calls `fn` with the store and the absolute project path,
// and prints the result (text or --json). Returns the exit code: the command's own, 3 when
// the plugin cannot be loaded, 2 for a bad store configuration, 1 for any other failure.
int run_with_store(const char* command, const StoreCliArgs& args,
                   const std::function<CommandResult(Store& store, const std::string& project)>& fn);

}  // namespace skillpipe::app
