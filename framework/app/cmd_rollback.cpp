// skillpipe rollback [--to VERSION] [--skill NAME] [--json]: restore live files from the
// adoption backups (default: undo the latest adoption).
#include "store_cli.hpp"

namespace skillpipe::app {

int cmd_rollback(const Args& args) {
  StoreCliArgs a;
  RollbackRequest req;
  po::options_description desc("options");
  desc.add_options()("to", po::value(&req.to_version),
                     "restore every file as version N left it (0 = before any adoption; see `skillpipe history`)")(
      "skill", po::value(&req.name), "only this document (skill name, CLAUDE.md, AGENTS.md)");
  add_store_options(desc, a);
  po::variables_map vm;
  if (auto rc = parse_command_line(args, "skillpipe rollback [--to VERSION] [--skill NAME] [--project P] [--json]",
                                   desc, nullptr, vm, a.common)) {
    return *rc;
  }
  return run_with_store(a, [&](StoreSession& s) {
    if (!s.adoption()) return command_error(2, "this store cannot rollback; it keeps nights only", a.json);
    req.project = s.project;
    // Nothing ever adopted: answered here, before the store is asked, so asking creates nothing.
    if (s.adoption()->history(s.project).versions.empty()) {
      AdoptionResult none;  // nothing to do: exit 0, ok, no version (README "Exit codes")
      none.message = "Nothing to roll back: nothing was ever adopted for " + s.project + ".";
      return render_adoption(none, s.selector, a.json);
    }
    return render_adoption(s.adoption()->rollback(req), s.selector, a.json);
  });
}

}  // namespace skillpipe::app
