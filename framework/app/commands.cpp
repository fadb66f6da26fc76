#include "commands.hpp"

namespace skillpipe::app {

const std::vector<Command>& commands() {
  // One line per subcommand, in the order `skillpipe --help` lists them.
  static const std::vector<Command> kCommands = {
      {"run", "run a pipeline (the nightly cycle)", cmd_run},
      {"harvest", "read Claude Code / Codex transcripts and print the session digests", cmd_harvest},
      {"validate", "check a pipeline file and print every error", cmd_validate},
      {"plugins", "list the plugins found, with kind, version, ABI and path", cmd_plugins},
      {"describe", "show a plugin's description and config schema", cmd_describe},
      {"status", "what last night did, what is pending, what was adopted", cmd_status},
      {"adopt", "promote a night's staged proposals into the live skills and memory", cmd_adopt},
      {"rollback", "restore live files from adoption backups", cmd_rollback},
      {"history", "list adoption versions with night, action and diff stats", cmd_history},
      {"judge", "score given responses with a judge plugin, offline (calibrate and compare judges)", cmd_judge},
      {"tasks", "tasks export FILE: write a reviewable task set from a night or a pipeline", cmd_tasks},
      {"report", "print the path of a night's report.html, or open it", cmd_report},
      {"schedule", "run the pipeline every night (systemd user timer, else crontab)", cmd_schedule},
      {"unschedule", "remove the nightly run `schedule` installed", cmd_unschedule},
      {"docs", "print reference docs, e.g. `docs pipeline-reference` (plugins and their config)", cmd_docs},
      {"new-plugin", "scaffold a plugin folder that builds against the installed SDK", cmd_new_plugin},
      {"experiment", "the deterministic proof experiment: persona nights with the mock backend", cmd_experiment},
      {"ab", "A/B experiment: score the same tasks and replays under two or more arms", cmd_ab},
      {"export-dataset", "write successful and corrected examples as chat JSONL for fine-tuning", cmd_export_dataset},
  };
  return kCommands;
}

}  // namespace skillpipe::app
