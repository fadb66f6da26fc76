// skillpipe status [--project P] [--pipeline FILE] [--store DIR] [--json]: what happened last
// night, what is pending and what was adopted, and the exact next command.
#include "store_cli.hpp"

namespace skillpipe::app {

int cmd_status(const Args& args) {
  StoreCliArgs a;
  po::options_description desc("options");
  add_store_options(desc, a);
  po::variables_map vm;
  if (auto rc = parse_command_line(args, "skillpipe status [--project P] [--pipeline FILE] [--store DIR] [--json]",
                                   desc, nullptr, vm, a.common)) {
    return *rc;
  }
  return run_with_store(a, [&](StoreSession& s) {
    return render_status(project_status(s), s.store->past_reports(s.project), s.selector, a.json);
  });
}

}  // namespace skillpipe::app
