#include "commands.hpp"

namespace skillpipe::app {

const std::vector<Command>& commands() {
  // One line per subcommand, in the order `skillpipe --help` lists them.
  static const std::vector<Command> kCommands = {
      {"run", "run a pipeline (the nightly cycle)", cmd_run},
      {"validate", "check a pipeline file and print every error", cmd_validate},
      {"plugins", "list the plugins found, with kind, version, ABI and path", cmd_plugins},
      {"describe", "show a plugin's description and config schema", cmd_describe},
      {"status", "what last night did, what is pending, what was adopted", cmd_status},
      {"adopt", "promote a night's staged proposals into the live skills and memory", cmd_adopt},
      {"rollback", "restore live files from adoption backups", cmd_rollback},
      {"history", "list adoption versions with night, action and diff stats", cmd_history},
  };
  return kCommands;
}

}  // namespace skillpipe::app
