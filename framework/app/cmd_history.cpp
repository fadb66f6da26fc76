// skillpipe history [--project P] [--pipeline FILE] [--store DIR] [--json]: every adoption
// version with its night, action and diff stats.
#include "store_cli.hpp"

namespace skillpipe::app {

int cmd_history(const Args& args) {
  StoreCliArgs a;
  po::options_description desc("options");
  add_store_options(desc, a);
  po::variables_map vm;
  if (auto rc = parse_command_line(args, "skillpipe history [--project P] [--pipeline FILE] [--store DIR] [--json]",
                                   desc, nullptr, vm, a.common)) {
    return *rc;
  }
  return run_with_store(a, [&](StoreSession& s) {
    if (!s.adoption()) return render_history({}, s.selector, a.json);
    return render_history(s.adoption()->history(s.project), s.selector, a.json);
  });
}

}  // namespace skillpipe::app
