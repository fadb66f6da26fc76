// skillpipe history [--project P] [--json] [--store DIR]: every adoption version with its
// night, action and diff stats.
#include "store_cli.hpp"

namespace skillpipe::app {

int cmd_history(const Args& args) {
  StoreCliArgs a;
  po::options_description desc("options");
  add_store_options(desc, a);
  po::variables_map vm;
  if (auto rc = parse_command_line(args, "skillpipe history [--project P] [--json] [--store DIR]", desc, nullptr, vm,
                                   a.common)) {
    return *rc;
  }
  return run_with_store("history", a,
                        [&](Store& store, const std::string& project) { return store.history(project, a.json); });
}

}  // namespace skillpipe::app
