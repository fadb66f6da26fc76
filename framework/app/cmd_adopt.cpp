// skillpipe adopt [--night ID] [--skill NAME...|--all] [--allow-unverified] [--json]:
// promote a night's staged proposals into the live skill and memory files.
#include <iostream>

#include "store_cli.hpp"

namespace skillpipe::app {

int cmd_adopt(const Args& args) {
  StoreCliArgs a;
  AdoptRequest req;
  po::options_description desc("options");
  desc.add_options()("night", po::value(&req.night_id), "night id or number (default: the latest with a proposal)")(
      "skill", po::value(&req.names)->composing(),
      "adopt only this document (skill name, CLAUDE.md, AGENTS.md; repeatable)")(
      "all", po::bool_switch(&req.all), "every proposal of the night, unverified and draft ones too (never quarantined ones)")(
      "allow-unverified", po::bool_switch(&req.allow_unverified),
      "also adopt proposals the gate could not verify (never quarantined ones)");
  add_store_options(desc, a);
  po::variables_map vm;
  const char* usage =
      "skillpipe adopt [--night ID] [--skill NAME...|--all] [--allow-unverified] [--project P] [--json]";
  if (auto rc = parse_command_line(args, usage, desc, nullptr, vm, a.common)) return *rc;
  if (req.all && !req.names.empty()) {
    print({Level::kError, "--skill and --all cannot be combined", {}, 0, 0, "--all", {}, usage, Prefix::kCommand});
    if (!json_messages()) std::cerr << "\nusage: " << usage << "\n";
    return 2;
  }
  return run_with_store(a, [&](StoreSession& s) {
    if (!s.adoption()) return command_error(2, "this store cannot adopt; it keeps nights only", a.json);
    req.project = s.project;
    // No nights at all: answered here, before the store is asked, so asking creates nothing.
    if (s.store->nights(s.project).empty()) {
      if (!req.night_id.empty())
        return command_error(2, "project " + s.project + " has no night \"" + req.night_id + "\" in this store", a.json);
      AdoptionResult none;
      none.message = "Nothing to adopt: no night of " + s.project + " staged a proposal.";
      return render_adoption(none, s.selector, a.json);
    }
    return render_adoption(s.adoption()->adopt(req), s.selector, a.json);
  });
}

}  // namespace skillpipe::app
